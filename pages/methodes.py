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

## Virage ambulatoire (chirurgie ambulatoire)
- **Taux de chirurgie ambulatoire** d'un établissement, d'un geste marqueur et d'une année : séjours réalisés en
  ambulatoire (sans nuitée) / séjours pour ce geste. Le taux d'un territoire est un **rapport de sommes** sur ses
  établissements (Σ séjours ambulatoires / Σ séjours), jamais une moyenne de taux ; « les 55 gestes marqueurs »
  additionne les séjours des 55 gestes de la liste officielle (GM01 à GM55 ; l'amygdalectomie, suivie avant 2015, reste
  consultable seule mais n'entre pas dans cette somme).
- **Cibles** : la cible qu'un programme régional fixe pour une année porte sur le taux des 55 gestes marqueurs ; une
  cible locale (département) remplace la cible régionale pour ce département. L'**écart à la cible** est en points :
  taux (en %) − cible. Elle n'est pas comparée au taux d'un seul geste (colonne « Cible » vide), mais l'est au taux
  d'un seul statut juridique (quel secteur est en retard).
- **Coloration par l'écart à la cible** : cinq classes fixes (5 points ou plus sous la cible, 2 à 5, 0 à 2 sous la
  cible, 0 à 2 et 2 points ou plus au-dessus), du rouge au bleu ; un territoire sans cible est en gris.
- **Règle MSAP AMBU par défaut** (colonne « MSAP AMBU » des établissements) : au moins 30 séjours et un taux inférieur
  d'au moins 10 points aux taux régional et national du même geste, geste par geste.
- **Secret statistique** (mode présentation) : une ligne dont les séjours ambulatoires ou les séjours **sans**
  ambulatoire (séjours − séjours ambulatoires) vont de 1 à 10 est masquée entière, avec les masquages secondaires
  choisis sur toutes les vues de l'année à la fois (voir plus bas) ; pas de détail par statut.

## Intervalle de confiance
Chaque taux est donné avec son intervalle de confiance à 95 % de **Wilson** calculé sur les effectifs sommés.

## Classes des cartes
Par défaut, classes d'**effectifs égaux** (quantiles, 4 classes) ; alternatives : seuils naturels de Fisher-Jenks et
intervalles égaux. Les bornes sont celles des définitions de la bibliothèque mapclassify (PySAL) : l'application les
calcule elle-même, et ses tests vérifient qu'elles sont identiques à celles de mapclassify. La légende indique la
méthode, l'étendue de chaque classe et le nombre de territoires qu'elle contient ; un territoire sans données est en
gris.

## Indicateurs du profil SSR
Un indicateur de ratio (durée moyenne de séjour, taux de réhospitalisation, ETP par lit…) est comparé aux valeurs
régionale et nationale calculées comme des rapports de sommes sur les établissements ; un indicateur de comptage
(nombre de GMD représentant 80 % de l'activité) est comparé aux médianes régionale et nationale.

## Profil d'établissement
- **Références** : *Région* et *France* = Σ numérateurs / Σ dénominateurs × échelle sur les établissements ayant les
  deux (l'établissement compris) ; médiane pour un indicateur de comptage. Chaque valeur est suivie de sa base
  (numérateur/dénominateur, ou nombre d'établissements).
- **Comparables** : même activité (MCO, SSR, MCO et SSR), même statut juridique et même **classe de taille** ; les
  classes de taille sont les **terciles** du nombre de lits et places parmi les établissements de même activité et
  même statut en France (premier tiers, tiers central, dernier tiers).
- **Plus favorable / moins favorable / similaire**, selon le sens de l'indicateur (« sans jugement » quand aucun sens
  n'est défini) : pour une proportion d'événements comptés (réhospitalisations, recours au SSR), « similaire » quand la
  référence est dans l'intervalle de confiance à 95 % de **Wilson** de l'établissement ; pour les autres indicateurs
  (durées, actes par journée, personnels déclarés à la SAE, médianes), qui ne sont pas des échantillons, « similaire »
  quand l'écart à la référence est inférieur à **5 %** de la référence.
- **Entonnoir (funnel plot, Spiegelhalter 2005)** : limites binomiales exactes à 95 % et 99,8 % autour du taux national,
  interpolées comme dans l'article ; un taux au-dessus de la limite à 99,8 % est statistiquement atypique.
- **Points d'attention**, dans cet ordre : taux de recours au SSR au-dessus de la limite à 99,8 % ; taux de recours moins
  favorables que la région et la France au-delà de l'intervalle à 95 % ; taux de chirurgie ambulatoire d'un geste
  marqueur sous la limite basse à 99,8 % de l'entonnoir (autour du taux national du geste) ; taux ambulatoire des
  gestes marqueurs à 10 points ou plus sous la cible régionale ; indicateurs du profil SSR moins favorables que la
  région et la France ; indicateurs CAQES de l'année dont la cible n'est pas atteinte (« non atteint » d'abord, puis
  « en progrès », atteinte la plus faible d'abord). Dans chaque groupe, l'ordre du catalogue.
- **PDF** : les chiffres réels pour un entretien (document interne) ; en mode présentation, le secret statistique y est
  appliqué comme à l'écran (« masqué », « secret statistique »).

## Suivi CAQES
Pour un établissement, un indicateur du contrat et une année, avec la valeur initiale, la cible et le réalisé
(dans l'unité de l'indicateur) et le sens favorable de l'indicateur (« plus haut = mieux » ou « plus bas = mieux »,
donné par le catalogue) :
- **atteinte** = (réalisé − valeur initiale) / (cible − valeur initiale), bornée entre 0 et 1 (0 % à 100 %), dans les
  deux sens : 100 % dès que la cible est atteinte ou dépassée, 0 % sans progrès ou en cas de recul. Si la cible est
  égale à la valeur initiale : 100 % si le réalisé est au moins aussi bon que la cible, sinon 0 %. Exemple (plus bas =
  mieux) : valeur initiale 40 %, cible 30 %, réalisé 38 % → (38 − 40) / (30 − 40) = 20 % ;
- **statut** : *atteint* (cible atteinte ou dépassée), *en progrès* (strictement meilleur que la valeur initiale sans
  atteindre la cible), *non atteint* (sinon) ; *non mesuré* quand le réalisé n'est pas (encore) connu ;
- un résultat *non mesuré* n'a pas d'atteinte : il est compté parmi les indicateurs suivis mais exclu du score et des
  parts par statut, qui sont des parts des résultats **mesurés** (rapports d'effectifs, toujours affichés avec
  leurs effectifs) ;
- **score** d'un établissement pour une année : moyenne des atteintes de ses indicateurs mesurés, pondérée par le
  poids de chaque indicateur dans le catalogue (1 par défaut : indicateurs nationaux et régionaux pèsent alors
  autant) ; l'évolution du score est la différence avec l'année précédente, pour la même sélection (volet,
  indicateur), en points ;
- **intéressement estimé** : Σ économies (€) × taux d'intéressement de l'indicateur (catalogue, par exemple 20 à 30 %),
  sur les résultats pour lesquels des économies sont renseignées ; c'est une estimation, pas le montant versé.

La carte montre, par région ou département (lieu de l'établissement), la part des résultats mesurés qui sont
atteints — ou, pour un seul indicateur, l'atteinte moyenne des établissements mesurés — en classes d'effectifs égaux ;
un territoire sans établissement sous contrat ayant des résultats est en gris (« pas de contrat »). Un établissement
est « sous contrat » pour une année dès qu'il a au moins un résultat dans la sélection (mesuré ou non). Le
périmètre s'écrit dans l'adresse `perimetre=FR` (France), `R84` (une région) ou `D33` (un département), car les
codes de région et de département se recouvrent (24 : Centre-Val de Loire et Dordogne). Le catalogue des
indicateurs est une donnée : les contrats antérieurs à 2022 (socle, transports, pertinence, qualité) se lisent de la
même façon.

## Ciblage MSAP
La page *Ciblage MSAP* applique une règle explicite, dont chaque paramètre est dans l'adresse (une liste se partage
et se reproduit en copiant son adresse) : campagne (`SSR` : recours au SSR après chirurgie orthopédique, un taux
**élevé** est atypique ; `AMBU` : chirurgie ambulatoire, un taux **bas** est atypique), année des données, geste (ou
`TOUS` : les gestes de la campagne additionnés), âge (SSR seulement), volume minimal de séjours (30 par défaut),
méthode, écart exigé (10 points par défaut) ou seuil du funnel (99,8 % par défaut) et périmètre.
- **Taux de référence** : le taux régional et le taux national sont des rapports de sommes sur **tous** les
  établissements de la région et de la France ayant des séjours pour la même campagne, année, sélection de gestes et
  d'âges — l'établissement examiné compris, quel que soit son volume et quel que soit le périmètre affiché.
- **Méthode « écart »** (par défaut) : un établissement est ciblé s'il a au moins le volume minimal de séjours et si
  son taux dépasse d'au moins l'écart exigé (en points de pourcentage) **à la fois** le taux régional et le taux
  national (SSR), ou leur est inférieur d'au moins cet écart (ambulatoire). Les bornes sont incluses et testées
  exactement sur les effectifs entiers : 60/100 face à 200/400 est bien à +10 points.
- **Méthode « funnel »** : un établissement est ciblé s'il a au moins le volume minimal et si son taux est
  strictement au-delà de la limite de contrôle choisie (95 % ou 99,8 %) autour du **taux national**, du côté atypique
  (au-dessus pour le SSR, en dessous pour l'ambulatoire). Les limites sont les limites **binomiales exactes** de
  Spiegelhalter (2005, « Funnel plots for comparing institutional performance », annexe A.1.1), rendues continues par
  interpolation — et non l'approximation normale p0 ± z·√(p0(1 − p0)/n) : pour un taux national p0 et n séjours,
  r = le plus petit entier tel que P(R ≤ r) ≥ q pour R de loi binomiale (n, p0), α = (P(R ≤ r) − q) / P(R = r), et la
  limite vaut (r − α) / n, avec q = 0,025 et 0,975 (95 %) ou 0,001 et 0,999 (99,8 %). Limite connue : ces limites ne
  tiennent pas compte de la surdispersion entre établissements ; avec des volumes de plusieurs milliers de séjours
  (chirurgie ambulatoire), les limites sont très étroites et beaucoup d'établissements en sortent : c'est ce que
  montre le graphique de sensibilité.
- **Périmètre** : il limite les établissements listés, pas le calcul des références. Dans l'adresse : `perimetre=FR`
  (France), `R75` (une région), `D33` (un département) ; les codes de région et de département se recouvrant (75 :
  Nouvelle-Aquitaine et Paris), un code nu est lu comme un département.
- **Établissements examinés** : ceux du périmètre ayant au moins un séjour ; ceux sous le volume minimal restent dans
  la liste, non ciblés, avec leur motif. Chaque ligne donne les effectifs, le taux et son intervalle de Wilson à 95 %,
  les références, les écarts en points, le motif en une phrase et les MSAP déjà **notifiées** lors des campagnes
  précédentes (une liste établie sur les données de l'année N prépare la campagne N + 1 : les campagnes des années
  ≤ N comptent), pour le même geste ou pour toute la campagne.
- **Sensibilité** : nombre d'établissements ciblés quand l'écart varie de 0 à 20 points (ou jusqu'à l'écart choisi
  s'il est plus grand), ou quand le niveau du funnel varie de 80 % à 99,9 %, les autres paramètres étant fixés.
- **Règle par défaut sur le profil d'un établissement** : méthode « écart », 10 points, au moins 30 séjours, tous âges,
  appliquée **geste par geste** (PTG, PTH, LCA, coiffe ; chaque groupe de gestes pour l'ambulatoire), comme les
  décisions MSAP : un taux atypique sur un geste ne doit pas se diluer dans la somme des gestes.

## Secret statistique
Aucun effectif de 1 à 10 (patients ou séjours) n'est montré à un public extérieur à l'Assurance Maladie, ni son
complément (les séjours sans SSR, ou non ambulatoires, quand on connaît les séjours et ceux suivis de SSR), ni un
taux calculé sur l'un d'eux. Comme ce public voit beaucoup de tableaux (chaque geste et « les 4 gestes », chaque
tranche d'âge et « tous âges », France, régions, départements, établissements, la carte, les listes MSAP, les profils)
et peut soustraire l'un de l'autre, le masquage est décidé **une fois pour toutes les vues d'une année**, et non
tableau par tableau.

Dans Atlas GDR, ces règles s'appliquent en **mode présentation** (interrupteur de l'en-tête, ou `presentation=oui`
dans l'adresse ; toujours actif pour le rôle IRAPS), sur le serveur, à chaque chiffre produit : tableaux, cartes,
infobulles, graphiques, exports et PDF.
- **Ce qui est publié** : la France et les régions pour chaque geste et chaque tranche d'âge ; les départements et les
  établissements pour chaque geste, tous âges confondus ; pas de détail par statut (le filtre de statut et les tranches
  d'âge d'un département ne sont pas proposés en présentation : un message le dit).
- **Masquage primaire** : une ligne (territoire ou établissement) dont les séjours suivis de SSR, ou les séjours sans
  SSR, vont de 1 à 10 est masquée entière : séjours et séjours SSR affichent « masqué », le taux « secret
  statistique ». 0 reste affiché ; le nombre d'établissements n'est jamais masqué.
- **Masquage secondaire** : d'autres lignes sont masquées avec elles, choisies pour que, quelle que soit la
  combinaison de chiffres publiés que l'on additionne ou soustrait, aucun chiffre masqué ne puisse être retrouvé
  exactement, et qu'un effectif de 1 à 10 ne puisse être encadré à moins de 5 près. La méthode est celle des
  **hypercubes** (utilisée par τ-ARGUS) : pour chaque case sensible, on masque un « cube » de cases (par exemple deux
  établissements × deux gestes) dont on pourrait déplacer les effectifs sans changer aucun total publié ; on choisit
  les cubes qui masquent le moins de séjours, et de préférence au niveau le plus fin.
- Au-dessus de chaque tableau et dans la légende de la carte, le nombre de lignes masquées et la raison : « de 1 à
  10 » (séjours suivis de SSR, ou séjours, de 1 à 10), « par complément de 1 à 10 » (séjours sans SSR de 1 à 10),
  « secondaires » (masquées pour protéger les précédentes).
- Sur /msap, un établissement dont les chiffres ou le taux de référence sont masqués est « non évalué » : ni le volume
  minimal ni l'écart ne lui sont appliqués, quel que soit le réglage (sinon, faire varier un seuil révélerait son
  chiffre).
- **Anonymisation** (option `anonyme=oui`, toujours active pour le rôle IRAPS) : les établissements deviennent
  « Établissement A, B, … », lettres tirées au hasard pour la session ; ni numéro FINESS, ni nom, ni commune ; les
  points sont placés au département ; la capacité en grandes classes.
- Les indicateurs du profil d'un établissement SSR qui comptent des séjours ou des patients (réhospitalisations…)
  suivent la même méthode sur ce que les profils en publient (l'établissement, sa région, la France) ; la colonne
  « Comparables » de ces indicateurs n'est pas publiée en présentation (ces groupes croisent les régions).
"""


def layout(**_query):
    return dcc.Markdown(TEXT, className="prose")
