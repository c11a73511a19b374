"""An outside attacker of the presentation mode's secret statistique on /ambulatoire, the sibling of
tests/attack.py (/ssr), built from what a presentation session publishes and nothing else (no import
of the app's secrecy code: its markers are read as text, whatever they say).

What it reads, for one year, for each procedure with facts and "TOUS" (the marker procedures summed):
  * /export/ambulatoire.csv at niveau=reg, at niveau=dep, and at niveau=reg&focus=<region> for every
    region (the CSV has territories only);
  * the /ambulatoire callback (POST /_dash-update-component, the body built from /_dash-dependencies
    as the browser builds it) drilled into every département (niveau=dep&focus=<département>):
    France's figure (the KPI), the grid of the département's région and the grid of its
    establishments (FINESS shown: a presentation session that is not anonymised, the strongest
    attacker).
  * /export/msap.csv (campaign AMBU, perimeter France) for each procedure and TOUS: each
    establishment's stays, ambulatory stays and rate, its région's and France's rates (to 0.1);
  * each establishment's profile (the page's callback): the ambulatory section, per procedure and
    for the marker procedures together, the establishment's, its région's and France's figures.
It checks on the way that a status view (statut=public, …) shows what statut=tous shows, so that
each table is read once, with its true meaning. It also knows each establishment's département,
région and legal status (the grids and the directory show them).

Every published figure becomes a linear fact on the unknown leaves (establishment × procedure:
ambulatory stays a >= 0, other stays b >= 0; stays = a + b): a number is the sum of the leaves it
covers; any text ("masqué", "secret statistique") says nothing; a rate r shown to 0.1 pt says
|100·a/(a + b) − r| <= 0.05 (linear once multiplied by a + b); a territory or an establishment
missing from a grid has no stays for the procedure; 'etablissements' equal to the number of
candidates says each has a stay. Then for every masked cell, linear programming (scipy's HiGHS)
bounds its ambulatory stays, its stays and their complement (the stays without ambulatory care).

The establishments' MSAP column names the procedures MSAP's default rule flags (whatever procedure
the view shows): each says the establishment has at least 30 stays of it, at a rate at least 10
points below France's and its région's (linear when the reference is published).
Not modelled (the attacker is weaker for it, never wrong): the Wilson intervals, the gaps to the
region's rate and to the targets (differences of two rounded ratios), "Non ciblé" and a masked
"secret statistique" in the MSAP column (disjunctions).
"""
from __future__ import annotations

import csv
import io
import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix
from sqlalchemy import select

from data_access import models
from data_access.db import get_engine
from tests.attack import (
    ALL,
    RATE_HALF_STEP,
    STATUSES,
    Bound,
    Fact,
    Publication,
    Report,
    _text,
    figures,
    msap_rate_facts,
    msap_rows,
    node_by_id,
    parse_count,
    parse_rate,
    profile_answer,
    profile_callback,
    table_rows,
)
from tests.dash_bodies import body, server_callbacks

ALL_PROCEDURES, ALL_STATUSES = "TOUS", "tous"
BASIS = re.compile(r"^(.+?) séjours ambulatoires sur (.+?) séjours(?: · (.*))?$")
ESTABLISHMENTS = re.compile(r"([0-9\s\u00a0\u202f]+) établissements?")
GRID_OUTPUT = "ambu-establishments.rowData"
VIEW_INPUT = "ambu-view.data"


@dataclass(frozen=True, order=True)
class Cell:
    """A published figure's scope: level ('FR', 'reg', 'dep', 'etab'), code, procedure (ALL: every
    marker procedure with facts)."""

    level: str
    code: str
    procedure: str

    def __str__(self) -> str:
        return f"{self.level}:{self.code or 'France'}/{self.procedure}"


def row_facts(cell: Cell, stays, ambulatory, rate, active, source: str) -> list[Fact]:
    """Fields: 'stays', 'ambulatory', 'rate' (percent), 'active' (establishments with stays)."""
    facts = []
    for name, value in (("stays", stays), ("ambulatory", ambulatory), ("active", active)):
        kind, number = parse_count(value)
        if name != "active" or kind == "eq":
            facts.append(Fact(cell, name, kind, number, source))
    r = parse_rate(rate)
    if r is not None:
        facts.append(Fact(cell, "rate", "eq", r, source))
    return facts


def _zero(cell: Cell, source: str) -> list[Fact]:
    return [Fact(cell, "stays", "eq", 0.0, source, shown=False),
            Fact(cell, "ambulatory", "eq", 0.0, source, shown=False)]


# ---------------------------------------------------------------------------
# Collection through real requests of a presentation session
# ---------------------------------------------------------------------------
def _csv_rows(client, params: dict) -> list[dict]:
    resp = client.get("/export/ambulatoire.csv", query_string=params)
    assert resp.status_code == 200, (params, resp.status_code)
    return list(csv.DictReader(io.StringIO(resp.get_data().decode("utf-8-sig")), delimiter=";"))


def _callback(client):
    """The callback whose outputs hold the establishments' grid, as /_dash-dependencies publishes it."""
    found = [d for d in server_callbacks(client)
             if GRID_OUTPUT in d["output"] and VIEW_INPUT in [f"{i['id']}.{i['property']}" for i in d["inputs"]]]
    assert len(found) == 1, f"{len(found)} callbacks draw the establishments' grid"
    return found[0]


def _render(client, dep: dict, view: dict) -> dict:
    resp = client.post("/_dash-update-component", json=body(dep, {VIEW_INPUT: view}))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()["response"]


def _status_view_news(status_answer: dict, answer: dict) -> list[str]:
    """What a status view shows that statut=tous does not: its rows (an establishment is of one status,
    so its row may be shown again, the same; a territory's or France's row only when it is the same
    row as statut=tous's) with a count or a rate whose figures differ from statut=tous's."""
    news = []
    for grid, key in (("ambu-table", "code"), ("ambu-establishments", "finess")):
        before = {r[key]: r for r in answer[grid]["rowData"]}
        for row in status_answer[grid]["rowData"]:
            figures = {c: row.get(c) for c in ("sejours", "sejours_ambulatoires", "taux_pct")}
            shows = any(parse_count(v)[0] == "eq" for v in figures.values()) or parse_rate(row.get("taux_pct"))
            old = before.get(row[key], {})
            if shows and figures != {c: old.get(c) for c in figures}:
                news.append(f"{grid} {row[key]}: {figures} (tous : {[old.get(c) for c in figures]})")
    kpi = _national_facts(status_answer["ambu-national"]["children"], Cell("FR", "", ALL), "")
    if any(f.kind == "eq" and f.field != "active" for f in kpi) and _text(
            status_answer["ambu-national"]["children"]) != _text(answer["ambu-national"]["children"]):
        news.append(f"KPI: {_text(status_answer['ambu-national']['children'])}")
    return news


def procedure_labels(url: str, procedures) -> dict[str, str]:
    """code -> label of the procedures (the public catalogue: the page's procedure control shows it)."""
    G = models.AmbulatoryGroup
    with get_engine(url).connect() as conn:
        return dict(conn.execute(select(G.code, G.label).where(G.code.in_(list(procedures)))).all())


def collect(client, year: int, directory: dict[str, tuple[str, str, str]], procedures,
            labels: dict[str, str] | None = None) -> Publication:
    """Everything a presentation session shows of `year` on /ambulatoire and /export/ambulatoire.csv.
    `labels` (code -> label): the establishments' MSAP column names the procedures the default rule
    flags (whatever procedure the view shows), read back as 'flagged' facts."""
    started = time.perf_counter()
    out = Publication()
    regions = sorted({r for r, _d, _s in directory.values()})
    deps = sorted({(d, r) for r, d, _s in directory.values()})
    callback = _callback(client)
    for procedure in (*procedures, ALL_PROCEDURES):
        p = ALL if procedure == ALL_PROCEDURES else procedure
        base = {"annee": year, "geste": procedure, "statut": ALL_STATUSES}
        drilled = ({"niveau": "reg"}, {"niveau": "dep"}, *({"niveau": "reg", "focus": r} for r in regions))
        # Presentation mode offers no status breakdown (services.secrecy): asking for one shows every
        # status. Checked here, so that the attacker reads each table once, with its true meaning.
        for status in STATUSES:
            for extra in drilled[:2]:
                assert _csv_rows(client, {**base, **extra, "statut": status}) == _csv_rows(
                    client, {**base, **extra}), f"a status view in presentation mode: {status} {extra}"
                out.requests += 2
        for extra in drilled:
            rows = _csv_rows(client, {**base, **extra})
            out.requests += 1
            level = "reg" if extra["niveau"] == "reg" and "focus" not in extra else "dep"
            source = "/export/ambulatoire.csv?" + "&".join(f"{k}={v}" for k, v in {**base, **extra}.items())
            seen = set()
            for row in rows:
                seen.add(row["code"])
                out.facts += row_facts(Cell(level, row["code"], p), row["sejours"], row["sejours_ambulatoires"],
                                       row["taux_pct"], row["etablissements"], source)
            out.facts += _absent(level, seen, directory, p, source, extra.get("focus"))
        for dep, region in deps:
            view = {**base, "niveau": "dep", "methode": "quantiles", "classes": 4, "couleur": "taux", "focus": dep}
            answer = _render(client, callback, view)
            out.requests += 1
            for status in STATUSES:  # the callback takes the view as the page's store holds it
                other = _render(client, callback, {**view, "statut": status})
                out.requests += 1
                news = _status_view_news(other, answer)
                assert not news, f"a status view of /ambulatoire publishes other figures ({status}, {dep}): {news}"
            source = f"/ambulatoire?annee={year}&geste={procedure}&statut=tous&niveau=dep&focus={dep}"
            out.facts += _national_facts(answer["ambu-national"]["children"], Cell("FR", "", p), source)
            seen = set()
            for row in answer["ambu-table"]["rowData"]:
                seen.add(row["code"])
                out.facts += row_facts(Cell("dep", row["code"], p), row["sejours"], row["sejours_ambulatoires"],
                                       row["taux_pct"], row.get("etablissements"), source)
            out.facts += _absent("dep", seen, directory, p, source, region)
            listed = set()
            for row in answer["ambu-establishments"]["rowData"]:
                assert row["finess"], "an anonymised grid: the attacker expects FINESS"
                listed.add(row["finess"])
                out.facts += row_facts(Cell("etab", row["finess"], p), row["sejours"], row["sejours_ambulatoires"],
                                       row["taux_pct"], None, source)
                detail = str(row.get("msap_detail") or "")
                out.facts += [Fact(Cell("etab", row["finess"], code), "flagged", "eq", 1.0, source)
                              for code, label in (labels or {}).items() if label and label in detail.split(", ")]
            for f, (_r, d, _s) in directory.items():
                if d == dep and f not in listed:
                    out.facts += _zero(Cell("etab", f, p), source)
    out.facts += collect_msap(client, year, directory, procedures, out)
    out.facts += collect_profiles(client, year, directory, labels or {}, out)
    out.seconds = time.perf_counter() - started
    return out


def collect_msap(client, year: int, directory, procedures, out: Publication) -> list[Fact]:
    """/export/msap.csv (campaign AMBU, perimeter France) for every procedure and TOUS: each row an
    establishment's stays, ambulatory stays and rate, its région's and France's rates; an establishment
    of the directory not listed has no stays of the procedure (all with stays are examined)."""
    facts = []
    for procedure in (*procedures, ALL_PROCEDURES):
        p = ALL if procedure == ALL_PROCEDURES else procedure
        params = {"campagne": "AMBU", "annee": year, "geste": procedure, "perimetre": "FR", "methode": "ecart",
                  "ecart_pts": 10, "volume_min": 30}
        rows = msap_rows(client, params)
        out.requests += 1
        source = "/export/msap.csv?" + "&".join(f"{k}={v}" for k, v in params.items())
        listed = set()
        for row in rows:
            finess = row["finess"]
            assert finess in directory, f"/msap lists an establishment the attacker does not know: {finess}"
            listed.add(finess)
            facts += row_facts(Cell("etab", finess, p), row["sejours"], row["sejours_cibles"], row["taux_pct"],
                               None, source)
            facts += msap_rate_facts(row, Cell("reg", directory[finess][0], p), Cell("FR", "", p), source)
        for finess in sorted(set(directory) - listed):
            facts += _zero(Cell("etab", finess, p), source)
    return facts


def collect_profiles(client, year: int, directory, labels: dict[str, str], out: Publication) -> list[Fact]:
    """Each establishment's profile (the page's callback): its ambulatory section, one row for the
    marker procedures together, then one per procedure performed ('label' + number), each with the
    establishment's, its région's and France's rate and 'ambulatory/stays' (comparables are not
    published in presentation mode, and not read)."""
    facts = []
    callback = profile_callback(client)
    by_label = {label: code for code, label in labels.items()}
    for finess in sorted(directory):
        answer = profile_answer(client, callback, finess, year)
        out.requests += 1
        source = f"/etablissement/{finess}?annee={year}#ambulatoire"
        table = node_by_id(answer.get("etab-bottom", {}).get("children"), "etab-ambu-table")
        if table is None:
            continue
        region = directory[finess][0]
        for cells in table_rows(table):
            head = cells[0]["props"]["children"]
            label = _text(head[0] if isinstance(head, list) else head).strip()
            procedure = by_label.get(label, ALL)  # the marker procedures together: the row without one's label
            scopes = ((1, Cell("etab", finess, procedure)), (2, Cell("reg", region, procedure)),
                      (3, Cell("FR", "", procedure)))
            for index, cell in scopes:
                shown = figures(cells[index])
                assert shown, f"unread ambulatory figures: {_text(cells[index])!r} ({source})"
                rate, ambulatory, stays = shown
                facts += row_facts(cell, stays, ambulatory, rate, None, source)
    return facts


def _absent(level, seen, directory, procedure, source, region=None) -> list[Fact]:
    """A territory with establishments but no row in a grid has no stays for the procedure."""
    index = 0 if level == "reg" else 1
    codes = {v[index] for v in directory.values() if region is None or v[0] == region}
    return [fact for code in sorted(codes - seen) for fact in _zero(Cell(level, code, procedure), source)]


def _national_facts(children, cell: Cell, source: str) -> list[Fact]:
    """France's KPI: [label, rate, 'a séjours ambulatoires sur s séjours · IC … · n établissements']."""
    rate = _text(children[1]) if len(children) > 2 else None
    basis = _text(children[2]) if len(children) > 2 else ""
    match = BASIS.match(basis.strip())
    if not match:
        return []
    active = ESTABLISHMENTS.search(match.group(3) or "")
    return row_facts(cell, match.group(2), match.group(1), rate, active.group(1) if active else None, source)


# ---------------------------------------------------------------------------
# The linear programme: x = (a_0 … a_{n-1}, b_0 … b_{n-1}) >= 0
# ---------------------------------------------------------------------------
QUANTITIES = ("ambulatory", "stays", "complement")
FLAG_GAP_PTS = 10.0 - 1e-6  # MSAP's default rule (AMBU): 10 points below the references, 30 stays at least


class Attacker:
    def __init__(self, directory: dict[str, tuple[str, str, str]], procedures, facts: list[Fact]):
        self.directory = directory
        self.leaves = [(f, p) for f in sorted(directory) for p in procedures]
        self.n = len(self.leaves)
        self._covers: dict[Cell, tuple[int, ...]] = {}
        ub: dict[tuple, float] = {}
        eq: dict[tuple, float] = {}

        def add(target: dict, coeffs: dict[int, float], b: float):
            key = tuple(sorted((i, round(c, 12)) for i, c in coeffs.items() if c))
            if key:
                target[key] = min(target.get(key, b), b) if target is ub else target.setdefault(key, b)

        by_cell = defaultdict(list)
        for fact in facts:
            by_cell[fact.cell].append(fact)
        for cell, cell_facts in by_cell.items():
            cover = self.cover(cell)
            a = dict.fromkeys(cover, 1.0)
            b = {self.n + i: 1.0 for i in cover}
            for fact in cell_facts:
                if fact.field in ("stays", "ambulatory") and fact.kind == "eq":
                    add(eq, {**a, **b} if fact.field == "stays" else a, fact.value)
                elif fact.field in ("stays", "ambulatory") and fact.kind == "small":
                    coeffs = {**a, **b} if fact.field == "stays" else a
                    add(ub, coeffs, 10.0)
                    add(ub, {i: -c for i, c in coeffs.items()}, -1.0)
                elif fact.field == "rate":  # (r − h)(a + b) <= 100 a <= (r + h)(a + b)
                    high, low = fact.value + RATE_HALF_STEP, fact.value - RATE_HALF_STEP
                    add(ub, {**dict.fromkeys(a, 100.0 - high), **dict.fromkeys(b, -high)}, 0.0)
                    add(ub, {**dict.fromkeys(a, low - 100.0), **dict.fromkeys(b, low)}, 0.0)
                elif fact.field == "active":
                    candidates = [f for f in directory if self._in(f, cell)]
                    if fact.value == len(candidates):  # each candidate has a stay
                        for f in candidates:
                            one = self.cover(Cell("etab", f, cell.procedure))
                            add(ub, {**dict.fromkeys(one, -1.0), **{self.n + i: -1.0 for i in one}}, -1.0)
                    elif fact.value == 0:
                        add(eq, {**a, **b}, 0.0)
        for cell, cell_facts in by_cell.items():
            if any(f.field == "flagged" for f in cell_facts):
                self._flagged(cell, by_cell, add, ub)
        self.a_ub, self.b_ub = self._matrix(ub)
        self.a_eq, self.b_eq = self._matrix(eq)
        self.lps = 0

    def _flagged(self, cell: Cell, by_cell: dict, add, ub: dict) -> None:
        """MSAP's default rule flags the establishment on the procedure: at least 30 stays, and a rate
        at least 10 points below France's and the région's (a reference known when its counts or its
        rate are published: the rate's upper end then bounds the establishment's)."""
        cover = self.cover(cell)
        a, b = dict.fromkeys(cover, 1.0), {self.n + i: 1.0 for i in cover}
        add(ub, dict.fromkeys((*a, *b), -1.0), -30.0)
        region = self.directory[cell.code][0]
        for ref in (Cell("FR", "", cell.procedure), Cell("reg", region, cell.procedure)):
            known = {f.field: f.value for f in by_cell.get(ref, []) if f.kind == "eq"}
            if known.get("stays"):
                top = 100.0 * known.get("ambulatory", math.nan) / known["stays"] if "ambulatory" in known else None
            else:
                top = None
            if top is None or math.isnan(top):
                top = known["rate"] + RATE_HALF_STEP if "rate" in known else None
            if top is not None:  # 100 a <= (top − 10)(a + b)
                limit = top - FLAG_GAP_PTS
                add(ub, {**dict.fromkeys(a, 100.0 - limit), **dict.fromkeys(b, -limit)}, 0.0)

    def _matrix(self, rows: dict):
        if not rows:
            return None, None
        data, indices, indptr = [], [], [0]
        for key in rows:
            for i, c in key:
                indices.append(i)
                data.append(c)
            indptr.append(len(indices))
        return csr_matrix((data, indices, indptr), shape=(len(rows), 2 * self.n)), np.array(list(rows.values()))

    def _in(self, finess: str, cell: Cell) -> bool:
        region, dep, _status = self.directory[finess]
        return {"FR": True, "reg": region == cell.code, "dep": dep == cell.code, "etab": finess == cell.code}[cell.level]

    def cover(self, cell: Cell) -> tuple[int, ...]:
        if cell not in self._covers:
            self._covers[cell] = tuple(i for i, (f, p) in enumerate(self.leaves)
                                       if self._in(f, cell) and cell.procedure in (ALL, p))
        return self._covers[cell]

    def check_sound(self, truth: np.ndarray) -> None:
        """The true leaves satisfy every fact the attacker wrote (else it misread a published figure)."""
        if self.a_ub is not None:
            excess = self.a_ub @ truth - self.b_ub
            assert excess.max() <= 1e-6, f"a published fact the truth violates (by {excess.max():.3g})"
        if self.a_eq is not None:
            gap = np.abs(self.a_eq @ truth - self.b_eq)
            assert gap.max() <= 1e-6, f"a published number the truth contradicts (by {gap.max():.3g})"

    def _solve(self, c):
        self.lps += 1
        return linprog(c, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq, bounds=(0, None),
                       method="highs")

    def feasible(self) -> bool:
        return self._solve(np.zeros(2 * self.n)).status == 0

    def bounds(self, cover: tuple[int, ...], quantity: str) -> tuple[float, float]:
        c = np.zeros(2 * self.n)
        idx = np.array(cover, dtype=int)
        if quantity in ("ambulatory", "stays"):
            c[idx] = 1.0
        if quantity in ("stays", "complement"):
            c[idx + self.n] = 1.0
        low, high = self._solve(c), self._solve(-c)
        assert low.status == 0, f"the published facts contradict each other or the LP failed: {low.message}"
        return low.fun, (-high.fun if high.status == 0 else math.inf)


def true_counts(url: str, year: int, directory) -> dict[tuple[str, str], tuple[int, int]]:
    """(finess, procedure) -> (ambulatory stays, other stays): the truth, to judge the attack."""
    A = models.AmbulatorySurgery
    with get_engine(url).connect() as conn:
        rows = conn.execute(select(A.finess, A.gesture_group, A.stays, A.ambulatory_stays).where(A.year == year)).all()
    return {(f, p): (k, n - k) for f, p, n, k in rows if f in directory}


def attack(directory, procedures, publication: Publication, truth: dict) -> Report:
    started = time.perf_counter()
    attacker = Attacker(directory, procedures, publication.facts)
    assert attacker.feasible(), "the published facts contradict each other"
    leaves = np.array([truth.get(leaf, (0, 0)) for leaf in attacker.leaves], dtype=int).reshape(-1, 2)
    attacker.check_sound(np.concatenate([leaves[:, 0], leaves[:, 1]]).astype(float))

    def true_of(cell: Cell) -> dict[str, int]:
        idx = list(attacker.cover(cell))
        a, b = int(leaves[idx, 0].sum()), int(leaves[idx, 1].sum())
        return {"ambulatory": a, "stays": a + b, "complement": b}

    fields = defaultdict(dict)  # cell -> field -> kinds read
    rows = defaultdict(dict)  # (cell, source) -> field -> number shown
    shown_small, shown_complement = set(), set()
    for fact in publication.facts:
        if fact.field in ("stays", "ambulatory"):
            fields[fact.cell].setdefault(fact.field, set()).add(fact.kind)
            if fact.shown and fact.kind == "eq":
                rows[fact.cell, fact.source][fact.field] = fact.value
                if 1 <= fact.value <= 10:
                    shown_small.add(f"{fact.cell} {fact.field} = {fact.value:g} ({fact.source})")
    for (cell, source), values in rows.items():
        if len(values) == 2 and 1 <= values["stays"] - values["ambulatory"] <= 10:
            shown_complement.add(f"{cell}: {values['stays']:g} − {values['ambulatory']:g} ({source})")
    masked = {cell for cell, kinds in fields.items()
              if any(kind != {"eq"} for kind in kinds.values()) or len(kinds) < 2}
    sensitive_cells = {cell for cell in fields if any(1 <= v <= 10 for v in true_of(cell).values())}
    memo: dict[tuple, tuple[float, float]] = {}
    bounds, recovered, sensitive = [], [], []
    for cell in sorted(masked | sensitive_cells):
        truth_ = true_of(cell)
        for quantity in QUANTITIES:
            key = (attacker.cover(cell), quantity)
            if key not in memo:
                memo[key] = attacker.bounds(*key)
            low, high = memo[key]
            bound = Bound(cell, quantity, low, high, truth_[quantity], key[0])
            assert low - 1e-6 <= bound.true <= high + 1e-6, f"unsound bound: {bound}"
            bounds.append(bound)
            is_masked = cell in masked and (quantity == "complement" or fields[cell].get(quantity) != {"eq"})
            if is_masked and bound.exact:
                recovered.append(bound)
            if 1 <= bound.true <= 10:
                sensitive.append(bound)
    return Report(masked_cells=len(masked), bounds=bounds, recovered=recovered, sensitive=sensitive,
                  shown_small=sorted(shown_small), shown_complement=sorted(shown_complement), lps=attacker.lps,
                  seconds=time.perf_counter() - started, complement_label="séjours − ambulatoires")
