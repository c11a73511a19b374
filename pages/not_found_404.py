"""What Dash's router shows for an address that is no page (Dash looks this module up by name).

Over HTTP an unknown address never reaches the shell (security.errors answers a French 404);
this covers a navigation inside the app to an address that does not exist."""
import dash
from dash import dcc, html

dash.register_page(__name__, name="Page introuvable", title="Atlas GDR — page introuvable")


def layout(**_query):
    return html.Div([html.H1("Page introuvable"),
                     html.P("Cette adresse ne correspond à aucune page d'Atlas GDR."),
                     dcc.Link("Retour à l'accueil", href="/")], className="not-found")
