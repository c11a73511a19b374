"""/etablissement/<finess>: Dash wiring of the profile a médecin-conseil brings to a confraternal
interview. What the profile shows comes from services.profile (the PDF route uses it too, so the
PDF shows the same figures as the page); the sections are components.profile."""
from __future__ import annotations

from dash import Input, Output, State, callback, no_update

from components import profile as ui
from components.address import address, write_address_callback
from components.profile_charts import locator_svg
from data_access.cache import cached
from pages.ids import Etablissement as ids
from security import audit
from security.presentation import current_mode
from services import profile as service


def _locator_svg(url: str, finess: str, anonymised: bool = False) -> str:
    """The locator's SVG (département outline and point; anonymised, the département's point),
    cached per establishment."""
    loc = service.locator(finess, anonymised)
    return locator_svg(loc.lat, loc.lon, loc.departement)


def _address(year: int, gesture: str | None, default: str | None) -> dict:
    return address(service.PATH, service.query_string(year, gesture, default))


PARTS = ("content_hidden", "not_found_hidden", "not_found", "header", "top", "funnel_hidden", "gestures", "gesture",
         "default_gesture", "funnel", "funnel_key", "bottom", "address")


def profile_parts(store: dict | None, annee=None, geste=None, mode: str = "image", year_chosen: bool = False) -> dict:
    """The whole profile (a dict keyed by PARTS): what the page's layout draws when the profile
    opens (the address's year and gesture, no callback) and what `render_profile` answers when the
    user picks another year (`year_chosen`: that year, the gesture shown kept where it has data)."""
    store = store or {}
    from_address = not year_chosen or annee is None
    view = service.parse_view({"finess": store.get("finess") or store.get("raw"),
                               "annee": store.get("annee") if from_address else annee, "geste": store.get("geste")})
    p = service.load(view)
    if p is None:
        return {**dict.fromkeys(PARTS, no_update), "content_hidden": True, "not_found_hidden": False,
                "not_found": ui.not_found(store.get("raw") or store.get("finess"))}
    finess = p.info["finess"]
    audit.log_event("profil_consulte", target=finess,
                    detail=f"année {p.year}" + (" · mode présentation" if current_mode().masked else ""))
    gesture = service.default_gesture(p, geste if year_chosen else view.geste)
    default = service.default_gesture(p, None)
    # The funnel comes with the profile (no second round trip); render_funnel redraws it on a gesture change.
    funnel = _funnel_view(finess, p.year, gesture, mode) if gesture else None
    return {"content_hidden": False, "not_found_hidden": True, "not_found": None,
            "header": ui.header_block(p.shown, p.subtitle, p.notices, p.pdf_href),
            "top": ui.top_block(p, cached(_locator_svg, finess, current_mode().anonymised)), "funnel_hidden": not p.recourse_rows,
            "gestures": service.gesture_options(p), "gesture": gesture, "default_gesture": default,
            "funnel": funnel, "funnel_key": [p.public_id, p.year, gesture, mode], "bottom": ui.bottom_block(p),
            "address": _address(p.year, gesture, default)}


@callback(
    output={"content_hidden": Output(ids.CONTENT, "hidden"), "not_found_hidden": Output(ids.NOT_FOUND, "hidden"),
            "not_found": Output(ids.NOT_FOUND, "children"), "header": Output(ids.HEADER, "children"),
            "top": Output(ids.TOP, "children"), "funnel_hidden": Output(ids.FUNNEL_BLOCK, "hidden"),
            "gestures": Output(ids.FUNNEL_GESTE, "options"), "gesture": Output(ids.FUNNEL_GESTE, "value"),
            "default_gesture": Output(ids.FUNNEL_DEFAULT, "data"), "funnel": Output(ids.FUNNEL, "children"),
            "funnel_key": Output(ids.FUNNEL_KEY, "data"), "bottom": Output(ids.BOTTOM, "children"),
            "address": Output(ids.ADDRESS, "data")},
    inputs={"annee": Input(ids.ANNEE, "value")},
    state={"store": State(ids.FINESS, "data"), "geste": State(ids.FUNNEL_GESTE, "value"),
           "mode": State(ids.FUNNEL_MODE, "value")},
    prevent_initial_call=True,
)
def render_profile(annee, store, geste, mode):
    """Another year chosen: the whole profile in one response (few outputs, few components: Dash's
    renderer cost grows with both). Opening the profile costs no callback: the layout draws it."""
    return profile_parts(store, annee, geste, mode, year_chosen=True)


def _funnel_view(finess: str, year: int, gesture: str, mode: str) -> list:
    funnel = service.funnel(finess, year, gesture)
    names = service.funnel_names() if mode == "interactif" and not funnel.hidden else None
    return ui.funnel_view(funnel, mode, names)


@callback(
    output={"funnel": Output(ids.FUNNEL, "children", allow_duplicate=True),
            "key": Output(ids.FUNNEL_KEY, "data", allow_duplicate=True),
            "address": Output(ids.ADDRESS, "data", allow_duplicate=True)},
    inputs={"gesture": Input(ids.FUNNEL_GESTE, "value"), "mode": Input(ids.FUNNEL_MODE, "value")},
    state={"annee": State(ids.ANNEE, "value"), "store": State(ids.FINESS, "data"),
           "shown": State(ids.FUNNEL_KEY, "data"), "default": State(ids.FUNNEL_DEFAULT, "data")},
    prevent_initial_call=True,
)
def render_funnel(gesture, mode, annee, store, shown, default):
    """A gesture or display chosen by the user; nothing to do when render_profile has just drawn it."""
    store = store or {}
    finess = service.resolve_finess(store.get("finess") or store.get("raw"))
    key = [service.public_id(finess) if finess else None, int(annee) if annee else None, gesture, mode]
    if not gesture or not annee or not finess or shown == key:
        return {"funnel": no_update, "key": no_update, "address": no_update}
    return {"funnel": _funnel_view(finess, int(annee), gesture, mode), "key": key,
            "address": _address(int(annee), gesture, default)}


# The address follows the year and the funnel's gesture (no new history entry).
write_address_callback(ids.ADDRESS, ids.URL_SYNC)
