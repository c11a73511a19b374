"""The establishment profile's page sections (identity, points d'attention, SSR profile and
recourse tables, funnel, MSAP, CAQES, sources, "introuvable"); the charts they show come from
components.profile_charts (shared with the PDF). Figures arrive computed (services.profile);
nothing here queries or computes a reference."""
from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from analytics import caqes as caqes_rules
from analytics import profile as model
from analytics.profile_secrecy import (
    PLAIN,
    SECRET_RATE,
    ProfileSecrecy,
    Shown,
    count_text,
    figure_lines,
    recourse_shown,
)
from components import ambulatory_profile
from components.navigation import can
from components.profile_charts import (
    funnel_figure,
    funnel_svg,
    recourse_chart_alt,
    recourse_chart_svg,
    sparkline_alt,
    sparkline_svg,
    svg_data_uri,
)
from security import roles
from text.format import MISSING, NBSP, fmt_count, fmt_int, fmt_pct, fmt_pct_range
from text.labels import (
    ACTIVITY_LABELS,
    CAQES_PART_LABELS,
    CAQES_SCOPE_LABELS,
    MSAP_CAMPAIGN_LABELS,
    MSAP_DECISION_LABELS,
    STATUS_LABELS,
)

MARK_SYMBOLS = {model.BETTER: "▲", model.WORSE: "▼", model.SIMILAR: "≈", model.NEUTRAL: ""}
MARK_CLASSES = {model.BETTER: "mark-better", model.WORSE: "mark-worse", model.SIMILAR: "mark-similar",
                model.NEUTRAL: "mark-neutral"}
SECRET_NOTICE = ("Secret statistique : aucun effectif de 1 à 10 (patients ou séjours) n'est diffusé hors de "
                 "l'Assurance Maladie, ni aucun taux dont le numérateur ou le dénominateur est compris entre 1 et 10 ; "
                 "lorsqu'un total permettrait de retrouver une case masquée par soustraction, une seconde case est "
                 "masquée.")
INTERVAL_NOTE = ("« Similaire » : la référence est dans l'intervalle de confiance à 95 % (Wilson) de l'établissement "
                 "pour les proportions d'événements comptés (réhospitalisations, recours au SSR) ; pour les autres "
                 "indicateurs (durées, actes, personnels déclarés, médianes), l'établissement est à moins de 5 % "
                 "(en relatif) de la référence. Sens « sans jugement » : aucun sens favorable défini.")
POINTS_NOTE = ("Ordre : taux de recours au SSR au-dessus de la limite à 99,8 % de l'entonnoir, puis taux de recours "
               "moins favorables que la région et la France au-delà de l'intervalle à 95 %, puis taux de chirurgie "
               "ambulatoire d'un geste marqueur sous la limite basse à 99,8 % de son entonnoir, puis taux des gestes "
               "marqueurs à 10 points ou plus sous la cible régionale, puis indicateurs du profil "
               "SSR moins favorables que la région et la France, puis indicateurs CAQES dont la cible n'est pas "
               "atteinte (non atteints d'abord, atteinte la plus faible d'abord).")


PRESENTATION_NOTICE = ("Mode présentation : « masqué » signale un effectif caché (de 1 à 10, ou caché pour qu'aucun "
                       "autre ne se recalcule), « s » un taux ou un ratio couvert par le secret statistique ; les "
                       "comparables ne sont pas détaillés pour les effectifs de séjours ou de patients.")
FUNNEL_SECRET = "Entonnoir non affiché : le taux national de ce geste est couvert par le secret statistique."


# ---------------------------------------------------------------------------
# Page sections
# ---------------------------------------------------------------------------
def identity_items(info: dict) -> list[tuple[str, str]]:
    """(label, value) pairs of the identity block, shared by the page and the PDF (no FINESS when it
    is hidden, '' in the anonymised presentation mode)."""
    # anonymised (services.profile.anonymised_identity): no category nor commune, a capacity band
    anonymised = "capacity" in info
    return [("FINESS", info["finess"])] * bool(info["finess"]) + [
        ("Statut", STATUS_LABELS.get(info["legal_status"], info["legal_status"])),
        *[("Catégorie", info["category"])] * bool(info["category"]),
        ("Activité", ACTIVITY_LABELS.get(info["activity"], info["activity"])),
        *[("Commune", f"{info['commune']} ({info['commune_code']})")] * bool(info["commune"]),
        ("Département", f"{info['departement']} ({info['departement_code']})" if info["departement_code"]
         else info["departement"]),
        ("Région", info["region"]),
        ("Lits et places", info["capacity"] if anonymised
         else f"{fmt_int(info['beds'])} lits, {fmt_int(info['places'])} places"),
    ]


def identity_block(info: dict) -> html.Dl:
    items = []
    for label, value in identity_items(info):
        items += [html.Dt(label), html.Dd(value)]
    return html.Dl(items, className="identity-list")


# Dash's renderer pays for every component of a callback's output, on every store update of the
# page load: a profile of ~700 components took seconds to mount. So a cell is ONE component: its
# lines as text ("value\nbasis\nbasis", CSS white-space: pre-line, the first line styled by
# ::first-line), its better/worse/similar mark as a class whose text CSS adds (::after), its
# sparkline as its background image, described by its aria-label.
MARK_CELL_CLASSES = {model.BETTER: "cell-better", model.WORSE: "cell-worse", model.SIMILAR: "cell-similar"}


def mark_class(mark: str | None) -> str:
    return MARK_CELL_CLASSES.get(mark, "")


def lines_cell(lines: Sequence[str], mark: str | None = None, header: bool = False, className: str = "",
               **kwargs):
    """A table cell showing `lines` (the first one emphasised) and the mark's label below (CSS).

    Value cells hold one text (the first line is short, styled by ::first-line); header cells
    (a label that may wrap over several lines) hold the label and a <small> with the other lines.
    """
    rest = "\n".join(line for line in lines[1:] if line)
    cls = " ".join(c for c in ("lines", className, mark_class(mark)) if c)
    if header:
        return html.Th([lines[0], html.Small(rest)] if rest else lines[0], className=cls + " head", **kwargs)
    return html.Td(lines[0] + ("\n" + rest if rest else ""), className=cls, **kwargs)


def profile_mark(row: model.ProfileRow, reference: str, secret: ProfileSecrecy | None) -> str | None:
    """The better/worse/similar mark of a reference, none when either figure is hidden."""
    if secret is not None and (secret.of_indicator(row.code, "own").hidden
                               or secret.of_indicator(row.code, reference).hidden):
        return None
    return row.marks.get(reference)


def _value_cell(fig: model.Figure | None, row: model.ProfileRow, reference: str | None = None,
                secret: ProfileSecrecy | None = None) -> html.Td:
    if fig is None:
        return html.Td(MISSING, className="num")
    shown = secret.of_indicator(row.code, reference or "own") if secret is not None else PLAIN
    value, lines = figure_lines(fig, row, reference, shown)
    return lines_cell([value, *lines], profile_mark(row, reference, secret) if reference else None, className="num")


def _spark(points, year, alt, target=None, img: bool = False):
    """The sparkline as the cell's background, described by the cell's aria-label and title; with
    `img`, an <img class="sparkline"> with that description as alt text."""
    if not points:
        return html.Td(MISSING, className="spark-cell")
    uri = svg_data_uri(sparkline_svg(points, mark_year=year, target=target))
    if img:
        return html.Td(html.Img(src=uri, alt=alt, className="sparkline", width=110, height=28), className="spark-cell")
    return html.Td(className="spark-cell spark", title=alt, style={"backgroundImage": f"url({uri})"},
                   **{"aria-label": alt})


def profile_table(rows: Sequence[model.ProfileRow], comparables_tooltip: str, year: int,
                  secret: ProfileSecrecy | None = None) -> html.Div:
    """The four-column SSR profile table (with a sparkline of the establishment's series); `secret`:
    the presentation mode's masks."""
    head = html.Thead(html.Tr([
        html.Th("Indicateur", scope="col"),
        html.Th("Votre établissement", scope="col"),
        html.Th("Région", scope="col", title="Rapport des sommes (ratios) ou médiane (comptages) des établissements "
                                              "de la région"),
        html.Th("France", scope="col", title="Rapport des sommes (ratios) ou médiane (comptages) des établissements "
                                              "de France"),
        html.Th(html.Span("Comparables", className="has-tooltip", title=comparables_tooltip, tabIndex=0,
                          **{"aria-describedby": "etab-comparables-note"}), scope="col"),
        html.Th("Évolution", scope="col"),
    ]))
    body = []
    for r in rows:
        direction = {"higher": "plus élevé = plus favorable", "lower": "plus bas = plus favorable",
                     "neutral": "sans sens favorable"}[r.better]
        detail = (f"{r.numerator_label} / {r.denominator_label}" + (f" × {fmt_int(r.scale)}" if r.scale != 1 else "")
                  if r.kind == "ratio" else "comptage, comparé aux médianes")
        body.append(html.Tr([
            lines_cell([r.label, f"{detail} · {r.source} · {direction}"], header=True, scope="row"),
            _value_cell(r.own, r, secret=secret),
            _value_cell(r.refs["region"], r, "region", secret),
            _value_cell(r.refs["france"], r, "france", secret),
            _value_cell(r.refs["comparables"], r, "comparables", secret),
            _spark(r.series, year, sparkline_alt(r.series, r.unit, r.kind)),
        ]))
    return html.Div([
        html.Table([html.Caption(f"Profil SSR {year} : l'établissement et ses références"), head, html.Tbody(body)],
                   className="profile-table", id="etab-profile-table"),
        html.P(["Comparables : ", comparables_tooltip], className="note", id="etab-comparables-note"),
        html.P(INTERVAL_NOTE, className="note"),
    ], className="table-wrap")


def recourse_cells(r: model.RecourseRow, secret: ProfileSecrecy | None = None) -> dict:
    """The texts of one row of the SSR recourse table (page and PDF): own, region, france as
    (rate, 'x/n') pairs, ci, funnel as (position, range of the 99.8 % limits) or None when hidden,
    region_mark and france_mark (None when hidden)."""
    own, region, france = recourse_shown(secret, r)

    def pair(value, x, n, shown: Shown) -> tuple[str, str]:
        return SECRET_RATE if shown.hidden else fmt_pct(value), f"{count_text(x, shown.num)}/{count_text(n, shown.den)}"

    funnel_hidden = own.hidden or france.hidden
    return {
        "own": pair(r.rate, r.with_ssr, r.stays, own),
        "ci": SECRET_RATE if own.hidden else fmt_pct_range(r.low, r.high),
        "region": pair(r.region[2], *r.region[:2], region), "france": pair(r.france[2], *r.france[:2], france),
        "region_mark": None if own.hidden or region.hidden else r.marks["region"],
        "france_mark": None if own.hidden or france.hidden else r.marks["france"],
        "funnel": None if funnel_hidden else (r.funnel_position, fmt_pct_range(*r.limits998)),
    }


def recourse_table(rows: Sequence[model.RecourseRow], year: int, secret: ProfileSecrecy | None = None) -> html.Table:
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Geste", "Votre établissement", "IC 95 %", "Région", "France", "Entonnoir",
                                "Évolution")]))
    body = []
    for r in rows:
        series = [(y, v * 100) for y, v in r.series]
        c = recourse_cells(r, secret)
        body.append(html.Tr([
            lines_cell([r.label, r.gesture], header=True, scope="row"),
            lines_cell([c["own"][0], f"({c['own'][1]} séjours)"], className="num"),
            html.Td(c["ci"], className="num nowrap"),
            lines_cell([c["region"][0], f"({c['region'][1]})"], c["region_mark"], className="num"),
            lines_cell([c["france"][0], f"({c['france'][1]})"], c["france_mark"], className="num"),
            lines_cell([c["funnel"][0], f"limites 99,8 % : {c['funnel'][1]}"] if c["funnel"]
                       else [SECRET_RATE, "secret statistique"], header=True, className="plain"),
            _spark(series, year, sparkline_alt(series, "%")),
        ]))
    return html.Table([html.Caption(f"Taux de recours au SSR {year}, tous âges (séjours suivis d'un séjour SSR / "
                                    f"séjours)"), head, html.Tbody(body)], className="profile-table",
                      id="etab-recourse-table")


def points_list(points: Sequence[str], year: int) -> html.Div:
    if not points:
        return html.Div([html.P(f"Aucun point d'attention pour {year} selon les règles ci-dessous.",
                                className="lead"), html.P(POINTS_NOTE, className="note")])
    return html.Div([html.Ol([html.Li(p) for p in points], className="points", id="etab-points-list"),
                     html.P(POINTS_NOTE, className="note")])


def msap_block(history: pd.DataFrame, flags: list[tuple[str, str]]) -> html.Div:
    """Default-rule flags (campaign, sentence) and the decision history table."""
    flag_items = [html.Li([html.Strong(f"{MSAP_CAMPAIGN_LABELS.get(c, c)} : "), text]) for c, text in flags]
    children = [html.Ul(flag_items, className="flags")] if flag_items else []
    if history.empty:
        children.append(html.P("Aucune décision MSAP enregistrée pour cet établissement."))
        return html.Div(children)
    rows = []
    for r in history.itertuples():
        period = (f"du {_date(r.start_on)} au {_date(r.end_on)}" if r.start_on is not None and not pd.isna(r.start_on)
                  else "")
        rows.append(html.Tr([html.Td(MSAP_CAMPAIGN_LABELS.get(r.campaign, r.campaign)), html.Td(r.gesture or "tous"),
                             html.Td(str(r.year), className="num"), html.Td(MSAP_DECISION_LABELS.get(r.decision, r.decision)),
                             html.Td(_date(r.decided_on)), html.Td(period)]))
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Campagne", "Geste", "Campagne de", "Décision", "Date", "Période de MSAP")]))
    children.append(html.Table([html.Caption("Historique des décisions MSAP"), head, html.Tbody(rows)],
                               className="profile-table compact"))
    return html.Div(children)


def _date(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else str(value)


def caqes_summary(results: pd.DataFrame) -> str:
    """'15 indicateurs : 9 atteints, 5 en progrès, 1 non atteint ; score 87 % ; intéressement estimé 12 340 €'."""
    known = results[results["status"].notna()]
    counts = known["status"].value_counts()
    score = caqes_rules.score(known["attainment"], known["weight"])
    incentive = caqes_rules.incentive(results["savings_eur"], results["incentive_rate"])
    parts = [fmt_count(int(counts.get(s, 0)), label, plural) for s, label, plural in
             ((caqes_rules.ATTEINT, "atteint", "atteints"), (caqes_rules.EN_PROGRES, "en progrès", "en progrès"),
              (caqes_rules.NON_ATTEINT, "non atteint", "non atteints"))]
    return (f"{fmt_count(len(results), 'indicateur')} : {', '.join(parts)} ; score (atteinte moyenne) "
            f"{fmt_pct(score, 0)} ; intéressement estimé {fmt_int(round(incentive))}{NBSP}€")


def caqes_block(contracts: pd.DataFrame, shown_year: int | None, results: pd.DataFrame, history: pd.DataFrame,
                year: int) -> html.Div:
    if contracts.empty:
        return html.Div(html.P("Pas de contrat CAQES enregistré pour cet établissement."))
    contract_items = [html.Li(f"Contrat {c.start_year}–{c.end_year}, signé le {_date(c.signed_on)} ; volets : "
                              + ", ".join(CAQES_PART_LABELS.get(p, p) for p in str(c.parts).split("+")))
                      for c in contracts.itertuples()]
    children = [html.Ul(contract_items)]
    if shown_year is None or results.empty:
        children.append(html.P(f"Pas de résultat CAQES jusqu'en {year}."))
        return html.Div(children)
    if shown_year != year:
        children.append(html.P(f"Pas de résultat CAQES en {year} : derniers résultats, {shown_year}.", className="note"))
    children.append(html.P(caqes_summary(results), className="lead"))
    rows = []
    for r in results.to_dict("records"):
        unit = r["unit"] or ""
        past = history[history["indicator"] == r["indicator"]].sort_values("year")
        spark = [(int(y), float(a)) for y, a in zip(past["year"], past["achieved"]) if not pd.isna(a)]
        detail = (f"{CAQES_PART_LABELS.get(r['part'], r['part'])} · {CAQES_SCOPE_LABELS.get(r['scope'], r['scope'])} · "
                  f"{'plus haut' if r['better'] == 'higher' else 'plus bas'} = mieux")
        rows.append(html.Tr([
            lines_cell([r["label"], detail], header=True, scope="row"),
            html.Td(model.fmt_value(r["baseline"], unit), className="num"),
            html.Td(model.fmt_value(r["target"], unit), className="num"),
            html.Td(model.fmt_value(r["achieved"], unit), className="num"),
            html.Td(r["status"] or "non renseigné", className=f"status status-{(r['status'] or 'na').replace(' ', '-')}"),
            html.Td(fmt_pct(r["attainment"], 0), className="num"),
            html.Td(MISSING if pd.isna(r["savings_eur"]) else f"{fmt_int(round(r['savings_eur']))}{NBSP}€", className="num"),
            _spark(spark, shown_year, sparkline_alt(spark, unit) + f" ; cible {model.fmt_value(r['target'], unit)}",
                   target=r["target"], img=True),
        ]))
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Indicateur", "Valeur initiale", "Cible", "Réalisé", "Statut", "Atteinte",
                                "Économies", "Réalisé par année (cible en tirets)")]))
    children.append(html.Table([html.Caption(f"Indicateurs CAQES {shown_year}"), head, html.Tbody(rows)],
                               className="profile-table compact", id="etab-caqes-table"))
    return html.Div(children)


def header_block(info: dict, subtitle: str, notices: Sequence[str], pdf: str) -> list:
    """Title row (name, subtitle, PDF and search links) and the notices about the address."""
    return [
        html.Div([
            html.Div([html.H1(info["name"], id="etab-title"), html.P(subtitle, className="subtitle")]),
            html.Div([html.A("Profil en PDF", id="etab-pdf", href=pdf, className="button", target="_blank",
                             rel="noopener", hidden=not can(roles.EXPORT_ESTABLISHMENT)),
                      html.A("Tous les établissements", href="/etablissements", className="button")],
                     className="export-links no-print"),
        ], className="page-title"),
        html.Div([html.P(n) for n in notices], className="notice", role="status") if notices else None,
    ]


def top_block(p, locator: str) -> list:
    """Identity (with the locator), points d'attention, SSR profile, SSR recourse tables and chart.
    `p` is a services.profile.Profile (its identity as the mode shows it, its masks in the
    presentation mode); `locator` the locator's SVG."""
    info = p.shown
    where = (f"{info['commune']}, " if info["commune"] else "") + f"{info['departement']} ({info['departement_code']})"
    out = [
        html.Div([
            html.Section([html.H2("Identité"), identity_block(info)], className="profile-section identity"),
            html.Div(html.Img(src=svg_data_uri(locator), alt=f"Localisation : {where}", width=300, height=220),
                     className="locator"),
        ], className="identity-row"),
        html.Section([html.H2("Points d'attention"), points_list(p.points, p.year)], className="profile-section",
                     id="etab-points-section"),
    ]
    if p.is_ssr and p.has_profile_values:
        profile = profile_table(p.profile_rows, p.comparables_text, p.year, p.secrecy)
    elif p.is_ssr:
        profile = html.P(f"Pas d'indicateur du profil SSR pour {p.year}.")
    else:
        profile = html.P("Établissement sans activité SSR : pas de profil SSR (voir le recours au SSR ci-dessous).")
    out.append(html.Section([html.H2("Profil SSR"), profile], className="profile-section", id="etab-profile-section"))
    if p.is_mco:
        if p.recourse_rows:
            body = [recourse_table(p.recourse_rows, p.year, p.secrecy),
                    html.Img(src=svg_data_uri(recourse_chart_svg(p.recourse_rows, secret=p.secrecy)),
                             alt=recourse_chart_alt(p.recourse_rows, p.secrecy), className="recourse-chart")]
        else:
            body = [html.P(f"Aucun séjour pour les quatre gestes en {p.year}.")]
        out.append(html.Section([html.H2("Recours au SSR après chirurgie orthopédique"), *body],
                                className="profile-section", id="etab-recourse-section"))
    return out


def funnel_view(funnel, mode: str, names: dict[str, str] | None = None) -> list:
    """The funnel's caption and its SVG image, or (mode 'interactif') the plotly graph whose points
    `names` label. `funnel` is a services.profile.Funnel."""
    head = html.P(funnel.caption, id="etab-funnel-title", className="funnel-title")
    if funnel.hidden:
        return [head, html.P(FUNNEL_SECRET, className="note")]
    if mode == "interactif":
        fig = funnel_figure(funnel.points, funnel.p0, funnel.curve, funnel.finess, names or {}, "")
        return [head, dcc.Graph(figure=fig, config={"displaylogo": False, "scrollZoom": False,
                                                    "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
                                style={"height": "360px"})]
    points = funnel.points
    mine = points[points["finess"] == funnel.finess]
    where = "" if mine.empty else (f" ; cet établissement : {fmt_pct(mine['rate'].iloc[0])} pour "
                                   f"{int(mine['stays'].iloc[0])} séjours")
    svg = funnel_svg(points, funnel.p0, funnel.curve, funnel.finess)
    return [head, html.Img(src=svg_data_uri(svg), className="funnel-img", alt=f"Entonnoir : {funnel.caption}{where}",
                           width=860, height=330)]


def bottom_block(p) -> list:
    """MSAP, CAQES, sources and the secret-statistique notice."""
    out = []
    if p.is_mco:
        out.append(ambulatory_profile.section(p.ambulatory, p.comparables_text))
    if p.is_mco or not p.msap_history.empty:
        out.append(html.Section([html.H2("Mise sous accord préalable (MSAP)"), msap_block(p.msap_history, p.msap_flags)],
                                className="profile-section", id="etab-msap-section"))
    out.append(html.Section([html.H2("CAQES"), caqes_block(p.caqes_contracts, p.caqes_year, p.caqes_results,
                                                            p.caqes_history, p.year)],
                            className="profile-section", id="etab-caqes-section"))
    notices = [SECRET_NOTICE] + ([PRESENTATION_NOTICE] if p.secrecy is not None else [])
    out.append(html.Footer([html.P(line) for line in p.sources] + [html.P(n) for n in notices],
                           className="profile-sources"))
    return out


def not_found(finess: str | None, query: str = "") -> html.Div:
    """The French 'établissement introuvable' block with a search box (a plain GET form to
    /etablissements, so it works without any callback)."""
    shown = (finess or "").strip()
    return html.Div([
        html.H1("Établissement introuvable"),
        html.P(f"Aucun établissement ne porte le numéro FINESS « {shown[:40]} »." if shown else
               "Aucun numéro FINESS n'a été indiqué.", className="lead"),
        html.P("Un numéro FINESS compte 9 caractères : le département (2 chiffres, 2A ou 2B) puis 7 chiffres."),
        html.Form([
            html.Label("Rechercher un établissement (nom, FINESS ou commune)", htmlFor="etab-notfound-q"),
            html.Div([dbc.Input(id="etab-notfound-q", name="q", type="search", value=query,
                                placeholder="ex. : clinique saint, 330000017, Périgueux"),
                      html.Button("Rechercher", type="submit", className="button")], className="search-row"),
        ], action="/etablissements", method="get", className="notfound-form"),
    ], className="not-found")
