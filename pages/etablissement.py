import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash._no_update import NoUpdate

from analytics.profile import normalise_finess
from callbacks.actions import profile_actions
from callbacks.etablissement import profile_parts
from pages.ids import ActionsProfile
from pages.ids import Etablissement as ids
from services.profile import parse_view


def _title(finess=None, **_):
    return f"Atlas GDR — établissement {str(finess or '')[:20]}"


dash.register_page(__name__, path_template="/etablissement/<finess>", name="Profil d'établissement",
                   title=_title, description="Profil d'un établissement pour l'entretien confraternel.")


def _given(value, default):
    return default if isinstance(value, NoUpdate) else value


def layout(finess=None, annee=None, geste=None, **_query):
    # The whole profile is drawn here, for the address's year and gesture, with the same
    # `profile_parts` that redraws it when another year is picked (callbacks/etablissement.py):
    # opening a profile is one request, the page's. A malformed FINESS (or an anonymised code that
    # names none) shows the "introuvable" block.
    view = parse_view({"finess": finess, "annee": annee, "geste": geste})
    # the store holds what the address says, never the FINESS an anonymised code stands for
    store = {"finess": normalise_finess(finess), "raw": view.raw, "annee": annee if isinstance(annee, str) else None,
             "geste": geste if isinstance(geste, str) else None}
    parts = profile_parts(store)
    found = not parts["content_hidden"]
    return html.Div([
        dcc.Store(id=ids.FINESS, data=store),
        dcc.Store(id=ids.FUNNEL_DEFAULT, data=_given(parts["default_gesture"], None)),
        dcc.Store(id=ids.FUNNEL_KEY, data=_given(parts["funnel_key"], None)),
        dcc.Store(id=ids.ADDRESS, data=_given(parts["address"], None)),  # written clientside (components.address)
        html.Div(id=ids.URL_SYNC, hidden=True),
        html.Div(parts["not_found"], id=ids.NOT_FOUND, hidden=found),
        html.Div([
            html.Div(_given(parts["header"], html.H1(f"Établissement {view.public_id}")), id=ids.HEADER),
            html.Fieldset([html.Legend("Année"),
                           dbc.RadioItems(id=ids.ANNEE, options=[{"label": str(y), "value": y} for y in view.years],
                                          value=view.year, inline=True, className="segmented",
                                          label_checked_class_name="seg-checked")],
                          className="control no-print"),
            html.Div(_given(parts["top"], None), id=ids.TOP),
            html.Section([
                html.H2("Position dans l'entonnoir (funnel plot)"),
                html.Div([
                    html.Fieldset([html.Legend("Geste"),
                                   dbc.RadioItems(id=ids.FUNNEL_GESTE, options=_given(parts["gestures"], []),
                                                  value=_given(parts["gesture"], None), inline=True,
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
                html.Div(_given(parts["funnel"], None), id=ids.FUNNEL),
            ], id=ids.FUNNEL_BLOCK, className="profile-section funnel-section",
                hidden=_given(parts["funnel_hidden"], True)),
            html.Div(_given(parts["bottom"], None), id=ids.BOTTOM),
            # action follow-up (callbacks/actions.py)
            html.Div(profile_actions(store) if found else None, id=ActionsProfile.CONTAINER),
        ], id=ids.CONTENT, hidden=not found),
    ], className="profile-page")
