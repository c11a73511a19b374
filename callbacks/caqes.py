"""CAQES progress view: URL state, headline figures, map (patched, geometry sent once per level),
indicators' distribution, establishments; the data behind the grid and /export/caqes.csv."""
from __future__ import annotations

from dataclasses import asdict, replace

import pandas as pd
from dash import ALL, Input, Output, Patch, State, callback, clientside_callback, ctx, html, no_update
from flask import g, has_request_context

from analytics import caqes as model
from components import caqes as ui
from components import france_map
from text.format import NBSP, fmt_int
from data_access import caqes as caqes_data
from data_access import territories
from data_access.cache import cached
from pages.ids import Caqes as ids
from security.presentation import anonymous_names, current_mode

MAP_SIZE = (660, 500)  # px: the map panel at 1280 px wide, as on /ssr
CONTROLS = [ids.ANNEE, ids.VOLET, ids.INDICATEUR, ids.NIVEAU, ids.PERIMETRE]


# ---------------------------------------------------------------------------
# Data (cached per data version)
# ---------------------------------------------------------------------------
def _geo_names() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(region names, département names, département -> region)."""
    regs = cached(territories.regions)
    deps = cached(territories.departements)
    return dict(zip(regs["code"], regs["name"])), dict(zip(deps["code"], deps["name"])), \
        dict(zip(deps["code"], deps["region_code"]))


def _evaluated_year(url: str, year: int) -> pd.DataFrame:
    """Every result of a year with attainment, status and incentive (analytics.caqes.evaluate)."""
    return model.evaluate(caqes_data.year_results(url, year))


def _years() -> list[int]:
    return cached(caqes_data.years)


def _available(year: int) -> pd.DataFrame:
    return cached(caqes_data.available, int(year))


def view_from_query(query: dict[str, str]) -> tuple[model.CaqesView, list[str]]:
    regs, deps, _ = _geo_names()
    return model.parse_view(query, _years(), cached(caqes_data.catalogue), _available, regs, deps)


def _evaluated(year: int) -> pd.DataFrame:
    """The year's evaluated results, unpickled from the cache once per request (a callback
    selects from them several times)."""
    memo = g.setdefault("caqes_evaluated", {}) if has_request_context() else {}
    if year not in memo:
        memo[year] = cached(_evaluated_year, int(year))
    return memo[year]


def selection(view: model.CaqesView, year: int | None = None) -> pd.DataFrame:
    """The evaluated results of the view (one row per establishment × indicator) for its year
    or `year`: the one source of the grid, the headline, the map and /export/caqes.csv."""
    year = view.annee if year is None else year
    if year is None or year not in _years():
        return model.select(model.evaluate(_empty()), view)
    return model.select(_evaluated(int(year)), view)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c in ("baseline", "target", "achieved", "savings_eur",
                                                           "incentive_rate", "weight") else object)
                         for c in caqes_data.YEAR_COLUMNS})


def establishment_table(view: model.CaqesView) -> pd.DataFrame:
    """The establishments of the view with their score, statuses, incentive and score change since
    the year before (same volet, indicator and perimeter)."""
    current = model.establishment_table(selection(view))
    previous = model.establishment_table(selection(view, view.annee - 1)) if view.annee else current.iloc[0:0]
    return model.with_change(current, previous)


def establishment_rows(view: model.CaqesView) -> list[dict]:
    """The rows of the establishments grid (the data behind the table). CAQES figures are indicator
    values, results and euros, not counts of stays or patients: the presentation mode leaves them
    as they are, and only anonymises (letters for names, no FINESS)."""
    _regs, deps, _ = _geo_names()
    return ui.establishment_rows(establishment_table(view), view.annee, deps, anonymous_names())


def export_rows(view: model.CaqesView) -> list[dict]:
    """/export/caqes.csv: one row per establishment × indicator of the view (same selection as the
    grid); anonymised, no FINESS and 'Établissement K' for the name."""
    rows = model.result_rows(selection(view), view.annee) if view.annee else []
    names = anonymous_names()
    if names is not None:
        rows = [dict(r, finess="", raison_sociale=names.get(r["finess"], ("", "Établissement ?"))[1]) for r in rows]
        rows.sort(key=lambda r: (len(r["raison_sociale"]), r["raison_sociale"]))
    return rows


# ---------------------------------------------------------------------------
# The view: from the address, the controls and the clicks
# ---------------------------------------------------------------------------
def _perimeter_options(regs: dict[str, str], deps: dict[str, str]) -> list[dict]:
    return ([{"label": "France entière", "value": model.FRANCE}]
            + [{"label": f"Région — {name}", "value": f"R{code}"} for code, name in regs.items()]
            + [{"label": f"{code} — {name}", "value": f"D{code}"} for code, name in deps.items()])


def _volet_options(available: pd.DataFrame) -> list[dict]:
    parts = list(dict.fromkeys(available["part"]))
    return [{"label": "Tous", "value": model.ALL}] + [{"label": model.part_label(p), "value": p} for p in parts]


def _control_state(view: model.CaqesView) -> tuple[list, list]:
    """(options of annee, volet, indicateur, perimetre; values of the CONTROLS) for a view."""
    regs, deps, _ = _geo_names()
    available = _available(view.annee) if view.annee else pd.DataFrame({"code": [], "label": [], "part": [],
                                                                          "scope": []})
    options = [[{"label": str(y), "value": y} for y in _years()], _volet_options(available),
               ui.indicator_options(available, view.volet), _perimeter_options(regs, deps)]
    return options, [view.annee, view.volet, view.indicateur, view.niveau, view.perimetre]


def _notice(notices: list[str]):
    return html.Div([html.P(n) for n in notices], className="notice") if notices else None


@callback(
    Output(ids.VIEW, "data"), Output(ids.NOTICES, "children"),
    Output(ids.ANNEE, "options"), Output(ids.VOLET, "options"), Output(ids.INDICATEUR, "options"),
    Output(ids.PERIMETRE, "options"),
    *[Output(c, "value") for c in CONTROLS],
    Input(ids.QUERY, "data"), *[Input(c, "value") for c in CONTROLS],
    Input(ids.MAP, "clickData"), Input(ids.TERRITORIES, "cellClicked"),
    Input({"type": ids.CRUMB, "code": ALL}, "n_clicks"),
    State(ids.VIEW, "data"),
)
def sync_view(query, annee, volet, indicateur, niveau, perimetre, click, cell, _crumbs, current):
    """The one place the view changes: from the address on load, then from controls and clicks."""
    unchanged = (no_update,) * (6 + len(CONTROLS))
    if current is None or ctx.triggered_id == ids.QUERY:
        view, notices = view_from_query(query or {})
        options, values = _control_state(view)
        return asdict(view), _notice(notices), *options, *values
    view = model.CaqesView(**current)
    trigger = ctx.triggered_id
    notices: list[str] = []
    if trigger in (ids.MAP, ids.TERRITORIES):
        # a territory clicked on the map, or a row of the table beside it (keyboard friendly)
        code = (click or {}).get("points", [{}])[0].get("location") if trigger == ids.MAP else (cell or {}).get("rowId")
        if not code:
            return unchanged
        view = model.drill(view, code, model.map_level(view))
    elif isinstance(trigger, dict) and trigger.get("type") == ids.CRUMB:
        if not ctx.triggered[0]["value"]:
            return unchanged
        view = model.with_perimeter(view, trigger["code"] or model.FRANCE)
    else:
        try:
            year = int(annee) if annee is not None else view.annee
        except (TypeError, ValueError):
            year = view.annee
        view = replace(view, annee=year, volet=volet or model.ALL, indicateur=indicateur or model.ALL)
        if trigger == ids.NIVEAU and niveau in model.LEVELS:
            view = replace(view, perimetre=model.FRANCE, niveau=niveau)  # a map level of France
        elif trigger == ids.PERIMETRE and perimetre and perimetre != view.perimetre:
            view = model.with_perimeter(view, perimetre)
        if view.annee is not None:
            view, notices = model.normalise(view, _available(view.annee))
    if asdict(view) == current and not notices:
        return unchanged
    options, values = _control_state(view)
    return asdict(view), _notice(notices), *options, *values


# The address follows the view: a new perimeter (drill-down, breadcrumb) is a new history entry,
# so the back button steps back through drill-downs; a control change replaces the current entry.
# Dash's router is not told (no re-render); on "back", the router rebuilds the page from the address.
clientside_callback(
    """
    function(view) {
        if (!view || !window.location.pathname.startsWith('/caqes')) { return window.dash_clientside.no_update; }
        const params = new URLSearchParams();
        if (view.annee !== null) { params.set('annee', view.annee); }
        params.set('volet', view.volet); params.set('indicateur', view.indicateur);
        params.set('perimetre', view.perimetre); params.set('niveau', view.niveau);
        const search = '?' + params.toString();
        if (window.location.search === search) { return window.dash_clientside.no_update; }
        const before = new URLSearchParams(window.location.search).get('perimetre') || 'FR';
        const url = window.location.pathname + search;
        if (before !== view.perimetre && window.location.search) {
            window.history.pushState({}, '', url);
        } else {
            window.history.replaceState({}, '', url);
        }
        return search;
    }
    """,
    Output(ids.URL_SYNC, "children"),
    Input(ids.VIEW, "data"),
)

# A row opens the profile's CAQES section (as a dcc.Link would: pushState, then tell Dash's
# router); the name column is a real link, for the keyboard. assets/anchor-scroll.js scrolls to
# the section once the profile has rendered it.
clientside_callback(
    """
    function(cell) {
        if (!cell || !cell.rowId || cell.colId === 'lien') { return window.dash_clientside.no_update; }
        const annee = new URLSearchParams(window.location.search).get('annee');
        const href = '/etablissement/' + encodeURIComponent(cell.rowId) + (annee ? '?annee=' + annee : '')
            + '#""" + ui.PROFILE_ANCHOR + """';
        window.history.pushState({}, '', href);
        window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
        return href;
    }
    """,
    Output(ids.NAVIGATE, "children"),
    Input(ids.TABLE, "cellClicked"),
    prevent_initial_call=True,
)


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------
def _view(data: dict) -> model.CaqesView:
    return model.CaqesView(**data)


def _labels(view: model.CaqesView) -> tuple[str, str | None]:
    """(volet label, indicator label or None)."""
    volet = "tous les volets" if view.volet == model.ALL else model.part_label(view.volet)
    if view.indicateur == model.ALL:
        return volet, None
    cat = cached(caqes_data.catalogue).set_index("code")
    return volet, str(cat["label"].get(view.indicateur, view.indicateur))


def territories_geojson(level: str) -> dict:
    """The level's boundaries with the overseas territories moved into their insets (cached)."""
    return cached(_inset_layer, level)


def _inset_layer(url: str, level: str) -> dict:
    return france_map.inset_geojson(territories.feature_collection(url, level), level).geojson


@callback(Output(ids.MAP, "figure"), Output(ids.FIGURE_KEY, "data"),
          Input(ids.VIEW, "data"), State(ids.FIGURE_KEY, "data"), prevent_initial_call=True)
def render_map(view_data, figure_key):
    """Redraw the geometry only when the level or the region shown change; otherwise patch the
    colours, hover texts, legend and title."""
    view = _view(view_data)
    regs, deps, dep_region = _geo_names()
    level = model.map_level(view)
    path = model.breadcrumb(view, dep_region)
    region = path[0] if path else ""
    one = view.indicateur != model.ALL
    sel = selection(replace(view, perimetre=model.FRANCE))
    if region:
        sel = sel[sel["region_code"] == region]
    table, classification = model.territory_table(sel, level, one)
    names = regs if level == "reg" else deps
    codes = sorted(names) if not region else sorted(d for d, r in dep_region.items() if r == region)
    full = model.with_all_territories(table, codes)
    hover = [ui.hover_text(names[c], r, one) for c, r in zip(codes, full.itertuples())]
    legend = classification.legend_labels(noun="")
    colors = ui.palette(max(classification.k, 1))
    legend_title = (("Atteinte moyenne" if one else "Part atteinte") + f" — classes{NBSP}:<br>"
                    + classification.method_label)
    no_contract = int((full["n_results"] == 0).sum())
    no_value = int(((full["n_results"] > 0) & (full["classe"] == 0)).sum())
    no_data_label = ui.NO_CONTRACT if not no_value else (f"{ui.NO_CONTRACT} ou non mesuré" if no_contract
                                                        else "non mesuré")
    volet_label, indicator_label = _labels(view)
    title = ui.map_title(one, indicator_label, volet_label, view.annee)
    key = {"level": level, "region": region}
    if key == figure_key:
        patch = france_map.patch_colors(Patch(), full["classe"], france_map.stepped_colorscale(colors), hover,
                                        legend_items=legend, legend_title=legend_title, title=title,
                                        no_data_label=no_data_label)
        return patch, no_update
    layer = territories_geojson(level)
    if region:
        layer = {**layer, "features": [f for f in layer["features"] if f["id"] in set(codes)]}
    fig = france_map.choropleth_figure(layer, codes, full["classe"], colors, hover, legend, title,
                                       uirevision=f"{level}-{region}",
                                       frames=[] if region else france_map.inset_frames(level),
                                       legend_title=legend_title, no_data_label=no_data_label, size=MAP_SIZE,
                                       bounds=france_map.geojson_bounds(layer) if region else None)
    return fig, key


@callback(
    Output(ids.HEADLINE, "children"), Output(ids.BREADCRUMB, "children"), Output(ids.EXPORT, "href"),
    Output(ids.TERRITORIES_TITLE, "children"), Output(ids.TERRITORIES, "rowData"),
    Output(ids.TERRITORIES, "columnDefs"),
    Output(ids.TABLE_TITLE, "children"), Output(ids.TABLE, "rowData"), Output(ids.TABLE, "columnDefs"),
    Input(ids.VIEW, "data"), prevent_initial_call=True,
)
def render_tables(view_data):
    view = _view(view_data)
    regs, deps, dep_region = _geo_names()
    path = model.breadcrumb(view, dep_region)
    one = view.indicateur != model.ALL
    sel = selection(view)
    previous_year = view.annee - 1 if view.annee and view.annee - 1 in _years() else None
    prev_sel = selection(view, previous_year) if previous_year else None
    prev = model.headline(prev_sel) if prev_sel is not None else None
    comparable = prev_sel is None or bool(set(prev_sel["indicator"]) & set(sel["indicator"]))
    cards = ui.headline(model.headline(sel), prev, view.annee, (view.annee - 1) if view.annee else None, comparable)

    crumbs = [html.Button("France", id={"type": ids.CRUMB, "code": ""}, className="crumb")]
    for i, code in enumerate(path):
        crumbs += [html.Span("›", className="crumb-sep", **{"aria-hidden": "true"}),
                   html.Button(regs[code] if i == 0 else f"{deps[code]} ({code})",
                               id={"type": ids.CRUMB, "code": ("R" if i == 0 else "D") + code}, className="crumb")]

    level = model.map_level(view)
    region = path[0] if path else None
    terr_sel = selection(replace(view, perimetre=model.FRANCE))
    if region:
        terr_sel = terr_sel[terr_sel["region_code"] == region]
    table, _ = model.territory_table(terr_sel, level, one)
    names = regs if level == "reg" else deps
    terr_title = ("Régions" if level == "reg" else "Départements") + (f" — {regs[region]}" if region else "")

    scope = "France entière" if not path else (regs[path[0]] if len(path) == 1 else f"{deps[path[1]]} ({path[1]})")
    rows = establishment_rows(view)
    table_title = f"Établissements sous contrat — {scope} : {fmt_int(len(rows))}"
    export = "/export/caqes.csv" + view.query_string()
    return (cards, crumbs, export, terr_title, ui.territory_rows(table, names), ui.territory_columns(level, one),
            table_title, rows, ui.establishment_columns(current_mode().anonymised))


@callback(Output(ids.INDICATORS_TITLE, "children"), Output(ids.INDICATORS, "figure"),
          Input(ids.VIEW, "data"), prevent_initial_call=True)
def render_indicators(view_data):
    view = _view(view_data)
    regs, deps, dep_region = _geo_names()
    path = model.breadcrumb(view, dep_region)
    scope = "France entière" if not path else (regs[path[0]] if len(path) == 1 else f"{deps[path[1]]} ({path[1]})")
    dist = model.indicator_distribution(selection(view))
    title = f"Indicateurs {view.annee} — atteinte par établissement — {scope}"
    return title, ui.indicator_figure(dist)
