"""French labels of the action follow-up (campaigns, steps, funnels): one place for the pages, the
profile section, the home page and the exports."""
from __future__ import annotations

STEP_LABELS = {
    "ciblee": "Ciblé", "contactee": "Contacté", "entretien": "Entretien confraternel", "profil_remis": "Profil remis",
    "msap_notifiee": "MSAP notifiée", "contrat_signe": "Contrat signé", "engagement": "Engagement (sans contrat)",
    "sans_suite": "Sans suite", "controle": "Contrôle a posteriori", "close": "Clos",
}
THEME_LABELS = {
    "msap_ssr": "MSAP SSR (recours après chirurgie)", "msap_ambu": "MSAP chirurgie ambulatoire", "caqes": "CAQES",
    "transfert_ssr": "Accompagnement des taux de transfert MCO → SSR", "autre": "Autre",
}
# Funnel columns as the regional tables read them
FUNNEL_LABELS = {
    "ciblees": "Ciblés", "contactees": "Contactés", "entretiens": "Rencontrés (entretien)",
    "profils_remis": "Profil remis", "msap_notifiees": "MSAP notifiées", "contrats_signes": "Contrats signés",
    "engagements": "Engagements", "sans_suite": "Sans suite", "controles": "Contrôlés a posteriori",
    "closes": "Clos",
}
# The ratios the programmes report: (numerator column, denominator column, label)
RATIOS = (("entretiens", "ciblees", "rencontrés / ciblés"), ("msap_notifiees", "ciblees", "MSAP notifiées / ciblés"),
          ("contrats_signes", "ciblees", "contrats signés / ciblés"),
          ("controles", "msap_notifiees", "contrôlés / sous MSAP"))

PAGE_TITLE = "Suivi des actions"
NOT_IN_PRESENTATION = ("Le suivi des actions (campagnes, étapes, notes d'entretien) n'est pas affiché en mode "
                       "présentation : les notes sont confidentielles.")
CONFLICT = ("Enregistrement refusé : {who} a été modifié par un autre utilisateur depuis l'ouverture de la page. "
            "Rien n'a été enregistré ; l'état actuel est affiché ci-dessous : vérifiez-le puis enregistrez à nouveau.")
SAVED = "Étape « {step} » enregistrée pour {n} établissement{s} ({date})."
COMPLIANT_LABELS = {True: "conforme", False: "non conforme"}
