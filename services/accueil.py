"""The home page, the team's dashboard: headline figures (each a link to its view), the campaigns
in progress with their funnels, the last import.

Presentation mode: no campaign (notes and follow-up are confidential) and no headline figure that
rests on a count from 1 to 10 (secret statistique); the figures here are national, so in practice
they are shown, but the rule is applied, not assumed."""
from __future__ import annotations

from dataclasses import dataclass

from analytics import caqes as caqes_model
from analytics.secrecy import is_small
from data_access import caqes as caqes_data
from data_access import dashboard, queries
from data_access.cache import cached
from security.presentation import current_mode
from services import actions as actions_service
from services import secrecy as secrecy_masks
from text.format import fmt_int, fmt_pct, fmt_pts
from text.labels import DATASET_LABELS, fr_datetime


@dataclass(frozen=True)
class Headline:
    """One figure of the dashboard: its title, the value as shown, a line under it, its view."""

    title: str
    value: str
    detail: str
    href: str


def _small(*counts) -> bool:
    return any(is_small(int(c)) for c in counts)


def _ptg() -> Headline:
    df = cached(dashboard.ssr_national, "PTG")
    href = "/ssr?geste=PTG"
    if df.empty:
        return Headline("Recours au SSR après PTG", "–", "pas de données", href)
    last = df.iloc[-1]
    masked = current_mode().masked

    def hidden(year) -> bool:  # France's PTG figure, as /ssr shows it (the reach masks)
        return secrecy_masks.ssr_masks(int(year)).is_masked("fr", "", secrecy_masks.ALL, "PTG", secrecy_masks.ALL)

    if masked and hidden(last.year):
        return Headline("Recours au SSR après PTG", "secret statistique", f"France, {int(last.year)}", href)
    rate = last.stays_with_ssr / last.stays if last.stays else None
    detail = f"France, {int(last.year)} : {fmt_int(last.stays_with_ssr)} séjours suivis de SSR sur {fmt_int(last.stays)}"
    if len(df) > 1 and rate is not None:
        prev = df.iloc[-2]
        if prev.stays and not (masked and hidden(prev.year)):
            change = rate - prev.stays_with_ssr / prev.stays
            word = "en baisse" if change < 0 else "en hausse" if change > 0 else "stable"
            detail += f" ; {word} ({fmt_pts(change)} depuis {int(prev.year)})"
    return Headline("Recours au SSR après PTG", fmt_pct(rate), detail, href)


def _msap() -> Headline:
    from services import msap

    rule, _ = msap.parse_view({})
    href = "/msap" + msap.query_string(rule) if rule.annee is not None else "/msap"
    title = "Ciblés par la règle MSAP par défaut"
    if rule.annee is None:
        return Headline(title, "–", "pas de données", href)
    evaluated, _rows = msap.table(rule)
    flagged, examined = int(evaluated["flagged"].sum()), len(evaluated)
    detail = f"sur {fmt_int(examined)} établissements examinés ({msap.gesture_label(rule)}, {rule.annee})"
    if current_mode().masked and _small(flagged):
        return Headline(title, "< 11", detail, href)
    return Headline(title, fmt_int(flagged), detail, href)


def _caqes_figures(url: str, year: int) -> dict:
    return caqes_model.headline(caqes_model.evaluate(caqes_data.year_results(url, year)))


def _caqes() -> Headline:
    years = cached(caqes_data.years)
    title = "Indicateurs CAQES atteints"
    if not years:
        return Headline(title, "–", "pas de données", "/caqes")
    year = max(years)
    h = cached(_caqes_figures, year)
    href = f"/caqes?annee={year}"
    if current_mode().masked and _small(h["n_atteint"], h["n_measured"] - h["n_atteint"]):
        return Headline(title, "secret statistique", f"{year}", href)
    detail = (f"{year} : {fmt_int(h['n_atteint'])} résultats atteints sur {fmt_int(h['n_measured'])} mesurés, "
              f"{fmt_int(h['n_establishments'])} établissements")
    return Headline(title, fmt_pct(h["share_atteint"]), detail, href)


def _ambulatory() -> Headline:
    """The national rate on the 55 marker procedures (as /ambulatoire shows it) and how many regions
    reach their target; in presentation mode only over the regions whose rate is shown (a count
    including hidden rates would tell on which side of its target a hidden rate lies)."""
    from services import ambulatoire

    title = "Taux de chirurgie ambulatoire"
    view, _notices = ambulatoire.parse_view({})
    href = "/ambulatoire" + ambulatoire.query_string(view)
    if view.annee is None:
        return Headline(title, "–", "pas de données", href)
    value, _basis = ambulatoire.national(view)
    t = ambulatoire.territories(view)
    table = t.table
    if t.flags is not None:
        hidden = t.flags["rate_hidden"].reindex(table["code"], fill_value=False).to_numpy(dtype=bool)
        table = table[~hidden]
    with_target = table[table["target_pct"].notna() & table["gap_pts"].notna()]
    if with_target.empty:
        return Headline(title, value, f"France, {view.annee}, 55 gestes marqueurs ; aucune cible régionale", href)
    reached = int((with_target["gap_pts"] >= 0).sum())
    n = len(with_target)
    regions = "région atteint sa cible" if reached < 2 else "régions atteignent leur cible"
    return Headline(title, value, f"France, {view.annee}, 55 gestes marqueurs ; {fmt_int(reached)} {regions} "
                                  f"régionale sur {fmt_int(n)}", href)


def headlines() -> list[Headline]:
    return [_ptg(), _msap(), _caqes(), _ambulatory()]


@dataclass(frozen=True)
class LastImport:
    label: str
    when: str
    detail: str


def last_import() -> LastImport | None:
    """The latest import batch (kind, time; file and rows outside presentation mode)."""
    from config import current_settings

    history = queries.import_history(current_settings().database_url, limit=1)
    if history.empty:
        return None
    r = history.iloc[0]
    label = DATASET_LABELS.get(r["kind"], {"campaigns": "Campagnes", "actions": "Suivi des actions"}.get(r["kind"],
                                                                                                      r["kind"]))
    detail = "" if current_mode().masked else (
        f"{r['file_name']} : {fmt_int(r['rows_inserted'])} lignes ajoutées, {fmt_int(r['rows_updated'])} mises à jour")
    return LastImport(label, fr_datetime(r["imported_at"]), detail)


def campaigns_in_progress() -> list[actions_service.CampaignFunnel] | None:
    """The campaigns in progress with their funnels; None when they may not be shown (a role without
    the follow-up, or the presentation mode)."""
    if not actions_service.allowed() or actions_service.hidden_by_presentation():
        return None
    return actions_service.in_progress()
