"""The action follow-up views: /actions (campaigns and their funnels by region), /actions/<code>
(the establishments of a campaign, their current step, the step form), the profile's action
history, the /msap "create a campaign with this list" button, and the two exports.

One path for screen and file: the funnel table on /actions and /export/campagnes.csv are both
`funnel_rows`; the history on /actions/<code> and /export/actions.csv are both `step_rows`.

Who: the roles of security.roles.ACTIONS (admin, analyste, medecin_conseil) see and record;
`iraps` sees nothing (the request gate refuses the pages and exports, `require` refuses the
callbacks). Nothing of it is shown in presentation mode: interview notes are confidential.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from analytics import actions as model
from config import current_settings
from data_access import actions as data
from data_access.models import CAMPAIGN_CODE
from security import audit, roles
from security.presentation import current_mode, current_role
from services.territories import geo_names
from text import actions as labels
from text.format import fmt_int, round_half_up

STEP_EXPORT_COLUMNS = ["campagne", "finess", "raison_sociale", "region", "departement", "etape", "date", "saisi_par",
                       "note"]
FUNNEL_EXPORT_COLUMNS = ["campagne", "libelle", "theme", "annee", "region", *model.FUNNEL_COLUMNS,
                         "taux_entretien_pct"]
NOTE_MAX = 10_000
TEXT_MAX = 100
PARTICIPANTS_MAX = 500


def _url() -> str:
    return current_settings().database_url


def today() -> dt.date:
    return dt.date.today()


# --- Who may see it ------------------------------------------------------------------------------

def allowed() -> bool:
    """The signed-in role may see and record the follow-up (the UI hides what it may not)."""
    return roles.allows(current_role(), roles.ACTIONS)


def require() -> None:
    """For callbacks: raise werkzeug's 403 unless the role may reach the follow-up (the request gate
    only sees /_dash-update-component, which every role may call)."""
    if not allowed():
        from flask import abort, jsonify, make_response

        abort(make_response(jsonify(erreur="Accès refusé : votre rôle ne permet pas d'ouvrir le suivi des "
                                           "actions."), 403))


def hidden_by_presentation() -> bool:
    return current_mode().masked


# --- Campaigns and funnels -----------------------------------------------------------------------

@dataclass(frozen=True)
class CampaignFunnel:
    """A campaign, its funnel over all its establishments and by region (rows as exported)."""

    campaign: data.CampaignRow
    total: dict[str, int]
    regions: list[dict]

    @property
    def in_progress(self) -> bool:
        return self.total["ciblees"] > self.total["closes"]


def years(fresh: bool = False) -> list[int]:
    return sorted({c.year for c in data.campaigns(_url(), fresh=fresh)}, reverse=True)


def parse_year(value) -> tuple[int | None, list[str]]:
    """The `annee` of an address: a year with campaigns, or None (every year) with a French notice."""
    if value in (None, ""):
        return None, []
    text = str(value).strip()
    if text.isdigit() and int(text) in years():
        return int(text), []
    return None, [f"Année « {text[:20]} » sans campagne : toutes les années sont affichées."]


def _states(codes: list[str], fresh: bool) -> tuple[pd.DataFrame, dict[tuple[str, str], model.State]]:
    targets = data.targets(_url(), codes, fresh=fresh)
    history = data.history(_url(), codes, fresh=fresh)
    by_target: dict[tuple[str, str], list[str]] = {}
    for c, f, s in zip(history["campaign"], history["finess"], history["step"]):
        by_target.setdefault((c, f), []).append(s)
    return targets, {k: model.state(v) for k, v in by_target.items()}


def _funnel_row(c: data.CampaignRow, region: str, counts: Mapping[str, int]) -> dict:
    rate = model.share(counts["entretiens"], counts["ciblees"])
    return {"campagne": c.code, "libelle": c.label, "theme": c.theme, "annee": c.year, "region": region,
            **counts, "taux_entretien_pct": round_half_up(rate * 100) if rate is not None else None}


def funnels(year: int | None = None, *, codes: Iterable[str] | None = None, fresh: bool = False
            ) -> list[CampaignFunnel]:
    """Every campaign (of `year`, or those of `codes`) with its funnel: counts of establishments that
    reached at least each step, over the campaign and per region of the establishments (region
    names, in alphabetical order)."""
    chosen = [c for c in data.campaigns(_url(), fresh=fresh)
              if (year is None or c.year == year) and (codes is None or c.code in set(codes))]
    targets, current = _states([c.code for c in chosen], fresh)
    regions = geo_names().regions
    out = []
    for c in chosen:
        mine = targets[targets["campaign"] == c.code]
        states = {f: current.get((c.code, f), model.State("ciblee", None)) for f in mine["finess"]}
        region_of = {f: regions.get(r, r) for f, r in zip(mine["finess"], mine["region_code"])}
        by_region = model.funnel_by(region_of, states)
        out.append(CampaignFunnel(c, model.funnel(states.values()),
                                  [_funnel_row(c, name, counts) for name, counts in by_region.items()]))
    return out


def funnel_rows(year: int | None = None) -> list[dict]:
    """/export/campagnes.csv: one row per campaign and region (FUNNEL_EXPORT_COLUMNS), as the
    /actions tables show them."""
    return [row for f in funnels(year) for row in f.regions]


def funnel_export_name(year: int | None) -> str:
    return f"campagnes-{year}.csv" if year else "campagnes.csv"


# --- One campaign --------------------------------------------------------------------------------

def campaign(code: str | None, fresh: bool = False) -> data.CampaignRow | None:
    if not isinstance(code, str) or not CAMPAIGN_CODE.fullmatch(code):
        return None
    return data.campaign(_url(), code, fresh=fresh)


def parse_filters(query: Mapping[str, str], rows: list[dict]) -> tuple[dict, list[str]]:
    """The `etape` and `region` filters of a campaign's address (checked against the steps and the
    regions of its establishments; a wrong one is dropped with a French notice)."""
    filters: dict[str, str | None] = {"etape": None, "region": None}
    notices: list[str] = []
    etape, region = query.get("etape"), query.get("region")
    if etape:
        if etape in model.STEPS:
            filters["etape"] = etape
        else:
            notices.append(f"Étape « {str(etape)[:30]} » inconnue : filtre ignoré.")
    if region:
        if region in {r["region_code"] for r in rows}:
            filters["region"] = region
        else:
            notices.append(f"Région « {str(region)[:30]} » sans établissement dans la campagne : filtre ignoré.")
    return filters, notices


def establishment_rows(code: str, *, fresh: bool = False) -> list[dict]:
    """One row per establishment of the campaign: finess, raison_sociale, region, region_code,
    departement, etape (code), etape_label, depuis (date of the current step, dd/mm/yyyy),
    saisi_par, version (for the optimistic check), in FINESS order."""
    names = geo_names()
    targets = data.targets(_url(), [code], fresh=fresh)
    history = data.history(_url(), [code], fresh=fresh)
    last: dict[str, dict] = {}
    steps: dict[str, list[str]] = {}
    for r in history.itertuples():
        steps.setdefault(r.finess, []).append(r.step)
        last[r.finess] = {"date": r.date, "by": r.recorded_by}
    rows = []
    for t in targets.itertuples():
        st = model.state(steps.get(t.finess, []))
        latest = last.get(t.finess, {})
        rows.append({"finess": t.finess, "raison_sociale": t.name, "region_code": t.region_code,
                     "region": names.regions.get(t.region_code, t.region_code),
                     "departement": f"{t.departement_code} {names.departements.get(t.departement_code, '')}".strip(),
                     "etape": st.step, "etape_label": labels.STEP_LABELS[st.step],
                     "issue": labels.STEP_LABELS[st.outcome] if st.outcome else "",
                     "depuis": latest["date"].strftime("%d/%m/%Y") if latest.get("date") else "",
                     "saisi_par": latest.get("by", ""), "version": int(t.version)})
    return rows


def filtered(rows: list[dict], filters: Mapping) -> list[dict]:
    return [r for r in rows if (not filters.get("etape") or r["etape"] == filters["etape"])
            and (not filters.get("region") or r["region_code"] == filters["region"])]


def step_rows(code: str | None = None, *, finess: str | None = None, fresh: bool = False) -> list[dict]:
    """Every recorded step (STEP_EXPORT_COLUMNS plus detail columns medecin, participants,
    conforme, libelle_etape), in recording order: /export/actions.csv and the histories on screen."""
    names = geo_names()
    history = data.history(_url(), [code] if code else None, finess=finess, fresh=fresh)
    targets = data.targets(_url(), [code] if code else None, finess=finess, fresh=fresh)
    info = {(t.campaign, t.finess): t for t in targets.itertuples()}
    rows = []
    for r in history.itertuples():
        t = info.get((r.campaign, r.finess))
        rows.append({"campagne": r.campaign, "finess": r.finess, "raison_sociale": t.name if t else "",
                     "region": names.regions.get(t.region_code, t.region_code) if t else "",
                     "departement": names.departements.get(t.departement_code, t.departement_code) if t else "",
                     "etape": r.step, "libelle_etape": labels.STEP_LABELS.get(r.step, r.step),
                     "date": r.date.isoformat() if r.date else "", "saisi_par": r.recorded_by, "note": r.note or "",
                     "medecin": r.medecin or "", "participants": r.participants or "",
                     "conforme": labels.COMPLIANT_LABELS.get(r.compliant, "") if r.compliant is not None else ""})
    return rows


def step_export_name(code: str | None) -> str:
    return f"actions-{code}.csv" if code else "actions.csv"


# --- Recording -----------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What a write gives back: whether it was done, the French message, the versions of the
    establishments concerned as they are now (the form's new starting point)."""

    ok: bool
    message: str
    versions: dict[str, int] = field(default_factory=dict)


def _clean(value, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def record(code: str, seen: Mapping[str, int], form: Mapping, *, fresh_versions: bool = True) -> Outcome:
    """Record the step described by `form` (etape, date, note, medecin, participants, conforme
    'oui'|'non') for the establishments of `seen` (finess -> the version the user's page showed),
    all or nothing. Refused in French, nothing written: an unknown campaign, establishment or
    step, a date in the future or before the campaign's year, a version that moved on (another
    user recorded in between: the message says so and the current versions come back)."""
    require()
    if hidden_by_presentation():
        return Outcome(False, labels.NOT_IN_PRESENTATION)
    camp = campaign(code, fresh=True)
    if camp is None:
        return Outcome(False, f"Campagne « {str(code)[:30]} » inconnue : rien n'a été enregistré.")
    if not isinstance(seen, Mapping) or not seen:
        return Outcome(False, "Choisissez au moins un établissement de la campagne : rien n'a été enregistré.")
    current = data.versions(_url(), camp.code, [str(f) for f in seen])
    unknown = [str(f) for f in seen if str(f) not in current]
    if unknown:
        return Outcome(False, f"Établissement{'s' if len(unknown) > 1 else ''} {', '.join(unknown[:5])[:120]} "
                              f"hors de la liste de la campagne {camp.code} (ou inconnu{'s' if len(unknown) > 1 else ''}) : "
                              "rien n'a été enregistré.", current)
    step = form.get("etape")
    date = model.parse_date(form.get("date"))
    problems = model.step_problems(step if isinstance(step, str) else None, date, camp.year, today())
    compliant = {"oui": True, "non": False}.get(str(form.get("conforme")))
    if step == "controle" and compliant is None:
        problems.append("contrôle a posteriori : indiquez s'il est conforme ou non")
    raw_note = form.get("note")
    note = raw_note if isinstance(raw_note, str) else ""
    if len(note) > NOTE_MAX:
        problems.append(f"note de {fmt_int(len(note))} caractères (au plus {fmt_int(NOTE_MAX)})")
    if problems or not isinstance(step, str) or date is None:
        return Outcome(False, "Rien n'a été enregistré : " + " ; ".join(problems) + ".", current)
    try:
        expected = {str(f): int(v) for f, v in seen.items()}
    except (TypeError, ValueError):
        return Outcome(False, "Version de la page illisible : rechargez la page.", current)
    user = _login()
    entry = data.Step(step=step, date=date, recorded_by=user, note=note,
                      medecin=_clean(form.get("medecin"), TEXT_MAX) or None if step == "entretien" else None,
                      participants=_clean(form.get("participants"), PARTICIPANTS_MAX) or None
                      if step == "entretien" else None,
                      compliant=compliant if step == "controle" else None)
    try:
        new = data.record_steps(_url(), camp.code, expected, entry, user=user)
    except data.Conflict as exc:
        names = {r["finess"]: r["raison_sociale"] for r in establishment_rows(camp.code, fresh=True)}
        who = ", ".join(f"{names.get(f, '')} ({f})".strip() for f in exc.finess[:3])
        return Outcome(False, labels.CONFLICT.format(who=who), data.versions(_url(), camp.code, list(expected)))
    audit.log_event("etape_enregistree", target=f"{camp.code} " + " ".join(sorted(expected))[:250],
                    detail=f"{step} du {date:%d/%m/%Y}")
    n = len(expected)
    return Outcome(True, labels.SAVED.format(step=labels.STEP_LABELS[step], n=n, s="s" if n > 1 else "",
                                             date=f"{date:%d/%m/%Y}"), new)


def _login() -> str:
    from flask import g, has_request_context

    user = g.get("atlas_user") if has_request_context() else None
    return user.login if user else "anonyme"


def add_by_hand(code: str, finess_text: str) -> Outcome:
    """Put establishments on a campaign's list by hand (FINESS separated by spaces, commas or
    semicolons); unknown numbers are refused in French, nothing added."""
    require()
    if hidden_by_presentation():
        return Outcome(False, labels.NOT_IN_PRESENTATION)
    camp = campaign(code, fresh=True)
    if camp is None:
        return Outcome(False, f"Campagne « {str(code)[:30]} » inconnue.")
    wanted = [f.strip().upper() for f in str(finess_text or "").replace(",", " ").replace(";", " ").split() if f.strip()]
    if not wanted:
        return Outcome(False, "Saisissez au moins un numéro FINESS.")
    known = data.known_establishments(_url(), wanted)
    unknown = [f for f in wanted if f not in known]
    if unknown:
        return Outcome(False, f"Établissement{'s' if len(unknown) > 1 else ''} inconnu{'s' if len(unknown) > 1 else ''} : "
                              f"{', '.join(u[:12] for u in unknown[:5])} ; rien n'a été ajouté.")
    added = data.add_targets(_url(), camp.code, wanted, user=_login(), day=today())
    if added:
        audit.log_event("cible_ajoutee", target=camp.code, detail=" ".join(added)[:1000])
    already = len(wanted) - len(added)
    return Outcome(True, f"{len(added)} établissement{'s' if len(added) > 1 else ''} ajouté{'s' if len(added) > 1 else ''} "
                         f"à la liste" + (f" ({already} déjà présent{'s' if already > 1 else ''})" if already else "")
                   + ".", data.versions(_url(), camp.code, wanted))


def _campaign_problems(code, label, theme, year, perimeter) -> list[str]:
    problems = []
    if not isinstance(code, str) or not CAMPAIGN_CODE.fullmatch(code.strip()):
        problems.append("code : de 1 à 30 lettres sans accent, chiffres, points, tirets ou soulignés")
    if not isinstance(label, str) or not label.strip():
        problems.append("libellé manquant")
    if theme not in model.THEMES:
        problems.append("thème inconnu")
    if not isinstance(year, int) or not 2000 <= year <= today().year + 1:
        problems.append("année invalide")
    names = geo_names()
    if not (perimeter == "FR" or (isinstance(perimeter, str) and (
            (perimeter[:1] == "R" and perimeter[1:] in names.regions)
            or (perimeter[:1] == "D" and perimeter[1:] in names.departements)))):
        problems.append("périmètre inconnu")
    return problems


def create(code, label, theme, year, perimeter, *, finess: Iterable[str] = (), rule_query: str = "") -> Outcome:
    """A new campaign with its target list (each establishment 'ciblee' today). French refusal
    for a taken code or a wrong field; audited."""
    require()
    if hidden_by_presentation():
        return Outcome(False, labels.NOT_IN_PRESENTATION)
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = None
    problems = _campaign_problems(code, label, theme, year, perimeter)
    if problems:
        return Outcome(False, "Campagne non créée : " + " ; ".join(problems) + ".")
    code = code.strip()
    try:
        data.create_campaign(_url(), code=code, label=label.strip(), theme=theme, year=year, perimeter=perimeter,
                             rule_query=rule_query, finess=list(finess), user=_login(), day=today())
    except ValueError as exc:
        return Outcome(False, str(exc))
    audit.log_event("campagne_creee", target=code, detail=rule_query or "liste vide")
    n = len(set(finess))
    return Outcome(True, f"Campagne « {code} » créée avec {n} établissement{'s' if n > 1 else ''} ciblé"
                         f"{'s' if n > 1 else ''}.")


def msap_defaults(rule) -> dict:
    """The code, label and theme proposed for a campaign made from a /msap rule."""
    theme = "msap_ssr" if rule.campagne == "SSR" else "msap_ambu"
    place = "France" if rule.perimetre == "FR" else rule.perimetre
    year = today().year
    return {"code": f"MSAP-{rule.campagne}-{rule.geste}-{place}-{year}"[:30].replace("+", ""),
            "label": f"MSAP {rule.campagne} {rule.geste} {place} {year} (données {rule.annee})", "theme": theme}


def create_from_msap(rule, code, label) -> Outcome:
    """A campaign whose list is the rule's flagged establishments, frozen now; the rule's /msap
    address is stored with it so the targeting can be replayed."""
    require()
    if hidden_by_presentation():
        return Outcome(False, labels.NOT_IN_PRESENTATION)
    from services import msap

    if rule.annee is None:
        return Outcome(False, "Aucune donnée pour cette règle : campagne non créée.")
    evaluated, _rows = msap.table(rule)
    flagged = evaluated.loc[evaluated["flagged"].astype(bool), "finess"].tolist()
    if not flagged:
        return Outcome(False, "La règle ne cible aucun établissement : campagne non créée.")
    theme = msap_defaults(rule)["theme"]
    return create(code, label, theme, today().year, rule.perimetre, finess=flagged,
                  rule_query="/msap" + msap.query_string(rule))


# --- The profile's section -----------------------------------------------------------------------

@dataclass(frozen=True)
class ProfileCampaign:
    campaign: data.CampaignRow
    state: model.State
    version: int
    steps: list[dict]


def profile_campaigns(finess: str | None, *, fresh: bool = False) -> list[ProfileCampaign]:
    """The campaigns targeting the establishment, with its state, version and history in each."""
    if not isinstance(finess, str) or not finess:
        return []
    targets = data.targets(_url(), finess=finess, fresh=fresh)
    if targets.empty:
        return []
    steps = step_rows(finess=finess, fresh=fresh)
    camps = {c.code: c for c in data.campaigns(_url(), fresh=fresh)}
    out = []
    for t in targets.itertuples():
        mine = [s for s in steps if s["campagne"] == t.campaign]
        out.append(ProfileCampaign(camps[t.campaign], model.state(s["etape"] for s in mine), int(t.version), mine))
    return out


def campaign_options(rows: list[ProfileCampaign]) -> list[dict]:
    return [{"label": f"{p.campaign.code} — {p.campaign.label}", "value": p.campaign.code} for p in rows]


def step_options() -> list[dict]:
    return [{"label": labels.STEP_LABELS[s], "value": s} for s in model.STEPS]


def theme_options() -> list[dict]:
    return [{"label": labels.THEME_LABELS[t], "value": t} for t in model.THEMES]


def in_progress(limit: int = 4) -> list[CampaignFunnel]:
    """Campaigns with an establishment not yet closed, most recent year first (the home page)."""
    return [f for f in funnels() if f.in_progress][:limit]
