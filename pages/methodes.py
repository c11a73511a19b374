import dash
from dash import dcc

dash.register_page(__name__, path="/methodes", name="Méthodes", title="Atlas GDR — méthodes",
                   nav_order=95, description="Définitions des indicateurs, sources, secret statistique.")

TEXT = """
# Méthodes

## Sources
- **PMSI MCO** : séjours de chirurgie orthopédique (prothèse totale de genou PTG, prothèse totale de hanche PTH,
  ligamentoplastie du ligament croisé antérieur LCA, réparation de la coiffe des rotateurs COIFFE) et de chirurgie
  ambulatoire sur les gestes marqueurs.
- **PMSI SSR** : séjours de soins de suite et de réadaptation (SMR depuis 2023) suivant un séjour chirurgical ;
  activité des établissements SSR (durées de séjour, réhospitalisations, GMD, actes de rééducation).
- **SAE** : personnels (ETP) et capacités (lits et places) des établissements.
- **Référentiels** : géographie INSEE/IGN (régions, départements, communes), numéros FINESS des établissements.

## Taux de recours au SSR
Pour un établissement MCO, un geste et une année : nombre de séjours suivis d'un séjour SSR divisé par le nombre de
séjours pour ce geste. Le taux d'un territoire (région, département, France) est un **rapport de sommes** :
Σ séjours suivis de SSR / Σ séjours sur les établissements MCO du territoire, jamais une moyenne de taux.
« Les 4 gestes » additionne les quatre gestes, « tous âges » les trois tranches d'âge. Le taux national inclut
l'outre-mer. Les taux sont rattachés au lieu de l'établissement (et non au domicile du patient).

## Intervalle de confiance
Chaque taux est donné avec son intervalle de confiance à 95 % de **Wilson** calculé sur les effectifs sommés.

## Classes des cartes
Par défaut, classes d'**effectifs égaux** (quantiles, 4 classes) ; alternatives : seuils naturels de Fisher-Jenks et
intervalles égaux. Les bornes sont celles de la bibliothèque mapclassify (PySAL). La légende indique la méthode,
l'étendue de chaque classe et le nombre de territoires qu'elle contient ; un territoire sans données est en gris.

## Indicateurs du profil SSR
Un indicateur de ratio (durée moyenne de séjour, taux de réhospitalisation, ETP par lit…) est comparé aux valeurs
régionale et nationale calculées comme des rapports de sommes sur les établissements ; un indicateur de comptage
(nombre de GMD représentant 80 % de l'activité) est comparé aux médianes régionale et nationale.

## Secret statistique
Aucun effectif de 1 à 10 (patients ou séjours) n'est montré à un public extérieur à l'Assurance Maladie, ni aucun
taux dont le numérateur ou le dénominateur est compris entre 1 et 10 ; lorsqu'un total permettrait de retrouver une
case masquée par soustraction, une seconde case est masquée (secret secondaire).
"""


def layout(**_query):
    return dcc.Markdown(TEXT, className="prose")
