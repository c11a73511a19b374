import dash
from dash import dcc, html

from components.navigation import visible_pages

dash.register_page(__name__, path="/", name="Accueil", title="Atlas GDR — accueil", nav_order=0)


def _card(title: str, text: str, href: str) -> html.Div:
    return html.Div([html.H2(dcc.Link(title, href=href)), html.P(text)], className="card")


def layout(**_query):
    pages = [p for p in visible_pages() if p.get("nav_order") and p.get("description")]
    return html.Div(
        [
            html.H1("Atlas GDR"),
            html.P(
                "Tableaux de bord de la gestion du risque hospitalière : recours au SSR après chirurgie "
                "orthopédique, ciblage des mises sous accord préalable (MSAP), suivi des contrats CAQES "
                "et profil de chaque établissement pour préparer un entretien confraternel.",
                className="lead",
            ),
            html.Div([_card(p["name"], p["description"], p["relative_path"])
                      for p in sorted(pages, key=lambda p: p["nav_order"])], className="cards"),
        ]
    )
