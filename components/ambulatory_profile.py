"""The profile's "Chirurgie ambulatoire" section (page and PDF) from services.ambulatoire.AmbulatorySection:
one row for the 55 marker procedures together (with the regional target and the gap to it), then
one per procedure the establishment performed; Votre établissement / Région / France / Comparables
with their Wilson intervals, the position in the procedure's funnel; the MSAP AMBU verdict."""
from __future__ import annotations

from dash import html

SECTION_ID = "etab-ambu-section"  # services.ambulatoire.PROFILE_ANCHOR: /ambulatoire's rows open it
HEADINGS = ("Geste marqueur", "Votre établissement", "Région", "France", "Comparables", "Entonnoir", "Cible")


def lines_cell(*args, **kwargs):
    # components.profile imports this module for its bottom block: its cell builder is read late
    from components.profile import lines_cell as cell

    return cell(*args, **kwargs)


def _ref(cells: dict, key: str):
    rate, basis = cells[key]
    return lines_cell([rate, f"({basis})", f"IC {cells[key + '_ci']}"], className="num")


def _row(r, total: bool = False):
    c = r.cells
    label = [r.label] + ([r.number] if r.number else [])
    target = [c["target"], c["gap"]] if total else ["–"]
    return html.Tr([
        lines_cell(label, header=True, scope="row"),
        lines_cell([c["own"][0], f"({c['own'][1]} séjours)", f"IC {c['ci']}"], className="num"),
        _ref(c, "region"), _ref(c, "france"), _ref(c, "comparables"),
        lines_cell([c["funnel"][0], f"limites 99,8 % : {c['funnel'][1]}"], header=True, className="plain"),
        lines_cell(target, className="num"),
    ])


def section(s, comparables_text: str = "") -> html.Section:
    """The page's section; `s` is None for an establishment without ambulatory stays that year."""
    if s is None:
        return html.Section([html.H2("Chirurgie ambulatoire"),
                             html.P("Aucun séjour de chirurgie ambulatoire des gestes marqueurs cette année.")],
                            className="profile-section", id=SECTION_ID)
    rows = ([_row(s.total, total=True)] if s.total is not None else []) + [_row(r) for r in s.rows]
    table = html.Table([
        html.Caption(f"Taux de chirurgie ambulatoire {s.year} (séjours ambulatoires / séjours), par geste marqueur "
                     "pratiqué ; entonnoir : limites autour du taux national du geste"),
        html.Thead(html.Tr([html.Th(h, scope="col") for h in HEADINGS])), html.Tbody(rows)],
        className="profile-table", id="etab-ambu-table")
    children = [html.H2("Chirurgie ambulatoire"), html.P(s.target_text, className="lead")]
    if s.verdict:
        children.append(html.P([html.Strong("Règle MSAP AMBU par défaut : "), s.verdict], id="etab-ambu-verdict"))
    children.append(html.Div(table, className="table-scroll"))
    if comparables_text:
        children.append(html.P(f"Comparables : {comparables_text}", className="note"))
    return html.Section(children, className="profile-section", id=SECTION_ID)


def pdf_rows(s) -> list[dict]:
    """The PDF table's rows (the same texts as the page)."""
    if s is None:
        return []
    out = []
    for r, total in ([(s.total, True)] if s.total is not None else []) + [(r, False) for r in s.rows]:
        c = r.cells
        out.append({"label": r.label + (f" ({r.number})" if r.number else ""), "total": total,
                    "own": f"{c['own'][0]} ({c['own'][1]})", "ci": c["ci"],
                    "region": f"{c['region'][0]} ({c['region'][1]})", "france": f"{c['france'][0]}",
                    "comparables": f"{c['comparables'][0]} ({c['comparables'][1]})",
                    "funnel": c["funnel"][0], "target": f"{c['target']} ({c['gap']})" if total else "–"})
    return out
