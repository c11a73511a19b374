"""Component IDs, one namespace per page (prefixed by the page name), so callbacks and
layouts cannot drift apart. Not a page: Dash's page loader skips modules without register_page."""


class Shell:
    URL = "shell-url"
    DATA_VERSION = "shell-data-version"


class Donnees:
    DATASETS = "donnees-datasets"
    HISTORY = "donnees-history"
    SUMMARY = "donnees-summary"
