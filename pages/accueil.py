import dash
from dash import dcc, html

from components import actions as actions_view
from components.navigation import visible_pages
from services import accueil as service

dash.register_page(__name__, path="/", name="Accueil", title="Atlas GDR — accueil", nav_order=0)


def _headline(h: service.Headline) -> html.Div:
    return html.Div([html.H2(dcc.Link(h.title, href=h.href), className="headline-title"),
                     html.P(h.value, className="headline-value"),
                     html.P(h.detail, className="headline-detail")], className="card headline")


def _campaigns(funnels) -> list:
    if funnels is None:
        return []
    if not funnels:
        body = [html.P(["Aucune campagne en cours. ", dcc.Link("Suivi des actions", href="/actions"), " : créez-en "
                        "une depuis le ciblage MSAP ou importez votre historique."], className="figure-count")]
    else:
        body = [html.Div([actions_view.campaign_card(f, heading_level="h3", grid=False) for f in funnels],
                         className="home-campaigns")]
    return [html.Section([html.H2(dcc.Link("Campagnes en cours", href="/actions"))] + body,
                         className="home-section", **{"aria-label": "Campagnes en cours"})]


def _last_import() -> html.Section:
    last = service.last_import()
    text = ([html.Strong(last.label), f", le {last.when}"] + ([f" ({last.detail})"] if last.detail else [])
            if last else ["Aucun import pour l'instant."])
    return html.Section([html.H2(dcc.Link("Dernier import", href="/donnees")), html.P(text)],
                        className="home-section")


def layout(**_query):
    pages = [p for p in visible_pages() if p.get("nav_order") and p.get("description")]
    return html.Div(
        [
            html.H1("Atlas GDR — tableau de bord"),
            html.P(
                "Tableaux de bord de la gestion du risque hospitalière : recours au SSR après chirurgie "
                "orthopédique, ciblage des mises sous accord préalable (MSAP), suivi des contrats CAQES "
                "et profil de chaque établissement pour préparer un entretien confraternel.",
                className="lead",
            ),
            html.Section(html.Div([_headline(h) for h in service.headlines()], className="headlines"),
                         **{"aria-label": "Chiffres clés"}),
            *_campaigns(service.campaigns_in_progress()),
            _last_import(),
            html.H2("Les vues"),
            html.Div([html.Div([html.H3(dcc.Link(p["name"], href=p["relative_path"])), html.P(p["description"])],
                               className="card") for p in sorted(pages, key=lambda p: p["nav_order"])],
                     className="cards"),
        ]
    )
