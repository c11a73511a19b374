import dash
from dash import html

from pages.ids import Donnees as ids

dash.register_page(__name__, path="/donnees", name="Données", title="Atlas GDR — données",
                   nav_order=90, description="Jeux de données chargés, volumes et historique des imports.")


def layout(**_query):
    return html.Div(
        [
            html.H1("Données"),
            html.P(id=ids.SUMMARY, className="lead"),
            html.H2("Jeux de données chargés"),
            html.Div(id=ids.DATASETS),
            html.H2("Historique des imports"),
            html.Div(id=ids.HISTORY),
        ]
    )
