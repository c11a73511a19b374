"""The profile as an A4 PDF, rendered on the server by WeasyPrint from an HTML template
(components/templates/profil.html) — no browser, no kaleido: the recourse chart is inline SVG.

The PDF leaves the insurer (it is brought to the interview), so the secret statistique applies:
counts from 1 to 10 print "< 11" and a rate built on one prints "s" (analytics.profile.is_secret).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from analytics import profile as model
from components import profile as ui
from components.format import MISSING, fmt_dec, fmt_pct, fmt_pct_range
from components.labels import ACTIVITY_LABELS, STATUS_LABELS

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def _mark(mark: str | None) -> tuple[str, str]:
    if mark is None or mark == model.NEUTRAL:
        return "", ""
    return f"{ui.MARK_SYMBOLS[mark]} {model.MARK_LABELS[mark]}", ui.MARK_CLASSES[mark]


def _own(r: model.ProfileRow) -> tuple[str, str]:
    fig = r.own
    if fig is None:
        return MISSING, []
    if r.kind == "count":
        return model.fmt_value(fig.value, r.unit, r.kind), ["valeur de l'établissement"]
    if model.is_secret(fig.numerator) or model.is_secret(fig.denominator):
        return "s", [model.fmt_basis(fig, r.kind, secret=True)]
    basis = [model.fmt_basis(fig, r.kind)]
    if r.interval == "wilson" and fig.low == fig.low:
        basis.append(f"IC 95 % {fmt_dec(fig.low, 1)} – {fmt_dec(fig.high, 1)}")
    return model.fmt_value(fig.value, r.unit, r.kind), basis


def _profile_rows(rows: list[model.ProfileRow]) -> list[dict]:
    out = []
    for r in rows:
        own, own_basis = _own(r)
        refs = []
        for name in model.REFERENCES:
            fig = r.refs[name]
            secret = fig is not None and (model.is_secret(fig.numerator) or model.is_secret(fig.denominator))
            mark, css = _mark(r.marks.get(name)) if own != "s" and not secret else ("", "")
            if fig is None:
                value, basis = MISSING, []
            elif secret:
                value = "s"
                basis = [f"{model.fmt_number(fig.numerator, True)}/{model.fmt_number(fig.denominator, True)}",
                         f"{fig.n} établ."]
            else:
                value, basis = model.fmt_value(fig.value, r.unit, r.kind), model.ref_basis_lines(fig, r.kind)
            refs.append({"value": value, "basis": basis, "mark": mark, "css": css})
        detail = (f"{r.numerator_label} / {r.denominator_label}" if r.kind == "ratio" else "comptage (médianes)")
        out.append({"label": r.label, "detail": f"{detail} · {r.source}", "own": own, "own_basis": own_basis,
                    "refs": refs})
    return out


def _recourse_rows(rows: list[model.RecourseRow]) -> list[dict]:
    out = []
    for r in rows:
        masked = model.masked_rate(r.with_ssr, r.stays, True)
        reg_masked = masked or model.masked_rate(*r.region[:2], True)
        fr_masked = masked or model.masked_rate(*r.france[:2], True)
        reg_mark, reg_css = _mark(None if reg_masked else r.marks["region"])
        fr_mark, fr_css = _mark(None if fr_masked else r.marks["france"])
        out.append({"label": f"{r.label} ({r.gesture})", "own": model.fmt_rate_counts(r.with_ssr, r.stays, True),
                    "ci": "s" if masked else fmt_pct_range(r.low, r.high),
                    "region": model.fmt_rate_counts(*r.region[:2], True), "france": model.fmt_rate_counts(*r.france[:2], True),
                    "region_mark": reg_mark, "region_css": reg_css, "france_mark": fr_mark, "france_css": fr_css,
                    "funnel": "s" if masked else f"{r.funnel_position} (99,8 % : {fmt_pct_range(*r.limits998)})"})
    return out


def render_html(p, edited: dt.datetime | None = None, locator: str | None = None,
                funnel: tuple[str, str] | None = None) -> str:
    """The profile (callbacks.etablissement.Profile) as the PDF's HTML; `locator` is the locator's SVG,
    `funnel` the (caption, SVG) of the funnel plot of one gesture."""
    info = p.info
    edited = edited or dt.datetime.now()
    identity = [(label, value) for label, value in ui.identity_items(info) if label != "FINESS"]
    identity.append(("Comparables", f"{model.SIZE_CLASS_LABELS[p.size['size_class']]} "
                                    f"({p.size['class_min']}–{p.size['class_max']} lits et places)"))
    if p.is_ssr and p.has_profile_values:
        profile_rows, profile_message = _profile_rows(p.profile_rows), ""
    elif p.is_ssr:
        profile_rows, profile_message = [], f"Pas d'indicateur du profil SSR pour {p.year}."
    else:
        profile_rows, profile_message = [], ""
    msap_rows = [[ui.MSAP_CAMPAIGNS.get(r.campaign, r.campaign), r.gesture or "tous", str(r.year),
                  ui.MSAP_DECISIONS.get(r.decision, r.decision), ui._date(r.decided_on),
                  f"{ui._date(r.start_on)} – {ui._date(r.end_on)}" if r.start_on else ""]
                 for r in p.msap_history.itertuples()]
    contracts = [f"Contrat {c.start_year}–{c.end_year}, signé le {ui._date(c.signed_on)} ; volets : "
                 + ", ".join(ui.CAQES_PARTS.get(x, x) for x in str(c.parts).split("+"))
                 for c in p.caqes_contracts.itertuples()]
    caqes_rows = [[r["label"], model.fmt_value(r["baseline"], r["unit"]), model.fmt_value(r["target"], r["unit"]),
                   model.fmt_value(r["achieved"], r["unit"]), r["status"] or "non renseigné",
                   fmt_pct(r["attainment"], 0)] for r in p.caqes_results.to_dict("records")]
    context = {
        "name": info["name"], "finess": info["finess"], "year": p.year, "version": p.data_version,
        "edited": edited.strftime("%d/%m/%Y à %H:%M"),
        "subtitle": " · ".join([info["category"], STATUS_LABELS.get(info["legal_status"], info["legal_status"]),
                                ACTIVITY_LABELS.get(info["activity"], info["activity"])]),
        "identity": identity, "locator": ui.svg_data_uri(locator) if locator else "",
        "funnel_caption": funnel[0] if funnel else "", "funnel": ui.svg_data_uri(funnel[1]) if funnel else "",
        "points": p.points_for(secret=True), "points_note": ui.POINTS_NOTE,
        "profile_rows": profile_rows, "profile_message": profile_message, "comparables": p.comparables_text,
        "interval_note": ui.INTERVAL_NOTE,
        "recourse_rows": _recourse_rows(p.recourse_rows),
        "recourse_svg": Markup(ui.recourse_chart_svg(p.recourse_rows, width=680, secret=True)) if p.recourse_rows else "",
        "is_mco": p.is_mco, "msap_flags": [(ui.MSAP_CAMPAIGNS.get(c, c), t) for c, t in p.msap_flags],
        "msap_rows": msap_rows[-8:],
        "caqes_contracts": contracts, "caqes_rows": caqes_rows,
        "caqes_title": f"Indicateurs {p.caqes_year}" if p.caqes_year else "",
        "caqes_summary": ui.caqes_summary(p.caqes_results) if caqes_rows else "",
        "sources": p.sources + [f"Document édité le {edited.strftime('%d/%m/%Y à %H:%M')} par Atlas GDR."],
        "secret_notice": ui.SECRET_NOTICE,
    }
    return _env.get_template("profil.html").render(**context)


def render_pdf(p, edited: dt.datetime | None = None, locator: str | None = None,
               funnel: tuple[str, str] | None = None) -> bytes:
    """The profile as PDF bytes (A4, French)."""
    from weasyprint import HTML

    return HTML(string=render_html(p, edited, locator, funnel), base_url=str(TEMPLATES)).write_pdf()
