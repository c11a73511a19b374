"""Anonymisation for meetings (pure computation): stable pseudonyms, capacity bands and k-anonymous generalisation of
the quasi-identifiers an anonymised establishment is shown with.

Letters alone are not anonymity: a unique (département, status, activity, capacity) gives the
establishment away to anyone who knows the hospitals of the area. The anonymised directory and
profile therefore show each quasi-identifier only where at least `K` establishments share the
whole shown tuple within the group of the attributes published for every letter elsewhere
anyway (région, département, status, activity: security.presentation.IDENTITY_KEYS) — k-anonymity
(Sweeney 2002) by hierarchical local recoding: the attributes generalised are walked from the
broadest to the finest (here the capacity band alone); at each level, the values held by fewer
than K establishments of the group are merged into one "not stated" value, and when that merged set is itself smaller than K the
smallest other values join it (else it could be told apart by elimination). Every shown tuple is
then held by at least K establishments, or by all of a group smaller than K."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

import pandas as pd

K = 3  # establishments sharing every shown tuple (sdcMicro's usual default)
WITHHELD = ""  # the code of a value not stated (the UI reads it as « non précisé »)
# Lits et places: broad bands (the exact capacity, with the département, is nearly a fingerprint)
CAPACITY_BANDS = ((100, "moins de 100"), (300, "100 à 299"), (None, "300 ou plus"))


def capacity_band(beds_and_places: int) -> str:
    """'moins de 100', '100 à 299' or '300 ou plus' (lits et places)."""
    for upper, label in CAPACITY_BANDS:
        if upper is None or beds_and_places < upper:
            return label
    raise AssertionError("unreachable")


def generalise(frame: pd.DataFrame, levels: list[str], k: int = K, by: list[str] | None = None) -> pd.DataFrame:
    """`frame[by + levels]` (as strings) with values of `levels` replaced by WITHHELD so that, within
    each group of `by` (kept as they are: attributes published elsewhere anyway), every row's tuple
    is shared by at least `k` rows, or by the whole group when it has fewer (see the module
    docstring); a withheld level withholds the finer ones too. `levels` from the broadest to the
    finest; the index is kept."""
    by = by or []
    out = frame[by + levels].astype(str).copy()
    values = out[levels].to_numpy(dtype=object, copy=True)

    def walk(rows: list[int], depth: int) -> None:
        if depth == len(levels) or not rows:
            return
        groups: dict[str, list[int]] = {}
        for i in rows:
            groups.setdefault(values[i, depth], []).append(i)
        merged = {v for v, members in groups.items() if len(members) < k}
        total = sum(len(groups[v]) for v in merged)
        if 0 < total < k:
            for v in sorted((v for v in groups if v not in merged), key=lambda v: (len(groups[v]), v)):
                merged.add(v)
                total += len(groups[v])
                if total >= k:
                    break
        for v, members in groups.items():
            if v in merged:
                values[members, depth:] = WITHHELD
            else:
                walk(members, depth + 1)

    if by:
        for rows in out.reset_index(drop=True).groupby(by, sort=False).indices.values():
            walk(list(rows), 0)
    else:
        walk(list(range(len(out))), 0)
    return pd.concat([out[by], pd.DataFrame(values, index=out.index, columns=levels)], axis=1)


def letters(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA', 27 -> 'AB' … (spreadsheet column names)."""
    if index < 0:
        raise ValueError("index must be >= 0")
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def aliases(identifiers: Iterable[str], salt: str) -> dict[str, str]:
    """A stable pseudonym per identifier ('Établissement A', 'Établissement B', …).

    The order is that of HMAC-SHA256(salt, identifier): random-looking (not the FINESS order, which
    gives away the département) but stable for as long as the salt is kept (one meeting)."""
    key = salt.encode()
    ordered = sorted(set(identifiers), key=lambda f: hmac.new(key, f.encode(), hashlib.sha256).hexdigest())
    return {f: f"Établissement {letters(i)}" for i, f in enumerate(ordered)}
