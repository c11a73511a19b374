"""Name material for the demo data set (data_access.demo): plausible, fictitious French
establishment names. Only the CHU list points at real cities (a CHU sits where one does)."""
from __future__ import annotations

# (département, commune name) of the university and regional hospitals, with the name
# they are known by when it is not "CHU de <commune>".
CHU_COMMUNES: dict[tuple[str, str], str | None] = {
    ("80", "Amiens"): None, ("49", "Angers"): None, ("25", "Besançon"): None, ("33", "Bordeaux"): None,
    ("29", "Brest"): None, ("14", "Caen"): None, ("63", "Clermont-Ferrand"): None, ("21", "Dijon"): None,
    ("38", "Grenoble"): "CHU Grenoble Alpes", ("59", "Lille"): None, ("87", "Limoges"): None,
    ("69", "Lyon"): "Hospices civils de Lyon", ("13", "Marseille"): "Assistance publique – Hôpitaux de Marseille",
    ("34", "Montpellier"): None, ("54", "Nancy"): None, ("44", "Nantes"): None, ("06", "Nice"): None,
    ("30", "Nîmes"): None, ("45", "Orléans"): None, ("75", "Paris"): "Assistance publique – Hôpitaux de Paris",
    ("86", "Poitiers"): None, ("51", "Reims"): None, ("35", "Rennes"): None, ("76", "Rouen"): None,
    ("42", "Saint-Étienne"): None, ("67", "Strasbourg"): "Hôpitaux universitaires de Strasbourg",
    ("31", "Toulouse"): None, ("37", "Tours"): None, ("57", "Metz"): "CHR de Metz-Thionville",
    ("971", "Pointe-à-Pitre"): "CHU de la Guadeloupe", ("972", "Fort-de-France"): "CHU de la Martinique",
    ("974", "Saint-Denis"): "CHU de La Réunion",
}

# Where the département's main hospital is when it is not in its most populated commune
# (Mayotte's communes have no population in the source).
MAIN_COMMUNES: dict[str, str] = {"976": "Mamoudzou", "973": "Cayenne"}

SAINTS = (
    "Saint-Joseph", "Saint-Martin", "Sainte-Marie", "Saint-Jean", "Saint-Louis", "Saint-Vincent",
    "Saint-Roch", "Sainte-Anne", "Saint-Michel", "Saint-Pierre", "Saint-Augustin", "Saint-François",
    "Sainte-Thérèse", "Saint-Luc", "Saint-Côme", "Saint-Georges", "Sainte-Catherine", "Saint-Charles",
    "Saint-Antoine", "Sainte-Famille", "Saint-Paul", "Saint-Jacques", "Sainte-Odile", "Saint-Hilaire",
    "Notre-Dame", "Sainte-Clotilde", "Saint-Benoît", "Sainte-Élisabeth", "Saint-Gatien", "Saint-Grégoire",
    "Sainte-Geneviève", "Saint-Damien", "Saint-Rémi", "Sainte-Claire", "Saint-Laurent", "Saint-Christophe",
)

# With their article, ready for "Clinique du Parc", "Polyclinique des Cèdres".
PLACES = (
    "du Parc", "des Cèdres", "des Tilleuls", "du Château", "de la Roseraie", "des Lilas", "du Val",
    "de l'Europe", "du Lac", "de la Source", "des Peupliers", "du Mail", "des Sources", "de l'Espérance",
    "du Pont", "de la Plaine", "des Jardins", "de la Colline", "du Bois", "des Chênes", "des Pins",
    "des Acacias", "de la Forêt", "des Marronniers", "du Littoral", "du Moulin", "des Vignes",
    "de l'Étang", "du Belvédère", "des Platanes", "de la Vallée", "du Grand Large", "des Ormeaux",
    "de l'Orangerie", "du Coteau", "des Charmilles", "de la Pinède", "du Cap", "des Remparts", "de l'Ermitage",
)

# Standalone residence-like names: "SSR Les Tilleuls".
NATURE = (
    "Les Tilleuls", "Les Cèdres", "Les Glycines", "Les Pins", "Le Belvédère", "Les Oliviers",
    "La Châtaigneraie", "Les Charmilles", "Le Clos Fleuri", "La Pinède", "Les Hirondelles", "Les Genêts",
    "Les Bruyères", "Le Val Joli", "Les Mimosas", "La Roseraie", "Les Lauriers", "Les Capucines",
    "Le Haut Bois", "Les Rives", "Les Sorbiers", "La Clairière", "Les Embruns", "Le Mont Blanc",
    "Les Feuillantines", "La Maison Blanche", "Les Magnolias", "Le Clos Saint-Vincent", "Les Bleuets",
    "Les Alizés", "Bel Air", "Beauséjour", "Bellevue", "Les Terrasses", "Le Verger", "Les Iris",
)

PERSONS = (
    "Ambroise Paré", "Louis Pasteur", "Claude Bernard", "Marie Curie", "Jean Jaurès", "Victor Hugo",
    "René Laennec", "Xavier Bichat", "Henri Mondor", "Charles Nicolle", "Simone Veil", "Albert Schweitzer",
    "Jean Moulin", "Émile Roux", "Paul Broca", "Alexis Carrel", "Jules Verne", "Georges Clemenceau",
    "Pierre Paul Riquet", "Robert Debré", "Antoine Béclère", "Jean Rostand", "Geneviève de Gaulle",
    "Lucie Aubrac", "Joseph Lister", "Hippolyte Bernheim", "Pierre Oudot", "Jacques Monod", "Paul Valéry",
    "Lucien Hussel", "Raymond Poincaré", "Émile Zola", "François Rabelais", "Léon Bérard", "Georges Pompidou",
)

FALLBACK = "site"  # "… – site 2" when a name is taken even with its commune
