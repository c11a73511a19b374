"""Component IDs, one namespace per page (prefixed by the page name), so callbacks and
layouts cannot drift apart. Not a page: Dash's page loader skips modules without register_page."""


class Shell:
    URL = "shell-url"
    DATA_VERSION = "shell-data-version"


class Donnees:
    DATASETS = "donnees-datasets"
    HISTORY = "donnees-history"
    SUMMARY = "donnees-summary"


class Ssr:
    QUERY = "ssr-query"  # raw query string parameters the page was opened with
    VIEW = "ssr-view"  # the canonical view (analytics.ssr.SsrView as a dict)
    FIGURE_KEY = "ssr-figure-key"  # which geometry the map holds (level + region): patch or redraw
    NOTICES = "ssr-notices"
    GESTE = "ssr-geste"
    ANNEE = "ssr-annee"
    AGE = "ssr-age"
    NIVEAU = "ssr-niveau"
    METHODE = "ssr-methode"
    CLASSES = "ssr-classes"
    STATUT = "ssr-statut"
    POINTS = "ssr-points"
    BREADCRUMB = "ssr-breadcrumb"
    CRUMB = "ssr-crumb"  # pattern-matching type of breadcrumb buttons
    MAP = "ssr-map"
    NATIONAL = "ssr-national"
    TABLE = "ssr-table"
    TABLE_TITLE = "ssr-table-title"
    ESTABLISHMENTS = "ssr-establishments"
    ESTABLISHMENTS_BLOCK = "ssr-establishments-block"
    ESTABLISHMENTS_TITLE = "ssr-establishments-title"
    SERIES = "ssr-series"
    EXPORT = "ssr-export"
    URL_SYNC = "ssr-url-sync"
