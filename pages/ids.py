"""Component IDs, one namespace per page (prefixed by the page name), so callbacks and
layouts cannot drift apart. Not a page: Dash's page loader skips modules without register_page."""


class Shell:
    URL = "shell-url"
    DATA_VERSION = "shell-data-version"
    PAGE_DATA_VERSION = "shell-page-data-version"  # the copy each page carries (callbacks/shell.py)
    PRESENTATION = "shell-presentation"
    ANONYMISED = "shell-anonyme"
    MODE_SYNC = "shell-mode-sync"


class Admin:
    USERS = "admin-users"
    LOGIN = "admin-login"
    EVENT = "admin-event"
    SINCE = "admin-since"
    UNTIL = "admin-until"
    AUDIT = "admin-audit"
    AUDIT_COUNT = "admin-audit-count"
    SESSIONS_LOGIN = "admin-sessions-login"
    SESSIONS_END = "admin-sessions-end"
    SESSIONS_RESULT = "admin-sessions-result"


class Donnees:
    DATASETS = "donnees-datasets"
    HISTORY = "donnees-history"
    SUMMARY = "donnees-summary"


class Ssr:
    VIEW = "ssr-view"  # the canonical view (analytics.ssr.SsrView as a dict)
    ADDRESS = "ssr-address"  # the view's address (components.address), written by the browser
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


class Msap:
    RULE = "msap-rule"  # the canonical rule (analytics.msap.MsapRule as a dict)
    ADDRESS = "msap-address"  # the rule's address (components.address), written by the browser
    NOTICES = "msap-notices"
    CAMPAGNE = "msap-campagne"
    ANNEE = "msap-annee"
    GESTE = "msap-geste"
    AGE = "msap-age"
    AGE_BLOCK = "msap-age-block"
    VOLUME_MIN = "msap-volume-min"
    METHODE = "msap-methode"
    ECART_PTS = "msap-ecart-pts"
    ECART_BLOCK = "msap-ecart-block"
    SEUIL = "msap-seuil"
    SEUIL_BLOCK = "msap-seuil-block"
    PERIMETRE = "msap-perimetre"
    RULE_TEXT = "msap-rule-text"
    COUNT = "msap-count"
    TABLE = "msap-table"
    FUNNEL = "msap-funnel"
    MAP = "msap-map"
    MAP_KEY = "msap-map-key"  # which geometry the map holds (the perimeter): patch the points or redraw
    SENSITIVITY = "msap-sensitivity"
    EXPORTS = "msap-exports"
    EXPORT_CSV = "msap-export-csv"
    EXPORT_XLSX = "msap-export-xlsx"
    URL_SYNC = "msap-url-sync"
    PROFILE = "msap-profile"  # the address of the profile a clicked funnel or map point opens
    NAVIGATE = "msap-navigate"  # clientside: opens PROFILE


class Etablissements:
    ADDRESS = "etabs-address"  # store: the view's address (components.address), written by the browser
    URL_SYNC = "etabs-url-sync"
    SEARCH = "etabs-search"
    REGION = "etabs-region"
    DEPARTEMENT = "etabs-departement"
    STATUT = "etabs-statut"
    ACTIVITE = "etabs-activite"
    COUNT = "etabs-count"
    GRID = "etabs-grid"
    OPEN = "etabs-open"  # store: the profile's address of the row clicked
    NAVIGATE = "etabs-navigate"  # clientside: opens the address of OPEN


class Etablissement:
    FINESS = "etab-finess"  # store: the FINESS and query of the page address
    ADDRESS = "etab-address"  # store: the view's address (components.address), written by the browser
    URL_SYNC = "etab-url-sync"
    CONTENT = "etab-content"
    HEADER = "etab-header"  # title (etab-title), subtitle, PDF link (etab-pdf), notices
    TOP = "etab-top"  # identity, points d'attention, SSR profile, SSR recourse
    BOTTOM = "etab-bottom"  # MSAP, CAQES, sources
    NOT_FOUND = "etab-notfound"
    ANNEE = "etab-annee"
    FUNNEL_BLOCK = "etab-funnel-block"
    FUNNEL_GESTE = "etab-funnel-geste"
    FUNNEL_DEFAULT = "etab-funnel-default"  # store: the gesture shown by default (left out of the address)
    FUNNEL = "etab-funnel"  # container: the funnel's caption and its image (or interactive plot)
    FUNNEL_MODE = "etab-funnel-mode"  # image | interactif
    FUNNEL_KEY = "etab-funnel-key"  # store: [finess, year, gesture, mode] of the funnel drawn


class Caqes:
    VIEW = "caqes-view"
    ADDRESS = "caqes-address"  # the view's address (components.address), written by the browser
    FIGURE_KEY = "caqes-figure-key"
    NOTICES = "caqes-notices"
    ANNEE = "caqes-annee"
    VOLET = "caqes-volet"
    INDICATEUR = "caqes-indicateur"
    PERIMETRE = "caqes-perimetre"
    NIVEAU = "caqes-niveau"
    HEADLINE = "caqes-headline"
    BREADCRUMB = "caqes-breadcrumb"
    CRUMB = "caqes-crumb"  # pattern-matching type of breadcrumb buttons
    MAP = "caqes-map"
    INDICATORS = "caqes-indicators"
    INDICATORS_TITLE = "caqes-indicators-title"
    TERRITORIES = "caqes-territories"
    TERRITORIES_TITLE = "caqes-territories-title"
    TABLE = "caqes-table"
    TABLE_TITLE = "caqes-table-title"
    EXPORT = "caqes-export"
    URL_SYNC = "caqes-url-sync"
    NAVIGATE = "caqes-navigate"
    TARGET = "caqes-target"  # the profile a clicked row opens


class Actions:
    """/actions: campaigns and their funnels."""
    VIEW = "actions-view"  # store: {"annee": year or None}
    CAMPAIGNS = "actions-campaigns"
    NEW_CODE = "actions-new-code"
    NEW_LABEL = "actions-new-label"
    NEW_THEME = "actions-new-theme"
    NEW_YEAR = "actions-new-year"
    NEW_PERIMETER = "actions-new-perimeter"
    NEW_SUBMIT = "actions-new-submit"
    NEW_MESSAGE = "actions-new-message"


class Action:
    """/actions/<code>: one campaign's establishments and the step form."""
    CODE = "action-code"  # store: {"code": ...}
    ADDRESS = "action-address"
    URL_SYNC = "action-url-sync"
    VERSIONS = "action-versions"  # store: finess -> version shown (optimistic check)
    REFRESH = "action-refresh"  # store: bumped by a write, re-reads the campaign
    ETAPE = "action-etape-filter"
    REGION = "action-region-filter"
    COUNT = "action-count"
    TABLE = "action-table"
    TARGETS = "action-targets"
    STEP = "action-step"
    DATE = "action-date"
    MEDECIN = "action-medecin"
    PARTICIPANTS = "action-participants"
    CONFORME = "action-conforme"
    NOTE = "action-note"
    SUBMIT = "action-submit"
    MESSAGE = "action-message"
    ADD_FINESS = "action-add-finess"
    ADD_SUBMIT = "action-add-submit"
    ADD_MESSAGE = "action-add-message"
    ADD_REFRESH = "action-add-refresh"
    HISTORY = "action-history"


class ActionsProfile:
    """The action follow-up section of an establishment's profile (rendered into CONTAINER)."""
    CONTAINER = "profile-actions"
    VERSIONS = "profile-actions-versions"  # store: campaign -> version shown
    REFRESH = "profile-actions-refresh"
    HISTORY = "profile-actions-history"
    CAMPAIGN = "profile-actions-campaign"
    STEP = "profile-actions-step"
    DATE = "profile-actions-date"
    MEDECIN = "profile-actions-medecin"
    PARTICIPANTS = "profile-actions-participants"
    CONFORME = "profile-actions-conforme"
    NOTE = "profile-actions-note"
    SUBMIT = "profile-actions-submit"
    MESSAGE = "profile-actions-message"


class MsapCampaign:
    """/msap: "Créer une campagne avec cette liste"."""
    BLOCK = "msap-campaign-block"
    SUMMARY = "msap-campaign-summary"  # opening the block proposes a code and label for the rule shown
    CODE = "msap-campaign-code"
    LABEL = "msap-campaign-label"
    SUBMIT = "msap-campaign-submit"
    MESSAGE = "msap-campaign-message"


class Ambulatoire:
    VIEW = "ambu-view"  # the canonical view (analytics.ambulatory.AmbuView as a dict)
    ADDRESS = "ambu-address"  # the view's address, written by the browser (components.address)
    FIGURE_KEY = "ambu-figure-key"  # which geometry the map holds (level + region): patch or redraw
    NOTICES = "ambu-notices"
    ANNEE = "ambu-annee"
    GESTE = "ambu-geste"
    STATUT = "ambu-statut"
    NIVEAU = "ambu-niveau"
    METHODE = "ambu-methode"
    CLASSES = "ambu-classes"
    COULEUR = "ambu-couleur"
    BREADCRUMB = "ambu-breadcrumb"
    CRUMB = "ambu-crumb"  # pattern-matching type of breadcrumb buttons
    MAP = "ambu-map"
    NATIONAL = "ambu-national"
    TABLE = "ambu-table"
    TABLE_TITLE = "ambu-table-title"
    ESTABLISHMENTS = "ambu-establishments"
    ESTABLISHMENTS_BLOCK = "ambu-establishments-block"
    ESTABLISHMENTS_TITLE = "ambu-establishments-title"
    SERIES = "ambu-series"
    SERIES_TITLE = "ambu-series-title"
    EXPORT = "ambu-export"
    URL_SYNC = "ambu-url-sync"
    TARGET = "ambu-target"  # the profile address a row click opens
    NAVIGATE = "ambu-navigate"
