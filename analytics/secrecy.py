"""Secret statistique over everything one presentation session can reach for a year (issue 13).

The *reach* of a year is the hypercube of every figure a presentation session can publish: each
territory (France, régions, départements, établissements) × each legal status and "tous" × each
value of the other dimensions (gesture, age band, procedure…) and their "tous". Every cell holds two
counts of stays: `a` (stays with SSR, or ambulatory stays) and `b`, its complement (the other stays);
the stays are a + b. A cell is published whole (stays, a, rate) or masked whole.

Rule (shared/DOMAIN.md): a cell whose a or b is from 1 to 10 is *sensitive* (primary suppression;
a stays count from 1 to 10 makes a or b from 1 to 10). Secondary suppression then masks more cells
until, for every sensitive cell, the range a reader can prove from everything published (the sums,
0 ≤ each count) is at least `MIN_WIDTH` wide for `a` (so for the stays too), and for `b` too where
`b` is from 1 to 10; and no masked count can be computed back exactly.

Method: the hypercube method (Repsilber; GHMITER in τ-ARGUS), made global. A *cube* is a change of
the table, t × v, that keeps every published sum: v is the tensor product, dimension by dimension,
of a vector that is consistent with that dimension's hierarchy (a node = the sum of its children),
built from ±1 on leaves (two establishments, two gestures, a gesture and "tous"…). If every cell
where v ≠ 0 is masked, the reader cannot tell the true table from the table + t·v for any t keeping
the counts ≥ 0: the masked cell x moves up by as much as the smallest count where v < 0, and down by
as much as the smallest count where v > 0 (x included). Cubes whose cells are disjoint but for x add
their margins. For every sensitive cell the engine chooses cubes (cheapest first: cells already
masked cost nothing, a cell costs its stays, more on a higher level and on a "tous") until the range
reaches MIN_WIDTH; every cube chosen can move in at least one direction (its cells all have stays, and
the counts on one side are ≥ 1), so no masked cell in it is left with a single possible value.
The proof is constructive (each cube is a table the reader cannot rule out); tests/ audit it with an
attacker's linear programme built independently from the published figures.

A cube alone is often not enough: the masked cubes through x are then combined by a small linear
programme over their coefficients (HiGHS), a lower bound of what the reader cannot rule out. A
sensitive cell for which no combination of up to MAX_CUBES cubes reaches MIN_WIDTH is reported in
`Suppression.unprotected` (none on the national demo data, SSR and ambulatory, 2024).

Which cells exist but are not published (the reach of services.secrecy: no status breakdown, no
département or establishment by age band) is the caller's `unpublished`: they are masked already,
free to use in cubes; those of establishments (the finest counts of the data) are protected against
exact recomputation too.

Pure computation on numpy arrays (no Dash, no SQL). Counts are stays; widths are counts of stays.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

THRESHOLD = 11  # the smallest count that may be published (1..THRESHOLD-1 are secret)
MIN_WIDTH = 5  # the least width of the range a reader can prove for a sensitive count
METHOD_VERSION = 1  # changes with any change of the method: masks stored by an older one are computed again
MAX_CUBES = 40  # cubes a sensitive cell may add before it is reported unprotected
QUICK_PARTNERS = 4  # geographic vectors (the nearest partners) tried before all of them
FLAT_PARTNERS = 24  # values of a dimension a cube may pair a value with (the largest)
ALL = "*"  # the "tous" of a dimension, and the status of the rows of a territory taken whole

# Why a cell is masked (Suppression.reason)
SHOWN, PRIMARY, COMPLEMENT, SECONDARY, UNPUBLISHED = 0, 1, 2, 3, 4

GEO_LEVELS = ("fr", "reg", "dep", "etab")
_LEVEL_WEIGHT = {"fr": 400.0, "reg": 40.0, "dep": 6.0, "etab": 1.0}  # what masking one cell costs


def is_small(count) -> bool:
    """True for a count from 1 to THRESHOLD - 1 (None, NaN and 0 are not secret)."""
    try:
        value = float(count)
    except (TypeError, ValueError):
        return False
    return value == value and 1 <= value < THRESHOLD


@dataclass(frozen=True)
class Suppression:
    """The masks of one reach: `index[(level, code, status, *dims)]` → cell; `masked[cell]`,
    `reason[cell]` (SHOWN, PRIMARY, COMPLEMENT, SECONDARY); `a`, `b` the counts. An establishment's
    cell is keyed with status ALL (its own status gives the same cell, see `cell`)."""

    dims: tuple[str, ...]
    index: dict[tuple, int]
    a: np.ndarray
    b: np.ndarray
    masked: np.ndarray
    reason: np.ndarray
    status_of: dict[str, str] = field(default_factory=dict)
    unprotected: tuple[int, ...] = ()  # sensitive cells the engine found no cubes for (see the module's status)

    def cell(self, level: str, code: str, status: str = ALL, *values: str) -> int | None:
        """The cell of a territory (`level`, `code`) for a status and one value per dimension (ALL
        for "tous"); None when outside the reach (no such territory, or an establishment of another
        status, which the view does not list)."""
        if level == "etab":
            if status not in (ALL, self.status_of.get(code)):
                return None
            status = ALL
        return self.index.get((level, code, status, *values))

    def is_masked(self, level: str, code: str, status: str = ALL, *values: str) -> bool:
        i = self.cell(level, code, status, *values)
        return bool(i is not None and self.masked[i])

    def counts_by_reason(self, cells: Sequence[int]) -> dict[int, int]:
        """How many of `cells` are masked, by reason."""
        reasons = self.reason[np.asarray(list(cells), dtype=int)] if len(cells) else np.zeros(0, int)
        return {r: int((reasons == r).sum()) for r in (PRIMARY, COMPLEMENT, SECONDARY)}



# ---------------------------------------------------------------------------------------------
# Building the reach
# ---------------------------------------------------------------------------------------------
class _Geo:
    """Territory × status positions of the reach: (fr|reg|dep, code, ALL|status) and (etab, finess, ALL)."""

    def __init__(self, leaves: pd.DataFrame, statuses: Sequence[str]):
        ests = leaves.drop_duplicates("finess").sort_values("finess")
        self.finess = ests["finess"].tolist()
        self.status = dict(zip(ests["finess"], ests["status"]))
        self.dep = dict(zip(ests["finess"], ests["departement"]))
        self.reg = dict(zip(ests["finess"], ests["region"]))
        self.keys: list[tuple[str, str, str]] = []
        self.pos: dict[tuple[str, str, str], int] = {}
        for t in (ALL, *statuses):
            self._add("fr", "", t)
        for level, col in (("reg", "region"), ("dep", "departement")):
            for code in sorted(ests[col].unique()):
                for t in (ALL, *statuses):
                    self._add(level, code, t)
        for f in self.finess:
            self._add("etab", f, ALL)
        self.level = np.array([_LEVEL_WEIGHT[k[0]] for k in self.keys]) * np.array(
            [2.0 if k[2] == ALL and k[0] != "etab" else 1.0 for k in self.keys])
        # the same per establishment as arrays (index = position in self.finess)
        self.number = {f: i for i, f in enumerate(self.finess)}
        codes = {c: i for i, c in enumerate(sorted({*self.dep.values(), *self.reg.values(), *statuses}))}
        self.e_dep = np.array([codes[self.dep[f]] for f in self.finess], dtype=int)
        self.e_reg = np.array([codes[self.reg[f]] for f in self.finess], dtype=int)
        self.e_status = np.array([codes[self.status[f]] for f in self.finess], dtype=int)
        self.code_number = codes
        self.paths = np.array([self.path(f) for f in self.finess], dtype=int).reshape(len(self.finess), 7)

    def _add(self, level: str, code: str, status: str) -> None:
        self.pos[(level, code, status)] = len(self.keys)
        self.keys.append((level, code, status))

    def path(self, f: str) -> list[int]:
        """Positions an establishment's counts are summed into (itself first)."""
        t, d, r = self.status[f], self.dep[f], self.reg[f]
        return [self.pos[k] for k in (("etab", f, ALL), ("dep", d, ALL), ("dep", d, t), ("reg", r, ALL),
                                      ("reg", r, t), ("fr", "", ALL), ("fr", "", t))]

    def vectors(self, plus: np.ndarray, minus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Consistent geographic vectors, one per pair: +1 on establishment plus[i] and every total
        above it, -1 on minus[i] (-1: none) and its totals; a total above both cancels (the same
        column of their paths). Positions (-1: none) and signs, arrays (pairs, 14)."""
        up = self.paths[plus]
        down = np.where(minus[:, None] >= 0, self.paths[np.maximum(minus, 0)], -1)
        keep = up != down
        pos = np.concatenate([np.where(keep, up, -1), np.where(keep, down, -1)], axis=1)
        sig = np.concatenate([np.ones_like(up), -np.ones_like(down)], axis=1)
        return pos, np.where(pos >= 0, sig, 0)


def _flat_vectors(i: int, size: int) -> list[dict[int, int]]:
    """Consistent vectors of a flat dimension (position 0 = "tous", 1..size-1 its values) that are
    +1 at position i: a value against another value, or a value with the "tous"."""
    if i == 0:
        return [{0: 1, j: 1} for j in range(1, size)]
    return [{i: 1, j: -1} for j in range(1, size) if j != i] + [{i: 1, 0: 1}]


class _Engine:
    def __init__(self, leaves: pd.DataFrame, dims: Sequence[tuple[str, Sequence[str]]], statuses: Sequence[str]):
        self.geo = _Geo(leaves, statuses)
        self.dim_values = [[ALL, *values] for _name, values in dims]
        self.sizes = [len(v) for v in self.dim_values]
        self.stride = int(np.prod(self.sizes))
        n = len(self.geo.keys) * self.stride
        self.a, self.b = np.zeros(n + 1), np.zeros(n + 1)  # the last cell: padding of the cubes
        # sum every leaf into its 7 geographic positions × (value, "tous") of each dimension
        geo_paths = {f: self.geo.path(f) for f in self.geo.finess}
        codes = [leaves[name].map({v: j for j, v in enumerate(vals)}).to_numpy() for (name, _), vals in
                 zip(dims, self.dim_values)]
        gp = np.array([geo_paths[f] for f in leaves["finess"]], dtype=int).reshape(len(leaves), 7)  # leaves × 7
        for combo in range(2 ** len(dims)):
            offset = np.zeros(len(leaves), dtype=int)
            for d, c in enumerate(codes):
                j = c if (combo >> d) & 1 else np.zeros_like(c)
                offset = offset * self.sizes[d] + j
            for k in range(gp.shape[1]):
                idx = gp[:, k] * self.stride + offset
                np.add.at(self.a, idx, leaves["a"].to_numpy(dtype=float))
                np.add.at(self.b, idx, leaves["b"].to_numpy(dtype=float))
        self.a[n] = self.b[n] = np.inf
        # what masking a cell loses: its stays (as τ-ARGUS's default cost, the cell value), more on a
        # higher level and on a "tous"
        self.weight = np.append(np.repeat(self.geo.level, self.stride)
                                * np.tile(self._dim_weights(), len(self.geo.keys)), 0.0) * (1.0 + np.minimum(self.a + self.b, 1e9))
        self.weight[n] = 0.0
        self.weight[np.isnan(self.weight)] = 0.0
        self.masked = np.zeros(n + 1, dtype=bool)
        self.masked[n] = True
        sizes = leaves.groupby("finess")["a"].sum()
        self._size = sizes.reindex(self.geo.finess).to_numpy(dtype=float)  # partners with more stays move more
        self.reason = np.zeros(n + 1, dtype=np.int8)
        self.unprotected: list[int] = []
        self._ranks: dict[int, np.ndarray] = {}

    def _dim_weights(self) -> np.ndarray:
        w = np.ones(self.sizes)
        for d in range(len(self.sizes)):
            sl: list[slice | int] = [slice(None)] * len(self.sizes)
            sl[d] = 0
            w[tuple(sl)] *= 2.0  # a "tous" is worth more than one value
        return w.ravel()

    def split(self, cell: int) -> tuple[int, list[int]]:
        g, rest = divmod(cell, self.stride)
        pos = []
        for size in reversed(self.sizes):
            rest, j = divmod(rest, size)
            pos.append(j)
        return g, pos[::-1]

    # -- cubes ---------------------------------------------------------------------------------
    def _geo_vectors(self, g: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
        """Consistent geographic vectors that are +1 at position g (positions, signs: arrays
        (vectors, 14)), with partners that have stays in the same values of the other dimensions
        (`offset`), most SSR stays first. Two establishments of the same status change no status
        total above their common territory; of two statuses, they change the status totals up to
        France; one establishment alone moves every total above it up to France (a last resort)."""
        geo = self.geo
        level, code, status = geo.keys[g]
        rank = self._rank(offset)

        def top(mask: np.ndarray, k: int) -> np.ndarray:
            return rank[mask[rank]][:k]

        dep, reg, st = geo.e_dep, geo.e_reg, geo.e_status
        if level == "etab":
            e = geo.number[code]
            same_st, same_dep, same_reg = st == st[e], dep == dep[e], reg == reg[e]
            others = np.arange(len(geo.finess)) != e
            partners = np.concatenate([
                top(others & same_dep & same_st, 8), top(~same_dep & same_reg & same_st, 8),
                top(~same_reg & same_st, 6),
                # of another status: they move the status totals up to France (free where not published)
                top(same_dep & ~same_st, 4), top(~same_reg & ~same_st, 4), [-1]])
            return geo.vectors(np.full(len(partners), e), partners.astype(int))
        member = np.ones(len(geo.finess), dtype=bool) if level == "fr" else (
            (reg if level == "reg" else dep) == geo.code_number[code])
        fits = np.ones_like(member) if status == ALL else st == geo.code_number[status]
        inside = top(member & fits, 4)
        if level == "fr" and status == ALL:
            return geo.vectors(inside, np.full(len(inside), -1))
        if level == "fr":
            outside = top(~fits, 8)
        else:
            region = reg[inside[0]] if len(inside) else -1
            near = ~member & (reg == region) if level == "dep" else np.zeros_like(member)
            outside = np.concatenate([top(near & fits, 10), top((reg != region) & fits, 4), top(member & ~fits, 4)])
        plus = np.concatenate([inside[:2], np.repeat(inside, len(outside))]).astype(int)
        minus = np.concatenate([np.full(min(2, len(inside)), -1), np.tile(outside, len(inside))]).astype(int)
        pos, sig = geo.vectors(plus, minus)
        at_g = ((pos == g) & (sig == 1)).any(axis=1)
        return pos[at_g], sig[at_g]

    def _rank(self, offset: int) -> np.ndarray:
        """Establishments with stays in the values `offset` of the flat dimensions, most SSR stays
        (then the largest) first; the counts never change, so computed once per offset."""
        rank = self._ranks.get(offset)
        if rank is None:
            cells = self.geo.paths[:, 0] * self.stride + offset
            n, a = self.a[cells] + self.b[cells], self.a[cells]
            rank = np.lexsort((-self._size, -a))
            rank = self._ranks[offset] = rank[n[rank] >= 1]
        return rank

    def _flat_combos(self, g: int, pos: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Offsets and signs of every tensor product of the flat dimensions' vectors at `pos`:
        arrays (combinations, 2 ** dimensions). A dimension of many values (procedures) offers
        its FLAT_PARTNERS values with the most stays at x's territory (the others rarely help)."""
        offs, sigs = np.zeros((1, 1), dtype=int), np.ones((1, 1), dtype=int)
        for d, (j, size) in enumerate(zip(pos, self.sizes)):
            vecs = _flat_vectors(j, size)
            if len(vecs) > FLAT_PARTNERS:
                # the stays of x's territory at each value of this dimension (the others as x's)
                row = np.array([pos] * size)
                row[:, d] = np.arange(size)
                volume = self.a[g * self.stride + np.ravel_multi_index(row.T, self.sizes)]
                volume = volume + self.b[g * self.stride + np.ravel_multi_index(row.T, self.sizes)]
                partner = [max(v, key=lambda k: k != j) for v in vecs]  # the other value (or the "tous")
                vecs = [vecs[i] for i in np.argsort(-volume[partner], kind="stable")[:FLAT_PARTNERS]]
            vp = np.array([list(v.keys()) for v in vecs])  # options × 2
            vs = np.array([list(v.values()) for v in vecs])
            offs = (offs[:, None, :, None] * size + vp[None, :, None, :]).reshape(-1, offs.shape[1] * 2)
            sigs = (sigs[:, None, :, None] * vs[None, :, None, :]).reshape(-1, sigs.shape[1] * 2)
        return offs, sigs

    def protect(self, x: int, values: np.ndarray, need: float = MIN_WIDTH) -> None:
        """Mask cubes through cell x until the range a reader can prove of its count in `values`
        (self.a or self.b) is `need` wide (the stays, a + b, then vary at least as much)."""
        g, pos = self.split(x)
        gpos, gsig = self._geo_vectors(g, x - g * self.stride)
        if not len(gpos):
            self.unprotected.append(x)
            return
        # most cells are protected by a cube already masked among their nearest partners: look there first
        flat = self._flat_combos(g, pos)
        cells, signs, ok, alone = self._cubes(x, values, flat, gpos[:QUICK_PARTNERS], gsig[:QUICK_PARTNERS])
        if (alone[ok & self.masked[cells].all(axis=1)] >= need).any():
            return
        cells, signs, ok, alone = self._cubes(x, values, flat, gpos, gsig)
        dummy = len(self.a) - 1
        for _ in range(MAX_CUBES):
            free = ok & self.masked[cells].all(axis=1)
            if (alone[free] >= need).any() or self._width(values, cells[free], signs[free], alone[free]) >= need:
                return
            costs = np.where(self.masked[cells], 0.0, self.weight[cells]).sum(axis=1)
            key = np.where(ok & ~free, costs / np.maximum(np.minimum(alone, need), 1e-9), np.inf)
            best = int(np.argmin(key))
            if not np.isfinite(key[best]):
                break
            chosen = cells[best][cells[best] != dummy]
            newly = chosen[~self.masked[chosen]]
            self.masked[newly] = True
            self.reason[newly] = SECONDARY
        self.unprotected.append(x)

    def _cubes(self, x: int, values: np.ndarray, flat: tuple[np.ndarray, np.ndarray], gpos: np.ndarray,
               gsig: np.ndarray):
        """Every cube through x from the geographic vectors (gpos, gsig) and the flat dimensions'
        (`flat`: _flat_combos'): cells and signs (cubes × corners, padded with the dummy cell), which may be used (`ok`:
        every cell has stays, and the cube can move), and how far each alone moves x (`alone`)."""
        dummy = len(self.a) - 1
        offs, sigs = flat
        cells = gpos[:, None, :, None] * self.stride + offs[None, :, None, :]
        cells = np.where(gpos[:, None, :, None] < 0, dummy, cells).reshape(len(gpos) * len(offs), -1)
        signs = (gsig[:, None, :, None] * sigs[None, :, None, :]).reshape(len(cells), -1)
        other = cells != x
        a = values[cells]
        ups = np.where(signs < 0, a, np.inf).min(axis=1)
        downs = np.where((signs > 0) & other, a, np.inf).min(axis=1)
        own = float(values[x])
        # a cell without stays is published as such (it cannot move); every cube used must be able to
        # move, so that no masked cell in it keeps a single value
        ok = ((self.a[cells] + self.b[cells]) >= 1).all(axis=1) & ((ups >= 1) | (np.minimum(own, downs) >= 1))
        return cells, signs, ok, ups + np.minimum(own, downs)

    def _width(self, values: np.ndarray, cells: np.ndarray, signs: np.ndarray, alone: np.ndarray) -> float:
        """How wide a range of x's count the masked cubes (rows of `cells`, `signs`, +1 at x) leave
        together: max and min of the sum of their coefficients keeping every count >= 0 (a linear
        programme over the cubes, a lower bound of what a reader can prove)."""
        if not len(cells):
            return 0.0
        from scipy.optimize import linprog  # scipy is loaded by the workers that compute masks only

        keep = np.argsort(-alone, kind="stable")[:80]
        cells, signs = cells[keep], signs[keep]
        real = cells != len(self.a) - 1
        uniq, inverse = np.unique(cells[real], return_inverse=True)
        cube = np.nonzero(real)[0]
        m = np.zeros((len(uniq), len(cells)))
        np.add.at(m, (inverse, cube), signs[real])
        cap = float(MIN_WIDTH)
        bounds = [(-cap, cap)] * len(cells)
        up = linprog(-np.ones(len(cells)), A_ub=-m, b_ub=values[uniq], bounds=bounds, method="highs")
        down = linprog(np.ones(len(cells)), A_ub=-m, b_ub=values[uniq], bounds=bounds, method="highs")
        if up.status != 0 or down.status != 0:
            return 0.0
        return float(-up.fun - down.fun)


def suppress(leaves: pd.DataFrame, dims: Sequence[tuple[str, Sequence[str]]], statuses: Sequence[str],
             secondary: bool = True, unpublished: Callable[[tuple], bool] | None = None) -> Suppression:
    """The masks of a reach. `leaves`: one row per establishment × value of each dimension with
    columns finess, status, region, departement, the dimensions' columns, `a` and `b` (counts of
    stays: with SSR and without; ambulatory and not). `dims`: (column, values) of each dimension.
    `secondary=False` keeps the primary masks only (for tests showing what they would leave open).
    `unpublished(key)`: cells no page publishes in presentation mode (masked, free to use, no rule)."""
    leaves = leaves[(leaves["a"] + leaves["b"]) > 0]
    if leaves.empty:
        return Suppression(dims=tuple(name for name, _ in dims), index={}, a=np.zeros(0), b=np.zeros(0),
                           masked=np.zeros(0, dtype=bool), reason=np.zeros(0, dtype=np.int8))
    eng = _Engine(leaves, dims, statuses)
    index = _index(eng)
    if unpublished is not None:
        hidden = np.array([i for k, i in index.items() if unpublished(k)], dtype=int)
        eng.masked[hidden] = True
        eng.reason[hidden] = UNPUBLISHED
        eng.weight[hidden] = 0.0
    small_a = (eng.a >= 1) & (eng.a < THRESHOLD)
    small_b = (eng.b >= 1) & (eng.b < THRESHOLD)
    # A cell no page publishes is masked already. Establishment-level ones (the finest counts of the
    # data: an establishment's stays for one gesture and age band) still may not be computed back
    # exactly from what is published; unpublished totals (a status, a département by age band) are
    # sums the app never shows, left to the protection of the cells they add up.
    finest = np.zeros_like(small_a)
    finest[:-1] = np.repeat([k[0] == "etab" for k in eng.geo.keys], eng.stride)
    primary = (small_a | small_b) & ((eng.reason != UNPUBLISHED) | finest)
    eng.masked[primary] = True
    shown = primary & (eng.reason != UNPUBLISHED)
    eng.reason[shown] = np.where(small_a[shown] | ((eng.a + eng.b)[shown] < THRESHOLD), PRIMARY, COMPLEMENT)
    if secondary:
        # the most detailed cells first: the cubes of the totals above then reuse their masks
        depth = np.array([GEO_LEVELS.index(k[0]) for k in eng.geo.keys])
        cells = np.flatnonzero(primary[:-1])
        for x in cells[np.argsort(-depth[cells // eng.stride], kind="stable")]:
            # a cell no page shows must not be computed back exactly; one shown masked, not within 5
            need = 1.0 if eng.reason[x] == UNPUBLISHED else float(MIN_WIDTH)
            eng.protect(int(x), eng.a, need)
            if small_b[x]:  # the stays without SSR, a count of stays from 1 to 10 too
                eng.protect(int(x), eng.b, need)
    return Suppression(dims=tuple(name for name, _ in dims), index=index, a=eng.a[:-1], b=eng.b[:-1],
                       masked=eng.masked[:-1], reason=eng.reason[:-1], status_of=dict(eng.geo.status), unprotected=tuple(eng.unprotected))


def _index(eng: _Engine) -> dict[tuple, int]:
    """(level, code, status, value of each dimension) → cell."""
    index = {}
    for g, key in enumerate(eng.geo.keys):
        for offset in range(eng.stride):
            values = []
            rest = offset
            for d in reversed(range(len(eng.sizes))):
                rest, j = divmod(rest, eng.sizes[d])
                values.append(eng.dim_values[d][j])
            index[(*key, *values[::-1])] = g * eng.stride + offset
    return index


# ---------------------------------------------------------------------------------------------
# What one view shows of the masks
# ---------------------------------------------------------------------------------------------
MASKED = "masqué"  # how a masked count is shown (whatever the reason: "< 11" would bound it)
SECRET = "secret statistique"  # how a masked rate (and its interval, gap, class) is shown

@dataclass(frozen=True)
class NestedSecrecy:
    """The masks of one view's territories: `total` (France, one row) and `levels` (régions,
    départements, establishments), each indexed by code with columns num, den (counts), masked,
    reason, parent (the code of the level above), and rate_hidden (= masked: what the displays of a
    rate read). A masked count is shown as MASKED whatever the reason."""

    total: pd.DataFrame
    levels: tuple[pd.DataFrame, ...]

    def level(self, i: int) -> pd.DataFrame:
        return self.levels[i]



def view_secrecy(masks: Suppression, counts: pd.DataFrame, keys: Sequence[str], num: str, den: str,
                 status: str, values: Sequence[str]) -> NestedSecrecy:
    """The masks of a view reading `counts` (one row per establishment: `keys` = région,
    département, FINESS columns; `num` ⊆ `den` counts) for `status` and one value per dimension
    of the reach (ALL for "tous"). A territory outside the reach (it should not happen: the same
    data) is masked."""
    levels = []
    for depth, level in enumerate(("reg", "dep", "etab")):
        grouped = counts.groupby(list(keys[:depth + 1]), dropna=False, sort=True)[[num, den]].sum()
        codes = [k[-1] if isinstance(k, tuple) else k for k in grouped.index]
        parents = [k[-2] if isinstance(k, tuple) and len(k) > 1 else "" for k in grouped.index]
        levels.append(_flags(masks, level, codes, parents, grouped[num].to_numpy(), grouped[den].to_numpy(),
                             status, values, name=keys[depth]))
    total = _flags(masks, "fr", [""], [""], np.array([counts[num].sum()]), np.array([counts[den].sum()]),
                   status, values, name=None)
    return NestedSecrecy(total=total.reset_index(drop=True), levels=tuple(levels))


def _flags(masks: Suppression, level: str, codes: list, parents: list, num: np.ndarray, den: np.ndarray,
           status: str, values: Sequence[str], name: str | None) -> pd.DataFrame:
    cells = [masks.cell(level, str(c), status, *values) for c in codes]
    masked = np.array([(i is None and d > 0) or (i is not None and bool(masks.masked[i])) for i, d in zip(cells, den)],
                      dtype=bool)
    reason = np.array([UNPUBLISHED if i is None else int(masks.reason[i]) for i in cells], dtype=int)
    out = pd.DataFrame({"num": num.astype(float), "den": den.astype(float), "masked": masked,
                        "reason": np.where(masked, reason, SHOWN), "parent": parents,
                        "rate_hidden": masked},
                       index=pd.Index(codes, name=name))
    return out


def count_display(value, masked: bool):
    """A count as shown: the count itself, or MASKED."""
    return MASKED if masked else value


def counts_people(label: str) -> bool:
    """Is a numerator or denominator (its catalogue label) a count of stays or patients, the counts
    the secret statistique covers? Days, acts, FTE, beds, GMD or IVA points are not."""
    folded = str(label).lower()
    return any(word in folded for word in ("séjour", "sejour", "patient", "réhospitalisation", "rehospitalisation"))
