"""The secret statistique of the establishment profile (presentation mode): which figures of a
profile may show, and the texts that say so.

Pure functions (no Dash, no SQL). A figure num/den shows each count as is, "< 11" (a count from 1
to 10) or "masqué" (hidden so that a total cannot give a "< 11" away); the figure itself (a rate
or a ratio) and what derives from it print "s" when either count is hidden. The masks of a profile
come from the linked suppression of every establishment's counts (analytics.secrecy_legacy), over the
régional, comparables and national sums the profiles publish.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from analytics import msap as msap_model
from analytics import profile as model
from analytics.secrecy_legacy import MASK, SECONDARY, counts_people, is_small, linked_suppression
from text.format import NBSP, fmt_dec, fmt_int, fmt_pct

SECRET_RATE = "s"  # a rate or ratio hidden by the secret statistique (as analytics.profile writes it)


@dataclass(frozen=True)
class Shown:
    """How the presentation mode shows a figure num/den: each count as is (None), "< 11" or
    "masqué"; the figure itself (rate, ratio) and what derives from it are hidden when either is."""

    num: str | None = None
    den: str | None = None

    @property
    def hidden(self) -> bool:
        return self.num is not None or self.den is not None

    @classmethod
    def of(cls, num_small: bool = False, num_masked: bool = False, den_small: bool = False,
           den_masked: bool = False) -> Shown:
        def one(small, masked):
            return MASK if small else SECONDARY if masked else None
        return cls(one(num_small, num_masked), one(den_small, den_masked))


PLAIN = Shown()


@dataclass
class ProfileSecrecy:
    """What the presentation mode hides on one profile: `recourse[gesture]` and `indicators[code]`
    map 'own', 'region', 'france' (and 'comparables' for indicators) to a Shown. Built by
    services.profile from the linked suppression of every establishment's counts."""

    recourse: dict[str, dict[str, Shown]] = field(default_factory=dict)
    indicators: dict[str, dict[str, Shown]] = field(default_factory=dict)

    def of_recourse(self, gesture: str, which: str) -> Shown:
        return self.recourse.get(gesture, {}).get(which, PLAIN)

    def of_indicator(self, code: str, which: str) -> Shown:
        return self.indicators.get(code, {}).get(which, PLAIN)


# ---------------------------------------------------------------------------
# The masks of every establishment (computed once per year, cached by services.profile)
# ---------------------------------------------------------------------------
def recourse_secrecy(grp: pd.DataFrame, masks, values: tuple[str, ...]) -> dict:
    """The masks of one gesture's SSR recourse counts (columns finess, cases, stays, region_code,
    departement_code), read from the year's reach masks (analytics.secrecy.Suppression; `values`
    the gesture and ALL ages): the cells of /ssr's and /msap's lists, as {"cells": {finess: Shown},
    "region": {code: Shown}, "france": Shown} (cells not listed are shown). A masked figure is
    masked whole: both counts show "masqué"."""
    if grp.empty:
        return {"cells": {}, "region": {}, "france": PLAIN}
    grp = grp.assign(region_code=grp["region_code"].fillna(""))
    s = msap_model.secrecy(grp, masks, values)
    hidden = Shown.of(False, True, False, True)
    cells = {f: hidden for f, r in s.cells.to_dict("index").items() if r["rate_hidden"]}
    region = {code: hidden if masked else PLAIN for code, masked in s.region_stays_masked.items()}
    return {"cells": cells, "region": region, "france": hidden if s.national_hidden else PLAIN}


def indicator_secrecy(values: pd.DataFrame, catalogue: pd.DataFrame) -> dict[str, dict]:
    """The secret statistique of a year's SSR profile values (with each establishment's region_code,
    activity, legal_status and size_class): for each ratio indicator whose numerator or denominator
    counts stays or patients (analytics.secrecy_legacy.counts_people), the linked suppression of that count
    over the régional, comparables and national sums, as {code: {"cells": {finess: Shown}, "region":
    {code: Shown}, "comparables": {(activity, status, size class): Shown}, "france": Shown}}. Other
    counts (days, acts, FTE, beds) are not masked."""
    out = {}
    for ind in catalogue.itertuples():
        people = counts_people(ind.numerator_label), counts_people(ind.denominator_label)
        if ind.kind != "ratio" or not any(people):
            continue
        rows = values[(values["indicator"] == ind.code) & values["numerator"].notna() & (values["denominator"] > 0)]
        keys = [rows["region_code"].tolist(),
                list(zip(rows["activity"], rows["legal_status"], rows["size_class"].astype(int).tolist())),
                ["FR"] * len(rows)]
        none = [False] * len(rows)
        flags = []
        for column, counted in zip(("numerator", "denominator"), people):
            if counted:
                linked = linked_suppression(rows[column].tolist(), keys)
                totals = []
                for k, labels in enumerate(keys):
                    sums: dict = {}
                    for value, g in zip(rows[column].tolist(), labels):
                        sums[g] = sums.get(g, 0.0) + value
                    totals.append({g: (is_small(sums[g]), linked.totals[k][g]) for g in linked.totals[k]})
                flags.append((linked.small, linked.masked, totals))
            else:
                flags.append((none, none, [dict.fromkeys(labels, (False, False)) for labels in keys]))
        (num_small, num_masked, num_totals), (den_small, den_masked, den_totals) = flags
        cells = {f: Shown.of(num_small[i], num_masked[i], den_small[i], den_masked[i])
                 for i, f in enumerate(rows["finess"]) if num_masked[i] or den_masked[i]}
        groups = [{g: Shown.of(*num_totals[k][g], *den_totals[k][g]) for g in num_totals[k]} for k in range(3)]
        out[ind.code] = {"cells": cells, "region": groups[0], "comparables": groups[1],
                         "france": groups[2].get("FR", PLAIN)}
    return out


# ---------------------------------------------------------------------------
# Texts of a figure as the mode shows it (page and PDF alike)
# ---------------------------------------------------------------------------
def recourse_shown(secret: ProfileSecrecy | None, r: model.RecourseRow) -> tuple[Shown, Shown, Shown]:
    if secret is None:
        return PLAIN, PLAIN, PLAIN
    return secret.of_recourse(r.gesture, "own"), secret.of_recourse(r.gesture, "region"), \
        secret.of_recourse(r.gesture, "france")


def count_text(x, shown: str | None) -> str:
    """A count as shown: '12 345', '< 11' or 'masqué'."""
    return shown if shown else fmt_int(x)


def number_text(x, shown: str | None) -> str:
    """A numerator or denominator as shown (analytics.profile.fmt_number, or the mask)."""
    return shown if shown else model.fmt_number(x)


def rate_counts_text(x: int, n: int, shown: Shown = PLAIN) -> str:
    """'62,1 % (118/190)'; in the presentation mode 's (< 11/190)' or 's (masqué/190)'."""
    if shown.hidden:
        return f"{SECRET_RATE} ({count_text(x, shown.num)}/{count_text(n, shown.den)})"
    return model.fmt_rate_counts(x, n)


def figure_lines(fig: model.Figure, row: model.ProfileRow, reference: str | None = None,
                 shown: Shown = PLAIN) -> tuple[str, list[str]]:
    """(value, basis lines) of one cell of the SSR profile table, page and PDF alike; `shown` (the
    presentation mode) masks the counts of stays or patients and hides a value built on one."""
    value = SECRET_RATE if shown.hidden else model.fmt_value(fig.value, row.unit, row.kind)
    if reference:
        if shown.hidden and row.kind != "count":
            return value, [f"{number_text(fig.numerator, shown.num)}/{number_text(fig.denominator, shown.den)}",
                           f"{fmt_int(fig.n)} établ."]
        return value, model.ref_basis_lines(fig, row.kind)
    if row.kind == "count":
        return value, ["valeur de l'établissement"]
    if shown.hidden:
        return value, [f"({number_text(fig.numerator, shown.num)}/{number_text(fig.denominator, shown.den)})"]
    lines = [model.fmt_basis(fig, row.kind)]
    if row.interval == "wilson" and not pd.isna(fig.low):
        lines.append(f"IC 95 % {fmt_dec(fig.low, 1)} – {fmt_dec(fig.high, 1)}")
    return value, lines


def presentation_points(recourse: Sequence[model.RecourseRow], rows: Sequence[model.ProfileRow],
                        caqes: pd.DataFrame | None, caqes_year: int | None, secret: ProfileSecrecy) -> list[str]:
    """analytics.profile.attention_points as the presentation mode states them: the same points in
    the same order, with the masks of `secret` (secondary suppression included) instead of the
    figures they cover."""
    def rate(value, shown: Shown) -> str:
        return SECRET_RATE if shown.hidden else fmt_pct(value)

    def recourse_sentence(r: model.RecourseRow) -> str:
        own, region, france = recourse_shown(secret, r)
        text = (f"Taux de recours au SSR après {r.label.lower()} ({r.gesture}) : "
                f"{rate_counts_text(r.with_ssr, r.stays, own)}, contre {rate(r.region[2], region)} en région et "
                f"{rate(r.france[2], france)} en France")
        if r.above_998:
            return text + f" ; au-dessus de la limite à 99,8{NBSP}% de l'entonnoir (établissement atypique)."
        if own.hidden:
            return text + f" ; au-delà de l'intervalle de confiance à 95{NBSP}%."
        return text + f" ; IC 95{NBSP}% {fmt_pct(r.low)} – {fmt_pct(r.high)}."

    def profile_sentence(r: model.ProfileRow) -> str:
        def ref(name: str) -> str:
            shown, figure = secret.of_indicator(r.code, name), r.refs[name]
            value = figure.value if figure is not None else None
            return SECRET_RATE if shown.hidden else model.fmt_value(value, r.unit, r.kind)

        if r.own is None:  # nothing of its own to compare (not a point d'attention in practice)
            return f"{r.label} : {model.fmt_value(None, r.unit, r.kind)}."
        own, lines = figure_lines(r.own, r, None, secret.of_indicator(r.code, "own"))
        if r.kind == "count":
            return (f"{r.label} : {own}, contre une médiane de {ref('region')} en région et de {ref('france')} "
                    f"en France.")
        basis = lines[0] if lines and lines[0] else ""
        return (f"{r.label} : {own}{' ' + basis if basis else ''}, contre {ref('region')} en région et "
                f"{ref('france')} en France.")

    points = [recourse_sentence(r) for r in recourse if r.above_998]
    points += [recourse_sentence(r) for r in recourse
               if not r.above_998 and r.marks["region"] == model.WORSE and r.marks["france"] == model.WORSE]
    points += [profile_sentence(r) for r in rows if r.own is not None and r.worse_than_region_and_france]
    return points + model.attention_points([], [], caqes, caqes_year)
