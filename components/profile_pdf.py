"""The profile as an A4 PDF, rendered on the server by WeasyPrint from an HTML template
(components/templates/profil.html) — no browser, no kaleido: the recourse chart is inline SVG.

The PDF follows the mode of the request that asks for it (security.presentation.current_mode), as
the page does: a médecin-conseil printing for an internal interview gets the real figures (the
document says it is internal); in the presentation mode, the profile's masks apply (counts from 1
to 10, and those masked with them so that no total gives them away, print "masqué", a rate built on
one "s"), and anonymised, the establishment is 'Établissement K' without its FINESS.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from analytics import profile as model
from analytics.profile_secrecy import PLAIN, SECRET_RATE, ProfileSecrecy, Shown, figure_lines
from components import ambulatory_profile
from components import profile as ui
from components.profile_charts import funnel_svg, locator_svg, recourse_chart_svg, svg_data_uri
from text.format import MISSING, fmt_pct
from text.labels import ACTIVITY_LABELS, CAQES_PART_LABELS, MSAP_CAMPAIGN_LABELS, MSAP_DECISION_LABELS, STATUS_LABELS

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def _mark(mark: str | None) -> tuple[str, str]:
    if mark is None or mark == model.NEUTRAL:
        return "", ""
    return f"{ui.MARK_SYMBOLS[mark]} {model.MARK_LABELS[mark]}", ui.MARK_CLASSES[mark]


def _shown(secret: ProfileSecrecy | None, code: str, which: str) -> Shown:
    return secret.of_indicator(code, which) if secret is not None else PLAIN


def _profile_rows(rows: list[model.ProfileRow], secret: ProfileSecrecy | None = None) -> list[dict]:
    out = []
    for r in rows:
        own, own_basis = figure_lines(r.own, r, None, _shown(secret, r.code, "own")) if r.own else (MISSING, [])
        refs = []
        for name in model.REFERENCES:
            fig = r.refs[name]
            mark, css = _mark(ui.profile_mark(r, name, secret))
            if fig is None:
                value, basis = MISSING, []
            else:
                value, basis = figure_lines(fig, r, name, _shown(secret, r.code, name))
            refs.append({"value": value, "basis": basis, "mark": mark, "css": css})
        detail = (f"{r.numerator_label} / {r.denominator_label}" if r.kind == "ratio" else "comptage (médianes)")
        out.append({"label": r.label, "detail": f"{detail} · {r.source}", "own": own, "own_basis": own_basis,
                    "refs": refs})
    return out


def _recourse_rows(rows: list[model.RecourseRow], secret: ProfileSecrecy | None = None) -> list[dict]:
    out = []
    for r in rows:
        c = ui.recourse_cells(r, secret)
        reg_mark, reg_css = _mark(c["region_mark"])
        fr_mark, fr_css = _mark(c["france_mark"])
        out.append({"label": f"{r.label} ({r.gesture})", "own": f"{c['own'][0]} ({c['own'][1]})", "ci": c["ci"],
                    "region": f"{c['region'][0]} ({c['region'][1]})", "france": f"{c['france'][0]} ({c['france'][1]})",
                    "region_mark": reg_mark, "region_css": reg_css, "france_mark": fr_mark, "france_css": fr_css,
                    "funnel": f"{c['funnel'][0]} (99,8 % : {c['funnel'][1]})" if c["funnel"] else SECRET_RATE})
    return out


def render_html(export, edited: dt.datetime | None = None) -> str:
    """The profile's PDF data (services.profile.ProfileExport: the profile, its locator and the
    funnel of one gesture) as the PDF's HTML."""
    p, loc, funnel = export.profile, export.locator, export.funnel
    info = p.shown or p.info
    edited = edited or dt.datetime.now()
    identity = [(label, value) for label, value in ui.identity_items(info) if label != "FINESS"]
    bounds = "" if "capacity" in info else f" ({p.size['class_min']}–{p.size['class_max']} lits et places)"  # anonymised
    identity.append(("Comparables", f"{model.SIZE_CLASS_LABELS[p.size['size_class']]}{bounds}"))
    if p.is_ssr and p.has_profile_values:
        profile_rows, profile_message = _profile_rows(p.profile_rows, p.secrecy), ""
    elif p.is_ssr:
        profile_rows, profile_message = [], f"Pas d'indicateur du profil SSR pour {p.year}."
    else:
        profile_rows, profile_message = [], ""
    msap_rows = [[MSAP_CAMPAIGN_LABELS.get(r.campaign, r.campaign), r.gesture or "tous", str(r.year),
                  MSAP_DECISION_LABELS.get(r.decision, r.decision), ui._date(r.decided_on),
                  f"{ui._date(r.start_on)} – {ui._date(r.end_on)}" if r.start_on else ""]
                 for r in p.msap_history.itertuples()]
    contracts = [f"Contrat {c.start_year}–{c.end_year}, signé le {ui._date(c.signed_on)} ; volets : "
                 + ", ".join(CAQES_PART_LABELS.get(x, x) for x in str(c.parts).split("+"))
                 for c in p.caqes_contracts.itertuples()]
    caqes_rows = [[r["label"], model.fmt_value(r["baseline"], r["unit"]), model.fmt_value(r["target"], r["unit"]),
                   model.fmt_value(r["achieved"], r["unit"]), r["status"] or "non renseigné",
                   fmt_pct(r["attainment"], 0)] for r in p.caqes_results.to_dict("records")]
    context = {
        "name": info["name"], "finess": info["finess"], "year": p.year, "version": p.data_version,
        "edited": edited.strftime("%d/%m/%Y à %H:%M"),
        "subtitle": " · ".join(part for part in [info["category"], STATUS_LABELS.get(info["legal_status"], info["legal_status"]),
                                ACTIVITY_LABELS.get(info["activity"], info["activity"])] if part),
        "identity": identity, "locator": svg_data_uri(locator_svg(loc.lat, loc.lon, loc.departement)),
        "funnel_caption": funnel.caption if funnel else "",
        "funnel": svg_data_uri(funnel_svg(funnel.points, funnel.p0, funnel.curve, funnel.finess)) if funnel else "",
        "points": p.points, "points_note": ui.POINTS_NOTE, "masked": p.secrecy is not None,
        "profile_rows": profile_rows, "profile_message": profile_message, "comparables": p.comparables_text,
        "interval_note": ui.INTERVAL_NOTE,
        "recourse_rows": _recourse_rows(p.recourse_rows, p.secrecy),
        "recourse_svg": Markup(recourse_chart_svg(p.recourse_rows, width=680, secret=p.secrecy))
        if p.recourse_rows else "",
        "ambulatory": p.ambulatory, "ambulatory_rows": ambulatory_profile.pdf_rows(p.ambulatory),
        "is_mco": p.is_mco, "msap_flags": [(MSAP_CAMPAIGN_LABELS.get(c, c), t) for c, t in p.msap_flags],
        "msap_rows": msap_rows[-8:],
        "caqes_contracts": contracts, "caqes_rows": caqes_rows,
        "caqes_title": f"Indicateurs {p.caqes_year}" if p.caqes_year else "",
        "caqes_summary": ui.caqes_summary(p.caqes_results) if caqes_rows else "",
        "sources": p.sources + [f"Document édité le {edited.strftime('%d/%m/%Y à %H:%M')} par Atlas GDR."],
        "secret_notice": ui.SECRET_NOTICE, "presentation_notice": ui.PRESENTATION_NOTICE,
    }
    return _env.get_template("profil.html").render(**context)


def render_pdf(export, edited: dt.datetime | None = None) -> bytes:
    """The profile's PDF data (services.profile.ProfileExport) as PDF bytes (A4, French)."""
    from weasyprint import HTML

    return HTML(string=render_html(export, edited), base_url=str(TEMPLATES)).write_pdf()
