import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.profile import normalise_finess
from components.profile import not_found
from pages.ids import Etablissement as ids
from services.profile import parse_view


def _title(finess=None, **_):
    return f"Atlas GDR — établissement {str(finess or '')[:20]}"


dash.register_page(__name__, path_template="/etablissement/<finess>", name="Profil d'établissement",
                   title=_title, description="Profil d'un établissement pour l'entretien confraternel.")


def layout(finess=None, annee=None, geste=None, **_query):
    # The address's view (services.profile.parse_view) sets the year selector; the profile's
    # sections are rendered by one callback (callbacks/etablissement.py). A malformed FINESS (or an
    # anonymised code that names none) shows the "introuvable" block at once.
    view = parse_view({"finess": finess, "annee": annee, "geste": geste})
    # the store holds what the address says, never the FINESS an anonymised code stands for
    store = {"finess": normalise_finess(finess), "raw": view.raw, "annee": annee if isinstance(annee, str) else None,
             "geste": geste if isinstance(geste, str) else None}
    found = view.finess is not None
    return html.Div([
        dcc.Store(id=ids.FINESS, data=store),
        dcc.Store(id=ids.FUNNEL_DEFAULT),
        dcc.Store(id=ids.FUNNEL_KEY),
        dcc.Store(id=ids.ADDRESS),
        html.Div(id=ids.URL_SYNC, hidden=True),
        html.Div(None if found else not_found(finess), id=ids.NOT_FOUND, hidden=found),
        html.Div([
            html.Div(html.H1(f"Établissement {view.public_id}"), id=ids.HEADER),
            html.Fieldset([html.Legend("Année"),
                           dbc.RadioItems(id=ids.ANNEE, options=[{"label": str(y), "value": y} for y in view.years],
                                          value=view.year, inline=True, className="segmented",
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
        ], id=ids.CONTENT, hidden=not found),
    ], className="profile-page")
