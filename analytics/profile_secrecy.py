"""The secret statistique of the establishment profile (presentation mode): which figures of a
profile may show, and the texts that say so.

Pure functions (no Dash, no SQL). A figure num/den shows each count as is or "masqué"; the figure
itself (a rate or a ratio) and what derives from it print "s" when it is masked. The masks come from
analytics.secrecy: the reach masks of the SSR recourse (the same as /ssr's and /msap's), and, for the
SSR establishments' indicators, one suppression per indicator over what the profiles publish of it
(each establishment, its région, France; not the comparables' sums, which cross the régions).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from analytics import msap as msap_model
from analytics import profile as model
from analytics.secrecy import ALL, MASKED, counts_people, suppress
from analytics.ssr import STATUSES
from text.format import NBSP, fmt_dec, fmt_int, fmt_pct

SECRET_RATE = "s"  # a rate or ratio hidden by the secret statistique (as analytics.profile writes it)


@dataclass(frozen=True)
class Shown:
    """How the presentation mode shows a figure num/den: each count as is (None) or "masqué"; the
    figure itself (rate, ratio) and what derives from it are hidden when either is."""

    num: str | None = None
    den: str | None = None

    @property
    def hidden(self) -> bool:
        return self.num is not None or self.den is not None

    @classmethod
    def of(cls, num_small: bool = False, num_masked: bool = False, den_small: bool = False,
           den_masked: bool = False) -> Shown:
        def one(small, masked):
            return MASKED if small or masked else None
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


def indicator_secrecy(values: pd.DataFrame, catalogue: pd.DataFrame, secondary: bool = True) -> dict[str, dict]:
    """The masks of a year's SSR profile values (with each establishment's region_code,
    departement_code, activity, legal_status and size_class): for each ratio indicator whose numerator
    or denominator counts stays or patients (secrecy.counts_people), one suppression over what the
    profiles publish of it (analytics.secrecy.suppress: each establishment, its région, France; no
    status), as {code: {"cells": {finess: Shown}, "region": {code: Shown}, "comparables":
    {(activity, status, size class): Shown}, "france": Shown}}. The comparables' sums cross the
    régions (another partition): they are not published in presentation mode for these indicators.
    A count of people is `a` (numerator) and its complement `b` when both count people and the
    numerator is part of the denominator (re-hospitalisations among stays); else the one count."""
    hidden = Shown.of(False, True, False, True)
    out = {}
    for ind in catalogue.itertuples():
        people = counts_people(ind.numerator_label), counts_people(ind.denominator_label)
        if ind.kind != "ratio" or not any(people):
            continue
        rows = values[(values["indicator"] == ind.code) & values["numerator"].notna() & (values["denominator"] > 0)]
        num, den = rows["numerator"].round().astype("int64"), rows["denominator"].round().astype("int64")
        part = all(people) and bool((num <= den).all())
        a = num if people[0] else den
        b = den - num if part else (den if all(people) else 0 * num)
        leaves = pd.DataFrame({"finess": rows["finess"], "status": rows["legal_status"],
                               "region": rows["region_code"].fillna(""),
                               "departement": rows["departement_code"].fillna(""), "a": a, "b": b})
        masks = suppress(leaves, (), STATUSES, secondary=secondary,
                         unpublished=lambda key: key[2] != ALL or key[0] == "dep")
        cells = {f: hidden for f in rows["finess"] if masks.is_masked("etab", f)}
        region = {code: hidden if masks.is_masked("reg", code) else PLAIN for code in set(leaves["region"])}
        comparables = dict.fromkeys(zip(rows["activity"], rows["legal_status"], rows["size_class"].astype(int).tolist()), hidden)
        out[ind.code] = {"cells": cells, "region": region, "comparables": comparables,
                         "france": hidden if masks.is_masked("fr", "") else PLAIN}
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
    """A count as shown: '12 345' or 'masqué'."""
    return shown if shown else fmt_int(x)


def number_text(x, shown: str | None) -> str:
    """A numerator or denominator as shown (analytics.profile.fmt_number, or the mask)."""
    return shown if shown else model.fmt_number(x)


def rate_counts_text(x: int, n: int, shown: Shown = PLAIN) -> str:
    """'62,1 % (118/190)'; in the presentation mode 's (masqué/masqué)'."""
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
