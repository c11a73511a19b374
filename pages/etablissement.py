import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.profile import normalise_finess
from components.profile import not_found
from pages.ids import ActionsProfile
from pages.ids import Etablissement as ids


def _title(finess=None, **_):
    return f"Atlas GDR — établissement {str(finess or '')[:20]}"


dash.register_page(__name__, path_template="/etablissement/<finess>", name="Profil d'établissement",
                   title=_title, description="Profil d'un établissement pour l'entretien confraternel.")


def layout(finess=None, annee=None, geste=None, **_query):
    # Everything that needs the database is filled by callbacks/etablissement.py (one callback
    # renders the profile's sections); a malformed FINESS shows the "introuvable" block at once.
    code = normalise_finess(finess)
    store = {"finess": code, "raw": str(finess or "")[:40], "annee": annee if isinstance(annee, str) else None,
             "geste": geste if isinstance(geste, str) else None}
    return html.Div([
        dcc.Store(id=ids.FINESS, data=store),
        dcc.Store(id=ids.FUNNEL_DEFAULT),
        dcc.Store(id=ids.FUNNEL_KEY),
        html.Div(id=ids.URL_SYNC, hidden=True),
        html.Div(not_found(finess) if code is None else None, id=ids.NOT_FOUND, hidden=code is not None),
        html.Div([
            html.Div(html.H1(f"Établissement {code or ''}"), id=ids.HEADER),
            html.Fieldset([html.Legend("Année"),
                           dbc.RadioItems(id=ids.ANNEE, options=[], value=None, inline=True, className="segmented",
                                          label_checked_class_name="seg-checked")],
                          className="control no-print"),
            html.Div(id=ids.TOP),
            html.Section([
                html.H2("Position dans l'entonnoir (funnel plot)"),
                html.Div([
                    html.Fieldset([html.Legend("Geste"),
                                   dbc.RadioItems(id=ids.FUNNEL_GESTE, options=[], value=None, inline=True,
                                                  className="segmented", label_checked_class_name="seg-checked")],
                                  className="control"),
                    html.Fieldset([html.Legend("Affichage"),
                                   dbc.RadioItems(id=ids.FUNNEL_MODE, value="image", inline=True, className="segmented",
                                                  label_checked_class_name="seg-checked",
                                                  options=[{"label": "Image", "value": "image"},
                                                           {"label": "Interactif (survol des points)",
                                                            "value": "interactif"}])],
                                  className="control"),
                ], className="controls no-print"),
                # an SVG image by default (no plotly.js to load); the interactive plot on demand
                html.Div(id=ids.FUNNEL),
            ], id=ids.FUNNEL_BLOCK, className="profile-section funnel-section", hidden=True),
            html.Div(id=ids.BOTTOM),
            html.Div(id=ActionsProfile.CONTAINER),  # action follow-up (callbacks/actions.py)
        ], id=ids.CONTENT, hidden=code is None),
    ], className="profile-page")
