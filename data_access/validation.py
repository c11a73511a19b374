"""Validation of import tables: what each kind's columns are, how text cells become typed
values, and the rules (pandera checks) every row must pass before anything is written.

The input is a table of strings whose index is the line of each row in the file (the
header is line 1, the first data row line 2). Every problem is collected, none stops the
others, and each is reported in French with its line and column.

Two stages:
1. `parse`: text -> typed values, column by column and vectorised (empty required values,
   numbers with a decimal point or comma and spaced thousands, dates, formula injection,
   control characters, lengths). A cell that fails here becomes missing, so the rules of
   stage 2 skip it instead of reporting the same cell twice.
2. `check`: a pandera schema built for the kind and the database's reference data
   (communes, catalogues, establishments): ranges, codes, cross-column rules, FINESS
   format and département, duplicated keys.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
import pandera.pandas as pa
from sqlalchemy import Connection, select

from data_access import models
from data_access.frames import read_frame

MAX_LISTED = 50  # problems listed in the message; the rest are counted
MAX_KEPT = 10_000  # problems kept on the exception
INT_MAX = 2_147_483_647  # INTEGER on PostgreSQL
MAX_CHARS = 10_000  # any cell
YEAR_MIN, YEAR_MAX = 2000, 2100
MSAP_MAX_MONTHS = 6  # art. L.162-1-17 CSS: at most six months of prior approval
MAX_DISTANCE_KM = 150  # establishment point vs its commune's point (large Guyane communes)

# Rough boxes (lat_min, lat_max, lon_min, lon_max) around mainland France with Corsica and
# the five overseas départements: a point outside all of them is a typo or swapped axes.
FRANCE_BOXES = {
    "métropole": (41.0, 51.6, -5.6, 9.9),
    "Guadeloupe": (15.8, 16.6, -61.9, -60.9),
    "Martinique": (14.3, 15.0, -61.3, -60.7),
    "Guyane": (2.0, 6.0, -54.8, -51.5),
    "La Réunion": (-21.5, -20.8, 55.1, 55.9),
    "Mayotte": (-13.1, -12.5, 44.9, 45.4),
}


# --- Problems ------------------------------------------------------------------------

@dataclass
class Problem:
    """One problem of an import; `line` is the line in the file (header = 1)."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column is not None:
            where.append(f"colonne « {self.column} »")
        return f"{', '.join(where)} : {self.message}" if where else self.message


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


class ImportRejected(Exception):
    """Nothing was written. `problems` lists them (sorted by line, at most MAX_KEPT),
    `total` counts them all; `str()` is the French report (the first MAX_LISTED)."""

    def __init__(self, problems: Iterable[Problem], *, total: int | None = None, file_name: str | None = None,
                 kind: str | None = None) -> None:
        ordered = sorted(problems, key=lambda p: (p.line or 0))
        self.total = total if total is not None else len(ordered)
        self.problems = ordered[:MAX_KEPT]
        self.file_name = file_name
        self.kind = kind
        super().__init__(self.report())

    def report(self, limit: int = MAX_LISTED) -> str:
        n = self.total
        where = ""
        if self.file_name:
            where += f" dans « {self.file_name} »"
        if self.kind:
            where += f" (type {self.kind})"
        lines = [f"{_plural(n, 'problème')}{where} :"]
        lines += [f"- {p}" for p in self.problems[:limit]]
        if n > limit:
            rest = n - limit
            lines.append(f"… et {rest} autre{'s' if rest > 1 else ''} problème{'s' if rest > 1 else ''}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


# --- Column specifications ---------------------------------------------------------------

def _ascii_lower(value: str) -> str:
    """'Privé' -> 'prive', 'Ciblée' -> 'ciblee' (the enumerations are stored without accents)."""
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()


def _upper_no_space(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def _parts(value: str) -> str:
    return "+".join(p.strip().lower() for p in value.split("+"))


@dataclass(frozen=True)
class Field:
    """One column of an import file.

    type: finess | code | text | note | int | float | date (note: free text over several lines, such
    as an interview summary; tabs and line breaks allowed, a leading = refused). `required`: the column must be in the
    header and every value filled; an optional column may be absent or have empty values,
    which are stored as `default` (None = NULL).
    """

    name: str
    type: str
    label: str
    required: bool = True
    default: object = None
    choices: tuple[str, ...] = ()
    normalise: Callable[[str], str] | None = None
    max_chars: int | None = None  # when the column's name differs from the table's (actions' `by`)


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str
    model: type[models.Base]
    fields: tuple[Field, ...]
    key_columns: tuple[str, ...] = ()  # the file's key when it is not the table's primary key
    duplicate_column: str | None = None  # the column a duplicated key is reported on (None: the row)

    @property
    def table(self):
        return self.model.__table__

    @property
    def keys(self) -> list[str]:
        if self.key_columns:
            return list(self.key_columns)
        return [c.name for c in self.table.primary_key.columns]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def max_length(self, name: str) -> int | None:
        if self.field(name).max_chars is not None:
            return self.field(name).max_chars
        col = self.table.c.get(name)
        return getattr(col.type, "length", None) if col is not None else None


FINESS = Field("finess", "finess", "numéro FINESS", normalise=str.upper)
YEAR = Field("year", "int", "année")

SPECS: dict[str, KindSpec] = {s.kind: s for s in (
    KindSpec("establishments", "établissements", models.Establishment, (
        FINESS,
        Field("name", "text", "raison sociale"),
        Field("legal_status", "code", "statut juridique", choices=("public", "espic", "prive"),
              normalise=_ascii_lower),
        Field("category", "text", "catégorie"),
        Field("activity", "code", "activité", choices=("MCO", "SSR", "MCO+SSR"), normalise=_upper_no_space),
        Field("commune_code", "code", "code commune INSEE", normalise=str.upper),
        Field("latitude", "float", "latitude", required=False),
        Field("longitude", "float", "longitude", required=False),
        Field("beds", "int", "lits"),
        Field("places", "int", "places", required=False, default=0),
    )),
    KindSpec("ssr_recourse", "recours au SSR", models.SsrRecourse, (
        FINESS, YEAR,
        Field("gesture", "code", "geste"),
        Field("age_band", "code", "tranche d'âge"),
        Field("stays", "int", "séjours"),
        Field("stays_with_ssr", "int", "séjours suivis de SSR"),
    )),
    KindSpec("ambulatory_surgery", "chirurgie ambulatoire", models.AmbulatorySurgery, (
        FINESS, YEAR,
        Field("gesture_group", "code", "groupe de gestes"),
        Field("stays", "int", "séjours"),
        Field("ambulatory_stays", "int", "séjours en ambulatoire"),
    )),
    KindSpec("profile_values", "profil SSR", models.ProfileValue, (
        FINESS, YEAR,
        Field("indicator", "code", "indicateur"),
        Field("numerator", "float", "numérateur"),
        Field("denominator", "float", "dénominateur", required=False),
    )),
    KindSpec("caqes_contracts", "contrats CAQES", models.CaqesContract, (
        FINESS,
        Field("start_year", "int", "année de début"),
        Field("end_year", "int", "année de fin"),
        Field("signed_on", "date", "date de signature"),
        Field("parts", "code", "volets", normalise=_parts),
    )),
    KindSpec("caqes_results", "résultats CAQES", models.CaqesResult, (
        FINESS, YEAR,
        Field("indicator", "code", "indicateur"),
        Field("baseline", "float", "valeur initiale"),
        Field("target", "float", "cible"),
        Field("achieved", "float", "valeur atteinte", required=False),
        Field("savings_eur", "float", "économies (€)", required=False),
    )),
    KindSpec("msap_decisions", "décisions MSAP", models.MsapDecision, (
        FINESS,
        Field("campaign", "code", "campagne", choices=("SSR", "AMBU"), normalise=_upper_no_space),
        Field("gesture", "code", "geste ou groupe", required=False, default=""),
        YEAR,
        Field("decision", "code", "décision", choices=("ciblee", "notifiee", "levee", "abandonnee"),
              normalise=_ascii_lower),
        Field("decided_on", "date", "date de décision"),
        Field("start_on", "date", "début de la MSAP", required=False),
        Field("end_on", "date", "fin de la MSAP", required=False),
    )),
    # Action follow-up (issue 17): not facts but the teams' own history, written by
    # data_access.actions (campaigns are upserted by code; actions are appended, never rewritten).
    KindSpec("campaigns", "campagnes", models.Campaign, (
        Field("code", "code", "code de la campagne"),
        Field("label", "text", "libellé"),
        Field("theme", "code", "thème", choices=models.CAMPAIGN_THEMES, normalise=_ascii_lower),
        YEAR,
        Field("perimeter", "code", "périmètre", normalise=_upper_no_space),
    )),
    KindSpec("actions", "suivi des actions", models.ActionStep, (
        Field("campaign", "code", "campagne"),
        FINESS,
        Field("step", "code", "étape", choices=models.ACTION_STEPS, normalise=_ascii_lower),
        Field("date", "date", "date"),
        Field("by", "text", "réalisé par", max_chars=100),
        Field("note", "note", "note", required=False, default=""),
    ), key_columns=("campaign", "finess", "step", "date")),
)}
ACTION_KINDS = ("campaigns", "actions")

# --- Ambulatory targets (issue 16): regional programmes' targets, no FINESS ------------------
SPECS["ambulatory_targets"] = KindSpec("ambulatory_targets", "cibles de chirurgie ambulatoire",
                                       models.AmbulatoryTarget, (
    Field("region_code", "code", "code région", normalise=str.upper),
    YEAR,
    Field("target_pct", "float", "cible (%)"),
    Field("departement_code", "code", "code département", required=False, default="", normalise=str.upper),
), duplicate_column="region_code")


# --- Header -------------------------------------------------------------------------------

def check_header(columns: list[str], spec: KindSpec) -> list[Problem]:
    """Missing, unknown and repeated column names (line 1)."""
    problems = []
    seen: set[str] = set()
    expected = spec.names
    for name in columns:
        if name in seen:
            problems.append(Problem(1, name, "colonne présente deux fois"))
        seen.add(name)
        if name not in expected:
            if name == "":
                problems.append(Problem(1, None, "une colonne de l'en-tête n'a pas de nom"))
                continue
            close = difflib.get_close_matches(name.lower(), expected, n=1, cutoff=0.75)
            hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
            problems.append(Problem(1, name, f"colonne inconnue pour le type {spec.kind}{hint} "
                                             f"(colonnes attendues : {', '.join(expected)})"))
    for f in spec.fields:
        if f.required and f.name not in seen:
            problems.append(Problem(1, f.name, f"colonne obligatoire absente ({f.label})"))
    return problems


# --- Stage 1: parsing -------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_NOTE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # tab, LF and CR allowed
_SPACE = "[ \u00a0\u202f]"
_NUMBER = re.compile(rf"[+-]?(?:\d{{1,3}}(?:{_SPACE}\d{{3}})+|\d+)?(?:[.,]\d*)?(?:[eE][+-]?\d+)?")
_HAS_DIGIT = re.compile(r"\d")
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_FR_DATE = r"\d{1,2}/\d{1,2}/\d{4}"


def show(value, width: int = 40) -> str:
    """A cell value as quoted in messages: control characters made visible, long values cut."""
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", str(value))
    return text if len(text) <= width else text[: width - 1] + "…"


def _fmt(value) -> str:
    """A number as it reads in a French message: 12, 12,5 (decimal comma), -0,57."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).replace(".", ",")


@dataclass
class Parsed:
    """Stage 1 output: typed values (missing where empty or invalid), the cells present
    in the file, and the problems found."""

    frame: pd.DataFrame
    present: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


class _Distinct:
    """A text column as its distinct values (stripped) plus one code per row: parsing and
    checks run once per distinct value, which makes 150,000-row files cheap (years, codes,
    FINESS and counts repeat a lot)."""

    def __init__(self, s: pd.Series) -> None:
        codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=False)
        self.codes = codes
        self.index = s.index
        self.values = pd.Series(uniques, dtype=object).str.strip()

    def rows(self, mask: pd.Series) -> np.ndarray:
        """A per-value boolean -> per-row boolean array."""
        return np.asarray(mask, dtype=bool)[self.codes]

    def expand(self, values: pd.Series) -> pd.Series:
        return pd.Series(values.array.take(self.codes), index=self.index)

    def report(self, problems: list[Problem], mask: pd.Series, column: str, message: Callable[[str], str]) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        texts = {}
        for pos in np.flatnonzero(mask[self.codes]):
            code = self.codes[pos]
            if code not in texts:
                texts[code] = message(self.values.iat[code])
            problems.append(Problem(int(self.index[pos]), column, texts[code]))


def _parse_numbers(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Strings -> float64 (NaN where invalid), and the mask of valid cells. Decimal point or
    comma; spaces and no-break spaces as thousands separators ('1 234,5')."""
    ok = s.str.fullmatch(_NUMBER).astype(bool) & s.str.contains(_HAS_DIGIT).astype(bool)
    clean = s.where(ok).str.replace(_SPACE, "", regex=True).str.replace(",", ".", regex=False)
    values = pd.to_numeric(clean, errors="coerce").astype("float64")
    ok &= values.notna() & np.isfinite(values)
    return values.where(ok), ok


def _parse_dates(s: pd.Series) -> pd.Series:
    iso = pd.to_datetime(s.where(s.str.fullmatch(_ISO_DATE).astype(bool)), format="%Y-%m-%d", errors="coerce")
    fr = pd.to_datetime(s.where(s.str.fullmatch(_FR_DATE).astype(bool)), format="%d/%m/%Y", errors="coerce")
    return iso.fillna(fr)


def parse(raw: pd.DataFrame, spec: KindSpec) -> Parsed:
    """Stage 1: `raw` holds strings ('' = empty), its index is the file's lines."""
    problems: list[Problem] = []
    typed: dict[str, pd.Series] = {}
    present: dict[str, pd.Series] = {}
    for f in spec.fields:
        col = _Distinct(raw[f.name] if f.name in raw else pd.Series("", index=raw.index, dtype=object))
        s = col.values  # one entry per distinct value
        filled = s.ne("")
        present[f.name] = col.expand(filled)
        if f.required:
            # report() calls the message now, in this iteration
            col.report(problems, ~filled, f.name, lambda v: f"valeur obligatoire manquante ({f.label})")  # noqa: B023
        huge = s.str.len().gt(MAX_CHARS)
        col.report(problems, huge, f.name, lambda v: f"valeur de {len(v)} caractères (au plus {MAX_CHARS})")
        s = s.where(~huge, "")
        bad = huge | s.str.contains(_CONTROL_NOTE if f.type == "note" else _CONTROL).astype(bool)
        col.report(problems, bad, f.name,
                   lambda v: f"« {show(v)} » contient un caractère de contrôle (tabulation, retour à la ligne…) : "
                             "interdit")
        formula = s.str.startswith("=").astype(bool) & ~bad
        if f.type == "text":
            formula |= s.str.match(r"[+\-@]").astype(bool) & ~bad
        starts = "=" if f.type == "note" else "=, +, - ou @"  # a note may start with a dash or a plus
        col.report(problems, formula, f.name, _formula_message(starts))
        bad |= formula
        todo = filled & ~bad

        if f.type in ("int", "float"):
            values, ok = _parse_numbers(s.where(todo, ""))
            if f.type == "int":
                col.report(problems, todo & ~ok, f.name, lambda v: f"« {show(v)} » n'est pas un nombre entier")
                fraction = ok & (values % 1 != 0)
                col.report(problems, fraction, f.name,
                           lambda v: f"« {show(v)} » n'est pas un nombre entier (pas de décimales ici)")
                huge = ok & ~fraction & (values.abs() > INT_MAX)
                col.report(problems, huge, f.name, lambda v: f"« {show(v)} » : nombre trop grand")
                values = values.where(ok & ~fraction & ~huge).astype("Int64")
            else:
                col.report(problems, todo & ~ok, f.name,
                           lambda v: f"« {show(v)} » n'est pas un nombre (exemples : 12,5 ou 12.5 ou 1 234)")
                values = values.where(ok)
        elif f.type == "date":
            values = _parse_dates(s.where(todo, ""))
            col.report(problems, todo & values.isna(), f.name,
                       lambda v: f"« {show(v)} » n'est pas une date valide (formats acceptés : AAAA-MM-JJ ou "
                                 "JJ/MM/AAAA)")
        else:
            # the lambdas below run within this iteration (map, report): the loop variables are current
            values = s if f.normalise is None else s.map(lambda v: f.normalise(v) if v else v)  # noqa: B023
            limit = spec.max_length(f.name)
            if limit is not None and f.type == "text":  # codes are checked against their lists
                too_long = todo & values.str.len().gt(limit)
                col.report(problems, too_long, f.name,
                           lambda v: f"« {show(v)} » : {len(v)} caractères, au plus {limit} acceptés")  # noqa: B023
                todo &= ~too_long
            values = values.where(todo, None).astype(object)
        if not f.required and f.default is not None:
            values = values.astype(object).where(filled, f.default)
        typed[f.name] = col.expand(values)
    return Parsed(pd.DataFrame(typed, index=raw.index), pd.DataFrame(present, index=raw.index), problems)


# --- Reference data from the database ----------------------------------------------------------

@dataclass
class References:
    """What the rules compare codes with, read from the database before validation."""

    communes: pd.DataFrame | None = None  # index code: name, departement_code, region_code, latitude, longitude
    regions: list[str] = field(default_factory=list)  # ambulatory_targets, campaigns
    departement_regions: dict[str, str] = field(default_factory=dict)  # ambulatory_targets: code -> region
    establishments: pd.DataFrame | None = None  # index finess: activity, region_code
    gestures: list[str] = field(default_factory=list)
    age_bands: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    profile_kinds: dict[str, str] = field(default_factory=dict)
    caqes_indicators: pd.DataFrame | None = None  # index code: part, region_code
    caqes_parts: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    campaign_years: dict[str, int] = field(default_factory=dict)  # code -> year
    targets: set[tuple[str, str]] = field(default_factory=set)  # (campaign, finess) on a list
    today: dt.date = field(default_factory=dt.date.today)


def load_references(conn: Connection, spec: KindSpec, raw: pd.DataFrame | None = None) -> References:
    """The catalogues and tables the kind's rules need. For establishments, only the
    communes named in `raw` are read (all of them when `raw` is None or names very many)."""
    m = models
    refs = References()
    codes = lambda table: list(conn.scalars(select(table.code).order_by(table.position)))  # noqa: E731
    if spec.kind == "establishments":
        query = (select(m.Commune.code, m.Commune.name, m.Commune.departement_code, m.Departement.region_code,
                        m.Commune.latitude, m.Commune.longitude)
                 .join(m.Departement, m.Departement.code == m.Commune.departement_code))
        if raw is not None and "commune_code" in raw:
            wanted = pd.unique(raw["commune_code"].astype(str).str.strip())
            if len(wanted) <= 5_000:
                query = query.where(m.Commune.code.in_([str(c).upper() for c in wanted]))
        refs.communes = read_frame(conn, query).set_index("code")  # code, name, departement_code, region_code, …
        return refs
    if spec.kind == "campaigns":
        refs.regions = list(conn.scalars(select(m.Region.code).order_by(m.Region.code)))
        refs.departements = list(conn.scalars(select(m.Departement.code).order_by(m.Departement.code)))
        return refs
    if spec.kind == "ambulatory_targets":
        refs.regions = list(conn.scalars(select(m.Region.code).order_by(m.Region.code)))
        refs.departement_regions = dict(conn.execute(select(m.Departement.code, m.Departement.region_code)).all())
        return refs
    refs.establishments = read_frame(conn, select(m.Establishment.finess, m.Establishment.activity,
                                                 m.Establishment.region_code)).set_index("finess")
    if spec.kind in ("ssr_recourse", "msap_decisions"):
        refs.gestures = codes(m.Gesture)
    if spec.kind == "ssr_recourse":
        refs.age_bands = codes(m.AgeBand)
    if spec.kind in ("ambulatory_surgery", "msap_decisions"):
        refs.groups = codes(m.AmbulatoryGroup)
    if spec.kind == "profile_values":
        refs.profile_kinds = dict(conn.execute(select(m.ProfileIndicator.code, m.ProfileIndicator.kind)).all())
    if spec.kind == "actions":
        refs.campaign_years = dict(conn.execute(select(m.Campaign.code, m.Campaign.year)).all())
        refs.targets = set(conn.execute(select(m.CampaignTarget.campaign, m.CampaignTarget.finess)).all())
    if spec.kind in ("caqes_results", "caqes_contracts"):
        refs.caqes_indicators = read_frame(conn, select(m.CaqesIndicator.code, m.CaqesIndicator.part,
                                                         m.CaqesIndicator.region_code)).set_index("code")
        refs.caqes_parts = sorted(set(refs.caqes_indicators["part"]))
    return refs


# --- Stage 2: rules ---------------------------------------------------------------------------

_FINESS = r"(?:\d{2}|2[AB])\d{7}"
_INHERIT = object()


@dataclass(frozen=True)
class Rule:
    """A pandera check plus its French message.

    `test` receives the values of column `on` (without missing values unless `ignore_na`
    is False) and returns True where valid; `message` turns one failing row (a namedtuple
    of the typed frame, `Index` = line) into text. `column` is the column named in the
    report (None for a row-level problem such as a duplicated key).
    """

    name: str
    on: str
    test: Callable[[pd.Series], pd.Series]
    message: Callable[[Any], str]  # a row of DataFrame.itertuples()
    column: object = _INHERIT
    ignore_na: bool = True

    @property
    def reported_column(self) -> str | None:
        return self.on if self.column is _INHERIT else cast("str | None", self.column)


def _ok(mask: pd.Series, *partners: pd.Series) -> pd.Series:
    """A cross-column comparison passes where a partner value is missing (the missing cell
    is reported elsewhere, or allowed); datetime and float comparisons with NaT/NaN give
    False rather than NA, hence the explicit partners."""
    mask = mask.astype("boolean").fillna(True).astype(bool)
    for partner in partners:
        mask |= partner.isna().to_numpy()
    return mask


def _listing(values: Iterable[str], limit: int = 12) -> str:
    values = list(values)
    return ", ".join(values[:limit]) + (", …" if len(values) > limit else "")


def _date(value) -> str:
    return pd.Timestamp(value).strftime("%d/%m/%Y")


def _finess_problem(value: str) -> str:
    if value.isdigit() and len(value) == 8:
        return (f"FINESS « {value} » : 8 chiffres au lieu de 9 (zéro initial perdu par le tableur ? "
                f"écrivez « 0{value} »)")
    return (f"FINESS « {show(value)} » invalide : 9 caractères attendus, les 2 du département "
            "(2A ou 2B pour la Corse, 97 pour l'outre-mer) puis 7 chiffres")


def _haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(x, dtype=float)) for x in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def _in_france(lat: pd.Series, lon: pd.Series) -> pd.Series:
    inside = pd.Series(False, index=lat.index)
    for lat_min, lat_max, lon_min, lon_max in FRANCE_BOXES.values():
        inside |= lat.between(lat_min, lat_max) & lon.between(lon_min, lon_max)
    return inside


def _member_rule(col: str, allowed: Iterable[str], what: str) -> Rule:
    """`what` is the message's subject with its agreement, e.g. 'geste « {} » inconnu'."""
    allowed = list(allowed)
    valid = set(allowed)
    return Rule(f"{col}_known", col, lambda s: s.isin(valid),
                lambda r: f"{what.format(show(getattr(r, col)))} (valeurs admises : {_listing(allowed)})")


def _by_value(s: pd.Series, test: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a costly per-value test (regular expression) once per distinct value."""
    codes, uniques = pd.factorize(s.to_numpy(dtype=object))
    result = np.append(np.asarray(test(pd.Series(uniques, dtype=object)), dtype=bool), False)
    return pd.Series(result[codes], index=s.index)  # code -1 (missing) -> False


def finess_valid(s: pd.Series) -> pd.Series:
    """True where the value is a well-formed FINESS number."""
    return _by_value(s, lambda u: u.str.fullmatch(_FINESS).astype(bool))


def _message(column: str, template: str, show_value: Callable[[Any], str] = str) -> Callable[[Any], str]:
    """A rule's message: `template` with the row's value of `column` in place of {}."""
    return lambda r: template.format(show_value(getattr(r, column)))


def _formula_message(starts: str) -> Callable[[Any], str]:
    """The message for a value a spreadsheet would run as a formula (`starts`: the refused first characters)."""
    return lambda v: (f"« {show(v)} » commence par « {v[0]} » : les valeurs commençant par {starts} sont refusées "
                      "(formules de tableur, risque d'injection)")


def _common_rules(spec: KindSpec, frame: pd.DataFrame, refs: References) -> list[Rule]:
    rules: list[Rule] = []
    has_finess = "finess" in spec.names  # every kind but campaigns and ambulatory_targets
    if has_finess:
        finess_ok = finess_valid(frame["finess"])
        rules.append(Rule("finess_format", "finess", lambda s: finess_ok.loc[s.index],
                          lambda r: _finess_problem(r.finess)))
    for f in spec.fields:
        if f.choices:
            rules.append(_member_rule(f.name, f.choices, f"{f.label} « {{}} » : valeur inconnue"))
        if f.type == "int" and f.name.endswith("year"):
            rules.append(Rule(f"{f.name}_range", f.name, lambda s: s.between(YEAR_MIN, YEAR_MAX),
                              _message(f.name, f"année {{}} hors de la plage {YEAR_MIN}–{YEAR_MAX}")))
        elif f.type == "int":
            rules.append(Rule(f"{f.name}_not_negative", f.name, lambda s: s.ge(0),
                              _message(f.name, f"{{}} : un nombre de {f.label} ne peut pas être négatif")))
        elif f.type == "date":
            rules.append(Rule(f"{f.name}_range", f.name, lambda s: s.dt.year.between(YEAR_MIN, YEAR_MAX),
                              _message(f.name, f"date {{}} hors de la plage {YEAR_MIN}–{YEAR_MAX}", _date)))
    if refs.establishments is not None and has_finess:
        known = set(refs.establishments.index)
        rules.append(Rule(
            "finess_known", "finess",
            lambda s: ~finess_ok.loc[s.index] | s.isin(known),
            lambda r: f"établissement {r.finess} inconnu : importez-le d'abord (fichier de type establishments)"))
    keys = spec.keys
    complete = frame[keys].notna().all(axis=1)
    duplicated = frame.duplicated(keys, keep="first") & complete
    if duplicated.any():
        lines = pd.Series(frame.index, index=frame.index)
        first = lines.groupby([frame[k] for k in keys], sort=False).transform("min")[duplicated].to_dict()
        rules.append(Rule(
            "duplicated_key", keys[0], lambda s: ~duplicated.loc[s.index],
            lambda r: "clé en double (" + ", ".join(f"{k} {_show_key(getattr(r, k))}" for k in keys)
                      + f") : déjà présente ligne {int(first[r.Index])}",
            column=spec.duplicate_column, ignore_na=False))
    return rules


def _show_key(value) -> str:
    if isinstance(value, pd.Timestamp):
        return _date(value)
    return f"« {value} »" if value == "" else str(value)


def _establishment_rules(frame: pd.DataFrame, present: pd.DataFrame, refs: References) -> list[Rule]:
    com = refs.communes
    assert com is not None  # load_references reads the communes for this kind
    dep_of = com["departement_code"]
    known_commune = set(com.index)

    def commune_message(r) -> str:
        code = r.commune_code
        hint = " ; zéro initial perdu par le tableur ?" if code.isdigit() and len(code) == 4 else ""
        return f"commune « {show(code)} » inconnue (code INSEE à 5 caractères, ex. 75056 pour Paris{hint})"

    def prefix_of(finess: pd.Series, dep: pd.Series) -> pd.Series:
        return finess.str[:3].where(dep.str.startswith("97"), finess.str[:2])

    def prefix_test(s: pd.Series) -> pd.Series:
        dep = frame.loc[s.index, "commune_code"].map(dep_of).astype(object)
        checkable = finess_valid(s) & dep.notna()
        return ~checkable | (prefix_of(s, dep.fillna("")) == dep)

    def prefix_message(r) -> str:
        dep = dep_of[r.commune_code]
        prefix = r.finess[:3] if dep.startswith("97") else r.finess[:2]
        return (f"le FINESS {r.finess} commence par « {prefix} » mais la commune {r.commune_code} "
                f"({com.at[r.commune_code, 'name']}) est dans le département {dep}")

    def distance(s: pd.Series) -> pd.Series:
        rows = frame.loc[s.index]
        ref = com.reindex(rows["commune_code"].fillna(""))
        km = pd.Series(_haversine_km(rows["latitude"], rows["longitude"], ref["latitude"], ref["longitude"]),
                       index=s.index)
        return km.le(MAX_DISTANCE_KM) | km.isna() | ~_in_france(s, rows["longitude"])

    def distance_message(r) -> str:
        c = com.loc[r.commune_code]
        km = _haversine_km(r.latitude, r.longitude, c["latitude"], c["longitude"])
        return (f"le point ({_fmt(r.latitude)} ; {_fmt(r.longitude)}) est à {km:.0f} km de la commune "
                f"{r.commune_code} ({c['name']}) : vérifiez latitude, longitude et code commune")

    def box_test(s: pd.Series) -> pd.Series:
        lon = frame.loc[s.index, "longitude"]
        return _in_france(s, lon) | lon.isna()

    return [
        Rule("commune_known", "commune_code", lambda s: s.isin(known_commune), commune_message),
        Rule("finess_departement", "finess", prefix_test, prefix_message),
        Rule("latitude_range", "latitude", lambda s: s.between(-90, 90),
             lambda r: f"latitude {_fmt(r.latitude)} impossible (entre -90 et 90)"),
        Rule("longitude_range", "longitude", lambda s: s.between(-180, 180),
             lambda r: f"longitude {_fmt(r.longitude)} impossible (entre -180 et 180)"),
        Rule("point_in_france", "latitude", box_test,
             lambda r: f"le point ({_fmt(r.latitude)} ; {_fmt(r.longitude)}) est hors de la France métropolitaine "
                       "et des départements d'outre-mer (latitude et longitude inversées ?)"),
        Rule("point_near_commune", "latitude", distance, distance_message),
        Rule("longitude_missing", "longitude",
             lambda s: ~(present.loc[s.index, "latitude"] & ~present.loc[s.index, "longitude"]),
             lambda r: "longitude manquante alors que la latitude est renseignée (renseignez les deux, ou "
                       "aucune pour placer l'établissement au centre de sa commune)", ignore_na=False),
        Rule("latitude_missing", "latitude",
             lambda s: ~(present.loc[s.index, "longitude"] & ~present.loc[s.index, "latitude"]),
             lambda r: "latitude manquante alors que la longitude est renseignée (renseignez les deux, ou "
                       "aucune pour placer l'établissement au centre de sa commune)", ignore_na=False),
    ]


def _at_most_rule(frame: pd.DataFrame, col: str, total: str, what: str) -> Rule:
    def message(r) -> str:
        return f"{getattr(r, col)} {what} pour {getattr(r, total)} séjours (doit être ≤ séjours)"

    def test(s: pd.Series) -> pd.Series:
        partner = frame.loc[s.index, total]
        return _ok(s.le(partner) | partner.lt(0))  # a negative total is reported on its own

    return Rule(f"{col}_le_{total}", col, test, message)


def _kind_rules(spec: KindSpec, frame: pd.DataFrame, present: pd.DataFrame, refs: References) -> list[Rule]:
    kind = spec.kind
    if kind == "establishments":
        return _establishment_rules(frame, present, refs)
    if kind == "campaigns":  # the one kind that names no establishment
        return _campaign_rules(refs)
    if kind == "ambulatory_targets":  # no FINESS: regions and départements only
        return _ambulatory_target_rules(frame, refs)
    rules: list[Rule] = []
    assert refs.establishments is not None  # load_references reads them for every kind naming establishments
    if kind == "ssr_recourse":
        activity = refs.establishments["activity"]
        rules += [
            _member_rule("gesture", refs.gestures, "geste « {} » inconnu"),
            _member_rule("age_band", refs.age_bands, "tranche d'âge « {} » inconnue"),
            Rule("finess_mco", "finess", lambda s: ~s.map(activity).eq("SSR").astype(bool),
                 lambda r: f"l'établissement {r.finess} a l'activité SSR seule : le recours au SSR après chirurgie "
                           "se mesure dans un établissement MCO (activité MCO ou MCO+SSR)"),
            _at_most_rule(frame, "stays_with_ssr", "stays", "séjours suivis de SSR"),
        ]
    elif kind == "ambulatory_surgery":
        rules += [
            _member_rule("gesture_group", refs.groups, "groupe de gestes « {} » inconnu"),
            _at_most_rule(frame, "ambulatory_stays", "stays", "séjours en ambulatoire"),
        ]
    elif kind == "profile_values":
        kinds = refs.profile_kinds
        indicator_kind = frame["indicator"].map(kinds)
        rules += [
            _member_rule("indicator", sorted(kinds), "indicateur « {} » inconnu"),
            Rule("numerator_not_negative", "numerator", lambda s: s.ge(0),
                 lambda r: f"numérateur {_fmt(r.numerator)} négatif (doit être ≥ 0)"),
            Rule("denominator_required", "denominator",
                 lambda s: ~(indicator_kind.loc[s.index].eq("ratio") & ~present.loc[s.index, "denominator"]),
                 lambda r: f"dénominateur obligatoire : l'indicateur {r.indicator} est un ratio",
                 ignore_na=False),
            Rule("denominator_positive", "denominator",
                 lambda s: ~(indicator_kind.loc[s.index].eq("ratio") & s.le(0)),
                 lambda r: f"dénominateur {_fmt(r.denominator)} : doit être > 0 pour l'indicateur ratio "
                           f"{r.indicator}"),
            Rule("denominator_forbidden", "denominator",
                 lambda s: ~indicator_kind.loc[s.index].eq("count"),
                 lambda r: f"l'indicateur {r.indicator} est un dénombrement : laissez le dénominateur vide"),
        ]
    elif kind == "caqes_contracts":
        parts = refs.caqes_parts

        def parts_test(s: pd.Series) -> pd.Series:
            ok = {v: all(p in parts for p in v.split("+")) for v in s.unique()}
            return s.map(ok).astype(bool)

        def parts_message(r) -> str:
            unknown = [p for p in r.parts.split("+") if p not in parts]
            return (f"{_plural(len(unknown), 'volet')} inconnu{'s' if len(unknown) > 1 else ''} : "
                    f"{', '.join(f'« {show(p)} »' for p in unknown)} (volets admis : {', '.join(parts)} ; "
                    "séparés par +)")

        rules += [
            Rule("end_after_start", "end_year", lambda s: _ok(s.ge(frame.loc[s.index, "start_year"])),
                 lambda r: f"année de fin {r.end_year} avant l'année de début {r.start_year}"),
            Rule("parts_known", "parts", parts_test, parts_message),
        ]
    elif kind == "caqes_results":
        ind = refs.caqes_indicators
        assert ind is not None
        region_of_ind = ind["region_code"].dropna()
        region_of_est = refs.establishments["region_code"]

        def region_test(s: pd.Series) -> pd.Series:
            wanted = s.map(region_of_ind)
            actual = frame.loc[s.index, "finess"].map(region_of_est)
            return _ok(wanted.eq(actual).where(wanted.notna() & actual.notna()))

        rules += [
            _member_rule("indicator", ind.index, "indicateur CAQES « {} » inconnu"),
            Rule("indicator_region", "indicator", region_test,
                 lambda r: f"l'indicateur régional {r.indicator} est propre à la région "
                           f"{region_of_ind.get(r.indicator)}, pas à celle de l'établissement {r.finess} "
                           f"({region_of_est.get(r.finess)})"),
        ]
    elif kind == "msap_decisions":
        gestures, groups = set(refs.gestures), set(refs.groups)
        allowed = {"SSR": refs.gestures, "AMBU": refs.groups}

        def gesture_test(s: pd.Series) -> pd.Series:
            campaign = frame.loc[s.index, "campaign"]
            return (s.eq("") | campaign.isna() | ~campaign.isin(allowed)
                    | (campaign.eq("SSR") & s.isin(gestures)) | (campaign.eq("AMBU") & s.isin(groups)))

        def end_limit(s: pd.Series) -> pd.Series:
            start = frame.loc[s.index, "start_on"]
            return _ok(s.le(start + pd.DateOffset(months=MSAP_MAX_MONTHS)).where(start.notna()))

        rules += [
            Rule("gesture_in_campaign", "gesture", gesture_test,
                 lambda r: f"geste « {show(r.gesture)} » inconnu pour la campagne {r.campaign} (valeurs admises : "
                           f"{_listing(allowed[r.campaign])}, ou vide pour toute la campagne)"),
            Rule("end_after_start", "end_on",
                 lambda s: _ok(s.ge(frame.loc[s.index, "start_on"]), frame.loc[s.index, "start_on"]),
                 lambda r: f"fin de la MSAP le {_date(r.end_on)} avant son début le {_date(r.start_on)}"),
            Rule("msap_at_most_6_months", "end_on", end_limit,
                 lambda r: f"MSAP du {_date(r.start_on)} au {_date(r.end_on)} : plus de {MSAP_MAX_MONTHS} mois "
                           "(durée maximale légale)"),
            Rule("start_required_with_end", "start_on",
                 lambda s: ~(present.loc[s.index, "end_on"] & ~present.loc[s.index, "start_on"]),
                 lambda r: "date de début manquante alors que la date de fin est renseignée", ignore_na=False),
        ]
    elif kind == "actions":
        rules += _action_rules(frame, refs)
    return rules


CAMPAIGN_CODE = models.CAMPAIGN_CODE


def _campaign_rules(refs: References) -> list[Rule]:
    regions, departements = set(refs.regions), set(refs.departements)

    def perimeter_ok(value: str) -> bool:
        return value == "FR" or (value[:1] == "R" and value[1:] in regions) or (
            value[:1] == "D" and value[1:] in departements)

    return [
        Rule("code_format", "code", lambda s: s.str.fullmatch(CAMPAIGN_CODE).astype(bool),
             lambda r: f"code « {show(r.code)} » : de 1 à 30 lettres sans accent, chiffres, points, tirets ou "
                       "soulignés, commençant par une lettre ou un chiffre (il sert d'adresse : /actions/<code>)"),
        Rule("perimeter_known", "perimeter", lambda s: s.map(perimeter_ok).astype(bool),
             lambda r: f"périmètre « {show(r.perimeter)} » inconnu : FR (France entière), R suivi du code d'une "
                       "région (R75) ou D suivi du code d'un département (D33, D2A, D974)"),
    ]


def _action_rules(frame: pd.DataFrame, refs: References) -> list[Rule]:
    years = refs.campaign_years
    today = pd.Timestamp(refs.today)
    # (campaign, finess) pairs put on a list by a 'ciblee' row of this file
    targeted_here = set(zip(frame.loc[frame["step"].eq("ciblee"), "campaign"],
                            frame.loc[frame["step"].eq("ciblee"), "finess"]))
    on_list = refs.targets | targeted_here

    def before_year(s: pd.Series) -> pd.Series:
        year = frame.loc[s.index, "campaign"].map(years)
        return _ok(s.dt.year.ge(year).where(year.notna()))

    def listed(s: pd.Series) -> pd.Series:
        rows = frame.loc[s.index]
        pairs = pd.Series(list(zip(rows["campaign"], rows["finess"])), index=s.index)
        known = refs.establishments.index if refs.establishments is not None else []
        # an unknown campaign or establishment is reported on its own
        checkable = rows["campaign"].isin(list(years)) & rows["finess"].isin(known) & rows["step"].notna()
        return ~checkable | rows["step"].eq("ciblee") | pairs.map(lambda p: p in on_list).astype(bool)

    return [
        Rule("campaign_known", "campaign", lambda s: s.isin(list(years)),
             lambda r: f"campagne « {show(r.campaign)} » inconnue : importez-la d'abord (fichier de type "
                       f"campaigns){' ; campagnes connues : ' + _listing(sorted(years)) if years else ''}"),
        Rule("date_not_future", "date", lambda s: s.le(today),
             lambda r: f"date du {_date(r.date)} dans le futur : une étape se saisit une fois faite"),
        Rule("date_in_campaign", "date", before_year,
             lambda r: f"date du {_date(r.date)} antérieure à l'année de la campagne {r.campaign} "
                       f"({years.get(r.campaign)})"),
        Rule("finess_on_list", "finess", listed,
             lambda r: f"l'établissement {r.finess} n'est pas sur la liste de la campagne {r.campaign} : ajoutez "
                       "une ligne d'étape « ciblee » pour l'y mettre", ignore_na=False),
    ]


def _ambulatory_target_rules(frame: pd.DataFrame, refs: References) -> list[Rule]:
    """A known region; a percentage from 0 to 100; a local target's département in that region."""
    dep_region = refs.departement_regions

    def departement_test(s: pd.Series) -> pd.Series:
        return s.eq("") | s.isin(dep_region)

    def in_region_test(s: pd.Series) -> pd.Series:
        region = frame.loc[s.index, "region_code"]
        known = s.isin(dep_region) & region.isin(refs.regions)
        return ~known | (s.map(dep_region) == region)

    return [
        _member_rule("region_code", refs.regions, "région « {} » inconnue"),
        Rule("target_pct_range", "target_pct", lambda s: s.between(0, 100),
             lambda r: f"cible {_fmt(r.target_pct)} % hors de la plage 0–100 (un pourcentage, ex. 65,5)"),
        Rule("departement_known", "departement_code", departement_test,
             lambda r: f"département « {show(r.departement_code)} » inconnu (code à 2 ou 3 caractères, ex. 33, "
                       "2A, 971 ; vide pour la cible régionale)"),
        Rule("departement_in_region", "departement_code", in_region_test,
             lambda r: f"le département {r.departement_code} n'est pas dans la région {r.region_code} "
                       f"(il est dans la région {dep_region.get(r.departement_code)})"),
    ]


def check(parsed: Parsed, spec: KindSpec, refs: References) -> tuple[list[Problem], int]:
    """Stage 2: run the kind's rules as one lazy pandera schema; failures -> French problems.

    Returns the problems and how many more failed: messages are only written for the
    first MAX_KEPT failing lines of each rule (a file where every row fails is reported
    in seconds, not minutes)."""
    frame = parsed.frame
    rules = _common_rules(spec, frame, refs) + _kind_rules(spec, frame, parsed.present, refs)
    by_name = {r.name: r for r in rules}
    assert len(by_name) == len(rules), "rule names must be unique"

    checks: dict[str, list[pa.Check]] = defaultdict(list)
    for rule in rules:
        checks[rule.on].append(pa.Check(rule.test, name=rule.name, ignore_na=rule.ignore_na))
    schema = pa.DataFrameSchema({col: pa.Column(None, cs, nullable=True, required=False)
                                 for col, cs in checks.items()}, name=spec.kind)
    try:
        schema.validate(frame, lazy=True)
        return [], 0
    except pa.errors.SchemaErrors as err:
        failures = err.failure_cases
    problems, omitted = [], 0
    for name, group in failures.groupby("check", sort=False):
        failed = by_name.get(name)
        lines = pd.to_numeric(group["index"], errors="coerce")
        if failed is None or lines.isna().any():  # a rule that crashed: say so rather than hide it
            column = failed.reported_column if failed else None
            problems.append(Problem(None, column, f"contrôle « {name} » impossible : "
                                                  f"{show(group['failure_case'].iloc[0], 200)}"))
            continue
        lines = np.sort(pd.unique(lines.astype(int)))
        omitted += max(0, len(lines) - MAX_KEPT)
        rows = frame.loc[lines[:MAX_KEPT]]
        problems += [Problem(int(r.Index), failed.reported_column, failed.message(r)) for r in rows.itertuples()]
    return problems, omitted


def validate(raw: pd.DataFrame, spec: KindSpec, refs: References) -> tuple[pd.DataFrame, list[Problem], int]:
    """Both stages. Returns the typed frame (index = lines), the problems sorted by line then
    by the kind's column order, and their total count (some may not have been written out)."""
    parsed = parse(raw, spec)
    found, omitted = check(parsed, spec, refs)
    problems = parsed.problems + found
    order = {name: i for i, name in enumerate(spec.names)}
    problems.sort(key=lambda p: (p.line or 0, order.get(p.column or "", -1)))
    return parsed.frame, problems, len(problems) + omitted
