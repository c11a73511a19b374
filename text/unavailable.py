"""What a user reads when the database cannot answer (security.database_errors, security.audit)."""

DATABASE_UNREACHABLE = "Base de données injoignable, nouvel essai dans quelques secondes"
SERVER_SATURATED = "Serveur momentanément saturé, nouvel essai dans quelques secondes"
EXPORT_NOT_AUDITED = ("Export refusé : il n'a pas pu être enregistré dans le journal d'audit. "
                      "Nouvel essai dans quelques secondes.")
PAGE_TITLE = "Base de données injoignable"
HOME = "Accueil"
RETRY_AFTER_S = 5  # Retry-After, the 503 page's refresh and the banner's probe of /health
