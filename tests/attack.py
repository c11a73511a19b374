"""An outside attacker of the presentation mode's secret statistique on /ssr, built from what a
presentation session publishes and nothing else (no import of the app's secrecy code: its markers
are read as text, whatever they say).

What it reads, for one year, over every filter the page and its export accept (geste: each of the
4 gestures and TOUS; age: each band and tous; statut: each status and tous):
  * /export/ssr.csv at niveau=reg, at niveau=dep, and at niveau=reg&focus=<region> for every region;
  * the /ssr callback (POST /_dash-update-component) drilled into every département
    (niveau=dep&focus=<département>): France's figure (the KPI above the grid) and the grid of the
    département's establishments (FINESS shown: a presentation session that is not anonymised, the
    strongest attacker; letters stable for the session would serve the same).
  * /export/msap.csv (campaign SSR, perimeter France) for every gesture and TOUS, every age band and
    tous: each establishment's stays, SSR stays and rate, its région's and France's rates (to 0.1);
  * each establishment's profile (the page's callback): the SSR recourse table per gesture, all ages,
    for the establishment, its région and France.
The attacker also knows each establishment's département, région and legal status (the grids and the
directory show them).

Every published figure becomes a linear fact on the unknown leaf counts (establishment × gesture ×
age band: stays s, stays followed by SSR k, 0 <= k <= s): a number is the sum of the leaves it
covers; "< 11" says 1 <= sum <= 10; any other text says nothing; a rate r shown to 0.1 pt says
|100·k/s − r| <= 0.05 (linear once multiplied by s); a territory missing from a grid has no stays
for the filter; 'etablissements' equal to the number of candidates says each has a stay. Then for
every masked cell, linear programming (scipy's HiGHS) bounds its stays, its SSR stays and their
complement s − k, as the audit of τ-ARGUS does.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix
from sqlalchemy import insert, select, update

from data_access import models
from data_access.db import get_engine
from tests.conftest import signed_client
from tests.dash_bodies import body, server_callbacks, ssr_view_body
from tests.dash_bodies import key as input_key

GESTURES = ("PTG", "PTH", "LCA", "COIFFE")
AGE_BANDS = ("<60", "60-74", "75+")
STATUSES = ("public", "espic", "prive")
ALL = "*"  # a cell over every gesture, age band or status
ALL_GESTURES, ALL_AGES, ALL_STATUSES = "TOUS", "tous", "tous"  # the query-string values for "all"
SMALL = "< 11"
RECORDED = Path(__file__).resolve().parents[1] / "bench" / "requests" / "ssr_filter_change.json"
SPACES = re.compile(r"[\s\u00a0\u202f]")
BASIS = re.compile(r"^(.+?) séjours suivis de SSR sur (.+?) séjours(?: · (.*))?$")
ESTABLISHMENTS = re.compile(r"([0-9\s\u00a0\u202f]+) établissements?")
TOLERANCE = 1e-6
RATE_HALF_STEP = 0.05 + 1e-9  # a rate shown to 0.1 pt


# ---------------------------------------------------------------------------
# Test data: establishments anywhere in France (the template database's communes)
# ---------------------------------------------------------------------------
def add_establishments(url: str, rows: Iterable[tuple[str, str, str]]) -> dict[str, tuple[str, str, str]]:
    """rows: (finess, legal_status, département), each placed at its département's first commune.
    Returns the directory the attacker knows: finess -> (région, département, status)."""
    directory = {}
    with get_engine(url).begin() as conn:
        for finess, status, dep in rows:
            commune, lat, lon, region = conn.execute(
                select(models.Commune.code, models.Commune.latitude, models.Commune.longitude,
                       models.Departement.region_code)
                .join(models.Departement, models.Departement.code == models.Commune.departement_code)
                .where(models.Commune.departement_code == dep).order_by(models.Commune.code).limit(1)).one()
            conn.execute(insert(models.Establishment).values(
                finess=finess, name=f"Établissement {finess}", legal_status=status, category="Test", activity="MCO",
                commune_code=commune, departement_code=dep, region_code=region, latitude=lat, longitude=lon,
                beds=100, places=10))
            directory[finess] = (region, dep, status)
        conn.execute(update(models.DataVersion).values(version=models.DataVersion.version + 1))
    return directory


def finess_of(dep: str, k: int) -> str:
    prefix = dep if len(dep) == 2 else dep[:3]
    return f"{prefix}{k:0{9 - len(prefix)}d}"


# ---------------------------------------------------------------------------
# Cells and published facts
# ---------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Cell:
    """A published figure's scope: level ('FR', 'reg', 'dep', 'etab'), code, gesture, age band,
    status (ALL for every one)."""

    level: str
    code: str
    gesture: str
    age: str
    status: str

    def __str__(self) -> str:
        return f"{self.level}:{self.code or 'France'}/{self.gesture}/{self.age}/{self.status}"


@dataclass(frozen=True)
class Fact:
    cell: Cell
    field: str  # 'stays', 'ssr', 'rate' (percent), 'active' (establishments with stays)
    kind: str  # 'eq' (value), 'small' (1..10), 'unknown'
    value: float | None
    source: str
    shown: bool = True  # False: deduced from a row's absence (not a published figure)


def parse_count(value) -> tuple[str, float | None]:
    """('eq', n) for a number (int, float or French text '12 345'), ('small', None) for "< 11",
    ('unknown', None) for any other text."""
    if isinstance(value, bool) or value is None:
        return "unknown", None
    if isinstance(value, int | float):
        return ("eq", float(value)) if math.isfinite(value) else ("unknown", None)
    text = SPACES.sub("", str(value))
    if text == SPACES.sub("", SMALL):
        return "small", None
    try:
        return "eq", float(text.replace(",", "."))
    except ValueError:
        return "unknown", None


def parse_rate(value) -> float | None:
    """A rate in percent ('45,3', '45,3 %', 45.3) or None (a marker, empty)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = SPACES.sub("", str(value)).removesuffix("%")
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def row_facts(cell: Cell, stays, ssr, rate, active, source: str) -> list[Fact]:
    facts = []
    for name, value in (("stays", stays), ("ssr", ssr), ("active", active)):
        kind, number = parse_count(value)
        if name != "active" or kind == "eq":
            facts.append(Fact(cell, name, kind, number, source))
    r = parse_rate(rate)
    if r is not None:
        facts.append(Fact(cell, "rate", "eq", r, source))
    return facts


# ---------------------------------------------------------------------------
# Collection through real requests of a presentation session
# ---------------------------------------------------------------------------
def presentation_client(server, role: str = "analyste", anonymised: bool = False):
    client = signed_client(server, role)
    with client.session_transaction() as session:
        session["presentation"] = True
        session["anonyme"] = anonymised
        session["anon_salt"] = "sel-attaquant"
    return client


@contextmanager
def app_with(dash_app, settings):
    """The session's app served with other settings (what create_app(settings) would hold)."""
    config = dash_app.server.config
    saved = config["ATLAS_SETTINGS"]
    config["ATLAS_SETTINGS"] = settings
    try:
        yield dash_app.server
    finally:
        config["ATLAS_SETTINGS"] = saved


def _csv_rows(client, params: dict) -> list[dict]:
    resp = client.get("/export/ssr.csv", query_string=params)
    assert resp.status_code == 200, (params, resp.status_code)
    return list(csv.DictReader(io.StringIO(resp.get_data().decode("utf-8-sig")), delimiter=";"))


def _text(component) -> str:
    if isinstance(component, list):
        return " ".join(_text(c) for c in component)
    if isinstance(component, dict):
        return _text(component.get("props", {}).get("children"))
    return "" if component is None else str(component)


@dataclass
class Publication:
    facts: list[Fact] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0


def collect(client, year: int, directory: dict[str, tuple[str, str, str]]) -> Publication:
    """Everything a presentation session shows of `year` on /ssr and /export/ssr.csv."""
    started = time.perf_counter()
    out = Publication()
    (recorded,) = json.loads(RECORDED.read_text(encoding="utf-8"))
    regions = sorted({r for r, _d, _s in directory.values()})
    deps = sorted({(d, r) for r, d, _s in directory.values()})
    for gesture in (*GESTURES, ALL_GESTURES):
        for age in (*AGE_BANDS, ALL_AGES):
            # Presentation mode offers no status breakdown (services.secrecy): asking for one shows every
            # status. Checked here, so that the attacker reads each table once, with its true meaning.
            for status in STATUSES:
                for level in ("reg", "dep"):
                    base = {"geste": gesture, "annee": year, "age": age, "niveau": level}
                    assert _csv_rows(client, {**base, "statut": status}) == _csv_rows(
                        client, {**base, "statut": ALL_STATUSES}), f"a status view in presentation mode: {base}"
                    out.requests += 2
            for status in (ALL_STATUSES,):
                g = ALL if gesture == ALL_GESTURES else gesture
                a = ALL if age == ALL_AGES else age
                s = ALL if status == ALL_STATUSES else status
                candidates = [f for f, (_r, _d, st) in directory.items() if s in (ALL, st)]
                base = {"geste": gesture, "annee": year, "age": age, "statut": status}
                # the CSV at both levels, and each region's départements. Presentation mode details age
                # bands for France and the régions only: asking for a département's shows all ages
                # (checked here, so that each table is read once, with its true meaning).
                drilled = ({"niveau": "dep"}, *({"niveau": "reg", "focus": r} for r in regions))
                if age != ALL_AGES:
                    for extra in drilled:
                        assert _csv_rows(client, {**base, **extra}) == _csv_rows(
                            client, {**base, **extra, "age": ALL_AGES}), f"an age band drilled into: {extra}"
                        out.requests += 2
                for extra in ({"niveau": "reg"}, *(drilled if age == ALL_AGES else ())):
                    rows = _csv_rows(client, {**base, **extra})
                    out.requests += 1
                    level = "reg" if extra["niveau"] == "reg" and "focus" not in extra else "dep"
                    source = "/export/ssr.csv?" + "&".join(f"{k}={v}" for k, v in {**base, **extra}.items())
                    seen = set()
                    for row in rows:
                        cell = Cell(level, row["code"], g, a, s)
                        seen.add(row["code"])
                        out.facts += row_facts(cell, row["sejours"], row["sejours_ssr"], row["taux_pct"],
                                               row["etablissements"], source)
                    out.facts += _absent(level, seen, candidates, directory, (g, a, s), source,
                                         extra.get("focus"))
                # the page drilled into each département: France's figure, the establishments' grid
                for dep, region in (deps if age == ALL_AGES else ()):
                    view = {**base, "niveau": "dep", "methode": "quantiles", "classes": 4, "focus": dep,
                            "points": False}
                    key = {"level": "dep", "region": region, "points": False, "masque": True}
                    resp = client.post("/_dash-update-component", json=ssr_view_body(recorded, view, key))
                    out.requests += 1
                    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
                    answer = resp.get_json()["response"]
                    source = f"/ssr?geste={gesture}&annee={year}&age={age}&statut={status}&niveau=dep&focus={dep}"
                    out.facts += _national_facts(answer["ssr-national"]["children"], Cell("FR", "", g, a, s),
                                                 source)
                    seen = set()
                    for row in answer["ssr-table"]["rowData"]:
                        seen.add(row["code"])
                        out.facts += row_facts(Cell("dep", row["code"], g, a, s), row["sejours"],
                                               row["sejours_ssr"], row["taux_pct"], row.get("etablissements"),
                                               source)
                    out.facts += _absent("dep", seen, candidates, directory, (g, a, s), source, region)
                    listed = set()
                    for row in answer["ssr-establishments"]["rowData"]:
                        assert row["finess"], "an anonymised grid: the attacker expects FINESS"
                        listed.add(row["finess"])
                        out.facts += row_facts(Cell("etab", row["finess"], g, a, s), row["sejours"],
                                               row["sejours_ssr"], row["taux_pct"], None, source)
                    for f in candidates:
                        if directory[f][1] == dep and f not in listed:
                            out.facts += _zero(Cell("etab", f, g, a, s), source)
    out.facts += collect_msap(client, year, directory, out)
    out.facts += collect_profiles(client, year, directory, out)
    out.seconds = time.perf_counter() - started
    return out


MSAP_RULE = {"campagne": "SSR", "perimetre": "FR", "methode": "ecart", "ecart_pts": 10, "volume_min": 30}


def msap_rows(client, params: dict) -> list[dict]:
    resp = client.get("/export/msap.csv", query_string=params)
    assert resp.status_code == 200, (params, resp.status_code)
    return list(csv.DictReader(io.StringIO(resp.get_data().decode("utf-8-sig")), delimiter=";"))


def msap_rate_facts(row: dict, regional: Cell, national: Cell, source: str) -> list[Fact]:
    """The regional and national rates of an /msap row (to 0.1 pt): rates of the région's and France's cells."""
    facts = []
    for cell, column in ((regional, "taux_regional_pct"), (national, "taux_national_pct")):
        r = parse_rate(row.get(column))
        if r is not None:
            facts.append(Fact(cell, "rate", "eq", r, source))
    return facts


def collect_msap(client, year: int, directory: dict[str, tuple[str, str, str]], out: Publication) -> list[Fact]:
    """/export/msap.csv (campaign SSR, perimeter France) for every gesture and TOUS, every age band and
    tous: each row an establishment's stays, SSR stays and rate, its région's and France's rates; an
    establishment of the directory not listed has no stays for the filter (every one with stays is
    examined in France's perimeter, whatever the thresholds)."""
    facts = []
    for gesture in (*GESTURES, ALL_GESTURES):
        # Presentation mode details no establishment by age band: asking for one lists all ages
        # (checked here, so that each list is read once, with its true meaning).
        for age in AGE_BANDS:
            params = {**MSAP_RULE, "annee": year, "geste": gesture}
            assert msap_rows(client, {**params, "age": age}) == msap_rows(client, {**params, "age": ALL_AGES}), (
                f"an /msap list by age band in presentation mode: {gesture} {age}")
            out.requests += 2
        for age in (ALL_AGES,):
            g, a = (ALL if gesture == ALL_GESTURES else gesture), (ALL if age == ALL_AGES else age)
            params = {**MSAP_RULE, "annee": year, "geste": gesture, "age": age}
            rows = msap_rows(client, params)
            out.requests += 1
            source = "/export/msap.csv?" + "&".join(f"{k}={v}" for k, v in params.items())
            listed = set()
            for row in rows:
                finess = row["finess"]
                assert finess in directory, f"/msap lists an establishment the attacker does not know: {finess}"
                listed.add(finess)
                facts += row_facts(Cell("etab", finess, g, a, ALL), row["sejours"], row["sejours_cibles"],
                                   row["taux_pct"], None, source)
                facts += msap_rate_facts(row, Cell("reg", directory[finess][0], g, a, ALL),
                                         Cell("FR", "", g, a, ALL), source)
            for finess in sorted(set(directory) - listed):
                facts += _zero(Cell("etab", finess, g, a, ALL), source)
    return facts


PROFILE_INPUT = "etab-finess.data"
FIGURES = re.compile(r"^(.*?)\s*\(([^()/]+)/([^()/]+?)(?:\s+séjours)?\)")


def node_by_id(node, wanted: str):
    """The component of id `wanted` in a Dash response's tree, or None."""
    if isinstance(node, list):
        for child in node:
            found = node_by_id(child, wanted)
            if found is not None:
                return found
    elif isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == wanted:
            return node
        return node_by_id(props.get("children"), wanted)
    return None


def table_rows(table) -> list[list]:
    """The cells (components) of each body row of an html.Table."""
    rows = []
    for part in table["props"]["children"]:
        if isinstance(part, dict) and part.get("type") == "Tbody":
            children = part["props"]["children"]
            for tr in children if isinstance(children, list) else [children]:
                cells = tr["props"]["children"]
                rows.append(cells if isinstance(cells, list) else [cells])
    return rows


def figures(cell) -> tuple[str, str, str] | None:
    """'62,1 %\n(118/190 séjours)' -> ('62,1 %', '118', '190'); 's (masqué/masqué)' likewise."""
    match = FIGURES.match(" ".join(_text(cell).split()))
    return (match.group(1), match.group(2).strip(), match.group(3).strip()) if match else None


def profile_answer(client, callback: dict, finess: str, year: int) -> dict:
    store = {"finess": finess, "raw": finess, "annee": str(year), "geste": None}
    resp = client.post("/_dash-update-component", json=body(
        callback, {PROFILE_INPUT: store, "etab-annee.value": None, "etab-funnel-mode.value": "image"}))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()["response"]


def profile_callback(client) -> dict:
    """The callback drawing the profile's blocks (etab-top, etab-bottom) from the FINESS store (the
    page's layout draws the same on opening: tests/integration/test_presentation_pages.py)."""
    found = [d for d in server_callbacks(client)
             if PROFILE_INPUT in [input_key(i) for i in d["inputs"] + d["state"]] and "etab-top.children" in d["output"]]
    assert len(found) == 1, f"{len(found)} callbacks draw the profile"
    return found[0]


def collect_profiles(client, year: int, directory: dict[str, tuple[str, str, str]], out: Publication) -> list[Fact]:
    """Each establishment's profile (/etablissement/<finess>, the page's callback): its SSR recourse
    table, per gesture and all ages, for the establishment, its région and France ('62,1 % (118/190
    séjours)', 's (masqué/masqué séjours)'): the SSR stays, the stays and the rate of each."""
    facts = []
    callback = profile_callback(client)
    for finess in sorted(directory):
        answer = profile_answer(client, callback, finess, year)
        out.requests += 1
        source = f"/etablissement/{finess}?annee={year}"
        table = node_by_id(answer.get("etab-top", {}).get("children"), "etab-recourse-table")
        if table is None:
            continue
        region = directory[finess][0]
        for cells in table_rows(table):
            head = cells[0]["props"]["children"]
            gesture = _text(head[1]).strip() if isinstance(head, list) and len(head) > 1 else ""
            assert gesture in GESTURES, f"a recourse row of an unknown gesture: {_text(cells[0])}"
            scopes = ((1, Cell("etab", finess, gesture, ALL, ALL)), (3, Cell("reg", region, gesture, ALL, ALL)),
                      (4, Cell("FR", "", gesture, ALL, ALL)))
            for index, cell in scopes:
                shown = figures(cells[index])
                assert shown, f"unread recourse figures: {_text(cells[index])!r} ({source})"
                rate, ssr, stays = shown
                facts += row_facts(cell, stays, ssr, rate, None, source)
    return facts


def _zero(cell: Cell, source: str) -> list[Fact]:
    return [Fact(cell, "stays", "eq", 0.0, source, shown=False), Fact(cell, "ssr", "eq", 0.0, source, shown=False)]


def _absent(level, seen, candidates, directory, filters, source, region=None) -> list[Fact]:
    """A territory with candidate establishments but no row in a grid has no stays for the filter."""
    index = 0 if level == "reg" else 1
    codes = {directory[f][index] for f in candidates if region is None or directory[f][0] == region}
    return [fact for code in sorted(codes - seen) for fact in _zero(Cell(level, code, *filters), source)]


def _national_facts(children, cell: Cell, source: str) -> list[Fact]:
    """France's KPI: [label, rate, 'k séjours suivis de SSR sur s séjours · IC … · n établissements']."""
    rate = _text(children[1]) if len(children) > 2 else None
    basis = _text(children[2]) if len(children) > 2 else ""
    match = BASIS.match(basis.strip())
    if not match:
        return []
    active = ESTABLISHMENTS.search(match.group(3) or "")
    return row_facts(cell, match.group(2), match.group(1), rate, active.group(1) if active else None, source)


# ---------------------------------------------------------------------------
# The linear programme
# ---------------------------------------------------------------------------
@dataclass
class Bound:
    cell: Cell
    quantity: str  # 'stays', 'ssr', 'complement'
    low: float
    high: float
    true: int
    cover: tuple[int, ...] = ()  # the leaves summed: cells of the same leaves are one count
    witness: str = ""  # where the same leaves' count is published as a number, if anywhere

    @property
    def width(self) -> float:
        return self.high - self.low

    @property
    def exact(self) -> bool:
        return math.isfinite(self.width) and self.width <= TOLERANCE * max(1.0, abs(self.high))

    def __str__(self) -> str:
        text = f"{self.cell} {self.quantity}: vrai {self.true}, prouvé dans [{self.low:.2f}, {self.high:.2f}]"
        return text + (f" ; publié tel quel : {self.witness}" if self.witness else "")


@dataclass
class Report:
    masked_cells: int
    bounds: list[Bound]
    recovered: list[Bound]
    sensitive: list[Bound]  # bounds of the sensitive quantities (true value 1..10) of every published cell
    shown_small: list[str]  # published counts from 1 to 10
    shown_complement: list[str]  # published rows whose complement (stays − SSR or ambulatory stays) is 1 to 10
    lps: int
    seconds: float
    complement_label: str = "séjours − SSR"  # how the summary names the complement

    @property
    def narrow(self) -> list[Bound]:
        return [b for b in self.sensitive if b.width < 5 - TOLERANCE]

    def min_width(self) -> float:
        return min((b.width for b in self.sensitive), default=math.inf)

    def summary(self, limit: int = 8) -> str:
        lines = [f"{self.masked_cells} cellules masquées, {self.lps} programmes linéaires en {self.seconds:.1f} s",
                 f"{len(self.recovered)} comptes masqués recalculés exactement "
                 f"({_distinct(self.recovered)} distincts)"]
        lines += [f"  {b}" for b in sorted(self.recovered, key=lambda b: (b.cell, b.quantity))[:limit]]
        lines.append(f"{len(self.narrow)} comptes sensibles (1 à 10) sur {len(self.sensitive)} encadrés à moins de 5 "
                     f"({_distinct(self.narrow)} distincts sur {_distinct(self.sensitive)} ; "
                     f"largeur minimale {self.min_width():.2f})")
        lines += [f"  {b}" for b in sorted(self.narrow, key=lambda b: (b.width, b.cell))[:limit]]
        lines.append(f"{len(self.shown_small)} comptes publiés de 1 à 10")
        lines += [f"  {t}" for t in self.shown_small[:limit]]
        lines.append(f"{len(self.shown_complement)} lignes publiées dont le complément ({self.complement_label}) "
                     "va de 1 à 10")
        lines += [f"  {t}" for t in self.shown_complement[:limit]]
        return "\n".join(lines)


def _distinct(bounds: list[Bound]) -> int:
    return len({(b.cover, b.quantity) for b in bounds})


class Attacker:
    def __init__(self, directory: dict[str, tuple[str, str, str]], facts: list[Fact]):
        self.directory = directory
        self.leaves = [(f, g, a) for f in sorted(directory) for g in GESTURES for a in AGE_BANDS]
        self.n = len(self.leaves)
        self.facts = facts
        self._covers: dict[Cell, tuple[int, ...]] = {}
        rows, rhs = {}, {}
        eq_rows, eq_rhs = {}, {}

        def add(target, target_rhs, coeffs: dict[int, float], b: float):
            key = tuple(sorted((i, round(c, 12)) for i, c in coeffs.items() if c))
            if not key:
                return
            if key in target:
                target_rhs[key] = min(target_rhs[key], b) if target is rows else target_rhs[key]
            else:
                target[key], target_rhs[key] = True, b

        for i in range(self.n):  # k_i <= s_i
            add(rows, rhs, {self.n + i: 1.0, i: -1.0}, 0.0)
        by_cell = defaultdict(list)
        for fact in facts:
            by_cell[fact.cell].append(fact)
        for cell, cell_facts in by_cell.items():
            cover = self.cover(cell)
            s = dict.fromkeys(cover, 1.0)
            k = {self.n + i: 1.0 for i in cover}
            for fact in cell_facts:
                if fact.field in ("stays", "ssr"):
                    coeffs = s if fact.field == "stays" else k
                    if fact.kind == "eq":
                        add(eq_rows, eq_rhs, coeffs, fact.value)
                    elif fact.kind == "small":
                        add(rows, rhs, coeffs, 10.0)
                        add(rows, rhs, {i: -c for i, c in coeffs.items()}, -1.0)
                elif fact.field == "rate":
                    high, low = (fact.value + RATE_HALF_STEP) / 100, (fact.value - RATE_HALF_STEP) / 100
                    add(rows, rhs, {**k, **dict.fromkeys(cover, -high)}, 0.0)
                    add(rows, rhs, {**dict.fromkeys(k, -1.0), **dict.fromkeys(cover, low)}, 0.0)
                elif fact.field == "active":
                    candidates = [f for f in self.directory if self._in(f, cell)]
                    if fact.value == len(candidates):  # each candidate has a stay
                        for f in candidates:
                            one = self.cover(Cell("etab", f, cell.gesture, cell.age, cell.status))
                            add(rows, rhs, dict.fromkeys(one, -1.0), -1.0)
                    elif fact.value == 0:
                        add(eq_rows, eq_rhs, s, 0.0)
        self.a_ub, self.b_ub = self._matrix(rows, rhs)
        self.a_eq, self.b_eq = self._matrix(eq_rows, eq_rhs)
        self.lps = 0

    def _matrix(self, rows: dict, rhs: dict):
        if not rows:
            return None, None
        data, indices, indptr, b = [], [], [0], []
        for key in rows:
            for i, c in key:
                indices.append(i)
                data.append(c)
            indptr.append(len(indices))
            b.append(rhs[key])
        return csr_matrix((data, indices, indptr), shape=(len(b), 2 * self.n)), np.array(b)

    def _in(self, finess: str, cell: Cell) -> bool:
        region, dep, status = self.directory[finess]
        where = {"FR": True, "reg": region == cell.code, "dep": dep == cell.code, "etab": finess == cell.code}
        return where[cell.level] and cell.status in (ALL, status)

    def cover(self, cell: Cell) -> tuple[int, ...]:
        if cell not in self._covers:
            self._covers[cell] = tuple(
                i for i, (f, g, a) in enumerate(self.leaves)
                if self._in(f, cell) and cell.gesture in (ALL, g) and cell.age in (ALL, a))
        return self._covers[cell]

    def check_sound(self, truth: np.ndarray) -> None:
        """The attacker's own check: the true leaves satisfy every fact it wrote (else it misread
        a published figure, and its bounds would prove nothing)."""
        if self.a_ub is not None:
            excess = self.a_ub @ truth - self.b_ub
            assert excess.max() <= 1e-6, f"a published fact the truth violates (by {excess.max():.3g})"
        if self.a_eq is not None:
            gap = np.abs(self.a_eq @ truth - self.b_eq)
            assert gap.max() <= 1e-6, f"a published number the truth contradicts (by {gap.max():.3g})"

    def feasible(self) -> bool:
        res = self._solve(np.zeros(2 * self.n))
        return res.status == 0

    def _solve(self, c):
        self.lps += 1
        return linprog(c, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq, bounds=(0, None),
                       method="highs")

    def bounds(self, cover: tuple[int, ...], quantity: str) -> tuple[float, float]:
        c = np.zeros(2 * self.n)
        idx = np.array(cover, dtype=int)
        if quantity in ("stays", "complement"):
            c[idx] += 1.0
        if quantity in ("ssr", "complement"):
            c[idx + self.n] += -1.0 if quantity == "complement" else 1.0
        low = self._solve(c)
        high = self._solve(-c)
        assert low.status == 0, f"the published facts contradict each other or the LP failed: {low.message}"
        return low.fun, (-high.fun if high.status == 0 else math.inf)


def true_counts(url: str, year: int, directory) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(finess, gesture, age band) -> (stays, SSR stays): the truth, to judge the attack."""
    with get_engine(url).connect() as conn:
        rows = conn.execute(select(models.SsrRecourse.finess, models.SsrRecourse.gesture, models.SsrRecourse.age_band,
                                   models.SsrRecourse.stays, models.SsrRecourse.stays_with_ssr)
                            .where(models.SsrRecourse.year == year)).all()
    return {(f, g, a): (n, k) for f, g, a, n, k in rows if f in directory}


def attack(directory, publication: Publication, truth: dict) -> Report:
    started = time.perf_counter()
    attacker = Attacker(directory, publication.facts)
    assert attacker.feasible(), "the published facts contradict each other"
    leaves_true = np.array([truth.get(leaf, (0, 0)) for leaf in attacker.leaves], dtype=int).reshape(-1, 2)
    attacker.check_sound(np.concatenate([leaves_true[:, 0], leaves_true[:, 1]]).astype(float))

    def true_of(cell: Cell) -> dict[str, int]:
        idx = list(attacker.cover(cell))
        s, k = int(leaves_true[idx, 0].sum()), int(leaves_true[idx, 1].sum())
        return {"stays": s, "ssr": k, "complement": s - k}

    fields = defaultdict(dict)  # cell -> field -> kinds read
    rows = defaultdict(dict)  # (cell, source) -> field -> number shown
    shown_small, shown_complement = set(), set()
    witnesses = defaultdict(list)  # (cover, field) -> published numbers of those leaves
    for fact in publication.facts:
        if fact.field in ("stays", "ssr") and fact.kind == "eq" and fact.shown:
            witnesses[attacker.cover(fact.cell), fact.field].append(f"{fact.cell} = {fact.value:g} ({fact.source})")
        if fact.field in ("stays", "ssr"):
            fields[fact.cell].setdefault(fact.field, set()).add(fact.kind)
            if fact.shown and fact.kind == "eq":
                rows[fact.cell, fact.source][fact.field] = fact.value
                if 1 <= fact.value <= 10:
                    shown_small.add(f"{fact.cell} {fact.field} = {fact.value:g} ({fact.source})")
    for (cell, source), values in rows.items():
        if len(values) == 2 and 1 <= values["stays"] - values["ssr"] <= 10:
            shown_complement.add(f"{cell}: {values['stays']:g} − {values['ssr']:g} ({source})")
    masked = {cell for cell, kinds in fields.items()
              if any(kind != {"eq"} for kind in kinds.values()) or len(kinds) < 2}
    sensitive_cells = {cell for cell in fields if any(1 <= v <= 10 for v in true_of(cell).values())}
    memo: dict[tuple, tuple[float, float]] = {}
    bounds, recovered, sensitive = [], [], []
    for cell in sorted(masked | sensitive_cells):
        truth_ = true_of(cell)
        for quantity in ("stays", "ssr", "complement"):
            key = (attacker.cover(cell), quantity)
            if key not in memo:
                memo[key] = attacker.bounds(*key)
            low, high = memo[key]
            bound = Bound(cell, quantity, low, high, truth_[quantity], key[0])
            assert low - 1e-6 <= bound.true <= high + 1e-6, f"unsound bound: {bound}"
            bounds.append(bound)
            is_masked = cell in masked and (quantity == "complement" or fields[cell].get(quantity) != {"eq"})
            if is_masked and bound.exact:
                bound.witness = "; ".join(witnesses.get((key[0], quantity), [])[:2])
                recovered.append(bound)
            if 1 <= bound.true <= 10:
                sensitive.append(bound)
    return Report(masked_cells=len(masked), bounds=bounds, recovered=recovered, sensitive=sensitive,
                  shown_small=sorted(shown_small), shown_complement=sorted(shown_complement), lps=attacker.lps,
                  seconds=time.perf_counter() - started)
