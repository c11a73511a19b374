"""French UI strings shared across pages (one place, so labels stay consistent)."""
from __future__ import annotations

APP_TITLE = "Atlas GDR"
APP_SUBTITLE = "Gestion du risque — établissements de santé"

DATASET_LABELS = {
    "establishments": "Établissements",
    "ssr_recourse": "Recours au SSR après chirurgie orthopédique",
    "ambulatory_surgery": "Chirurgie ambulatoire",
    "profile_values": "Indicateurs du profil SSR",
    "caqes_contracts": "Contrats CAQES",
    "caqes_results": "Résultats CAQES",
    "msap_decisions": "Décisions MSAP",
}

STATUS_LABELS = {"public": "Public", "espic": "Privé non lucratif (ESPIC)", "prive": "Privé lucratif"}
ACTIVITY_LABELS = {"MCO": "MCO", "SSR": "SSR", "MCO+SSR": "MCO et SSR"}

# MSAP campaigns and decisions, CAQES parts (volets) and scopes: the profile's page and PDF.
MSAP_CAMPAIGN_LABELS = {"SSR": "SSR après chirurgie orthopédique", "AMBU": "Chirurgie ambulatoire"}
MSAP_DECISION_LABELS = {"ciblee": "Ciblée", "notifiee": "Notifiée (MSAP)", "levee": "Levée",
                        "abandonnee": "Abandonnée"}
CAQES_PART_LABELS = {"produits_sante": "Produits de santé", "organisation": "Organisation des soins",
                     "pertinence": "Pertinence", "socle": "Socle (bon usage)", "transports": "Transports",
                     "qualite": "Qualité"}
CAQES_SCOPE_LABELS = {"national": "national", "regional": "régional"}

NO_DATA = "pas de données"
DATA_VERSION = "Données v{version}"
LAST_IMPORT = "dernier import le {date}"
NO_IMPORT = "aucun import"
DB_UNREACHABLE = "Base de données injoignable"


def fr_datetime(value) -> str:
    """'22/11/2026 à 16:49' (French date and time, local time of the value)."""
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y à %H:%M")
