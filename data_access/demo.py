"""Demo data set: fictitious establishments in real communes, with a decade of facts.

`generate` reads the geography and the catalogues from the database (read only) and
returns one DataFrame per import kind, in the column format of the import pipeline;
`seed_demo` feeds them to `data_access.imports.import_frame`, so demo data goes through
the same validation as real files.

Everything is drawn from one `numpy.random.default_rng(seed)`: the same seed and scale
give the same frames. Orders of magnitude follow the domain brief (about 1,000 establishments
doing the four orthopaedic gestures, 1,700 SSR establishments, about 1,130 CAQES 2022
contracts); the models behind the numbers are described next to their parameters.
Counts are integers (stays, re-hospitalisations, acts); FTE are floats with one decimal;
CAQES values are percentages (0–100).
"""
from __future__ import annotations

import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import select

from data_access import demo_names as names
from data_access import models
from data_access.db import connect

if TYPE_CHECKING:
    from data_access.imports import ImportReport

SCALES = ("region", "national", "stress")
DEFAULT_REGION = "75"  # Nouvelle-Aquitaine
KINDS = ("establishments", "ssr_recourse", "ambulatory_surgery", "profile_values",
         "caqes_contracts", "caqes_results", "msap_decisions", "ambulatory_targets", "campaigns", "actions")
COLUMNS: dict[str, tuple[str, ...]] = {
    "establishments": ("finess", "name", "legal_status", "category", "activity", "commune_code",
                       "latitude", "longitude", "beds", "places"),
    "ssr_recourse": ("finess", "year", "gesture", "age_band", "stays", "stays_with_ssr"),
    "ambulatory_surgery": ("finess", "year", "gesture_group", "stays", "ambulatory_stays"),
    "profile_values": ("finess", "year", "indicator", "numerator", "denominator"),
    "caqes_contracts": ("finess", "start_year", "end_year", "signed_on", "parts"),
    "caqes_results": ("finess", "year", "indicator", "baseline", "target", "achieved", "savings_eur"),
    "msap_decisions": ("finess", "campaign", "gesture", "year", "decision", "decided_on", "start_on", "end_on"),
    "ambulatory_targets": ("region_code", "year", "target_pct", "departement_code"),
    "campaigns": ("code", "label", "theme", "year", "perimeter"),
    "actions": ("campaign", "finess", "step", "date", "by", "note"),
}

YEARS = np.arange(2015, 2025)
DATA_CUTOFF = np.datetime64("2024-12-31")  # decisions after this date have not happened yet
STRESS_FACTOR = 10

# --- Establishments -----------------------------------------------------------------
# National counts: MCO = activity MCO or MCO+SSR, SSR = activity SSR or MCO+SSR.
N_MCO, N_SSR = 1000, 1700
BOTH_SHARE = 0.30  # share of the MCO establishments that also run an SSR service
STATUSES = ("public", "espic", "prive")
MCO_STATUS = (0.45, 0.10, 0.45)
SSR_STATUS = (0.35, 0.35, 0.30)
BOTH_STATUS = (0.60, 0.15, 0.25)  # MCO+SSR are mostly public hospitals
MCO_COMMUNE_EXPONENT = 1.5  # surgery concentrates in towns: commune weight = population ** 1.5
SSR_COMMUNE_EXPONENT = 1.0

CHU, CH, ESPIC_MCO, CLINIQUE = "CHU/CHR", "Centre hospitalier", "Hôpital privé d'intérêt collectif", "Clinique MCO"
PROXIMITE, CENTRE_SSR, CLINIQUE_SSR = "Hôpital de proximité", "Centre de SSR", "Clinique de SSR"
# category -> (median beds, sigma), (median places, sigma) of a log-normal
CAPACITY = {
    CHU: ((1300, 0.35), (120, 0.4)), CH: ((280, 0.55), (20, 0.6)), ESPIC_MCO: ((200, 0.45), (20, 0.5)),
    CLINIQUE: ((120, 0.40), (25, 0.5)), PROXIMITE: ((55, 0.40), (3, 0.8)),
    CENTRE_SSR: ((80, 0.45), (12, 0.7)), CLINIQUE_SSR: ((90, 0.35), (10, 0.7)),
}
SSR_SERVICE = ((45, 0.40), (8, 0.7))  # the SSR service of an MCO+SSR establishment
# Orthopaedic activity per bed: clinics do most of France's joint replacements.
ORTHO_FACTOR = {CHU: 0.9, CH: 0.8, ESPIC_MCO: 1.0, CLINIQUE: 2.4}


# --- SSR recourse after orthopaedic surgery -----------------------------------------------
@dataclass(frozen=True)
class GestureModel:
    stays_2015: float  # national stays in 2015 for the nominal 1,000 MCO establishments
    growth: float  # yearly growth of volumes
    rate_2015: float  # SSR recourse (0-1): public hospital, 60-74 band, average region, 2015
    trend: float  # change of the logit per year (rates fell over the decade)
    age_shares: dict[str, float] = field(default_factory=dict)  # share of stays per age band
    age_logit: dict[str, float] = field(default_factory=dict)  # logit offset per age band
    does: dict[str, float] = field(default_factory=dict)  # P(performs the gesture) per category


GESTURES = {
    "PTG": GestureModel(100_000, 0.020, 0.41, -0.085, {"<60": 0.12, "60-74": 0.50, "75+": 0.38},
                        {"<60": -0.45, "60-74": 0.0, "75+": 0.50}, {CHU: 1, CH: 0.92, ESPIC_MCO: 0.90, CLINIQUE: 0.95}),
    "PTH": GestureModel(122_000, 0.015, 0.33, -0.080, {"<60": 0.20, "60-74": 0.45, "75+": 0.35},
                        {"<60": -0.60, "60-74": 0.0, "75+": 0.55}, {CHU: 1, CH: 0.97, ESPIC_MCO: 0.95, CLINIQUE: 0.97}),
    "LCA": GestureModel(50_000, 0.005, 0.09, -0.060, {"<60": 0.93, "60-74": 0.06, "75+": 0.01},
                        {"<60": 0.0, "60-74": 0.40, "75+": 0.80}, {CHU: 1, CH: 0.55, ESPIC_MCO: 0.70, CLINIQUE: 0.80}),
    "COIFFE": GestureModel(38_000, 0.015, 0.16, -0.070, {"<60": 0.45, "60-74": 0.45, "75+": 0.10},
                           {"<60": -0.35, "60-74": 0.0, "75+": 0.45}, {CHU: 1, CH: 0.60, ESPIC_MCO: 0.70, CLINIQUE: 0.85}),
}
DEFAULT_GESTURE = GestureModel(20_000, 0.0, 0.20, -0.05)  # a gesture added to the catalogue later
STATUS_LOGIT = {"public": 0.0, "espic": 0.15, "prive": 0.45}  # for-profit clinics transfer more
REGION_SPREAD = 0.62  # regional logit offsets are evenly spread over ±0.62 (about 34–68 % for PTG in 2015)
COVID_VOLUME = {2020: 0.82}

# MSAP: yearly number of targeted (establishment, gesture) pairs per 1,000 MCO establishments.
MSAP_SSR_PER_YEAR = (20, 45)
MSAP_AMBU_PER_YEAR = (2, 7)
MSAP_NOTIFIED = 0.75  # the others are dropped after the contradictory phase (abandonnee)
MSAP_EFFECT = (0.20, 0.35)  # logit change in the MSAP year, and in later years

# --- Ambulatory surgery -----------------------------------------------------------------
# code -> (rate 2015 before calibration, median stays per establishment, P(performs) per category)
AMBU_GROUPS = {
    "CATARACTE": (0.80, 300, {CHU: 0.9, CH: 0.55, ESPIC_MCO: 0.6, CLINIQUE: 0.7}),
    "CANAL_CARPIEN": (0.80, 150, {CHU: 0.9, CH: 0.70, ESPIC_MCO: 0.7, CLINIQUE: 0.8}),
    "HERNIE_INGUINALE": (0.45, 200, {CHU: 1.0, CH: 0.90, ESPIC_MCO: 0.9, CLINIQUE: 0.9}),
    "ARTHROSCOPIE_GENOU": (0.70, 120, {CHU: 1.0, CH: 0.75, ESPIC_MCO: 0.8, CLINIQUE: 0.9}),
    "VARICES": (0.60, 80, {CHU: 0.8, CH: 0.45, ESPIC_MCO: 0.5, CLINIQUE: 0.6}),
    "CHOLECYSTECTOMIE": (0.30, 180, {CHU: 1.0, CH: 0.85, ESPIC_MCO: 0.8, CLINIQUE: 0.8}),
    "AMYGDALECTOMIE": (0.30, 60, {CHU: 0.9, CH: 0.35, ESPIC_MCO: 0.4, CLINIQUE: 0.5}),
    "HALLUX_VALGUS": (0.35, 80, {CHU: 0.8, CH: 0.45, ESPIC_MCO: 0.6, CLINIQUE: 0.8}),
}
DEFAULT_AMBU_GROUP: tuple[float, int, dict[str, float]] = (0.50, 80, {})
# National ambulatory rate (0-1) per year: DOMAIN gives 59.2 % in 2019 and 62.3 % in 2021.
AMBU_NATIONAL = dict(zip(YEARS.tolist(), (0.550, 0.562, 0.573, 0.583, 0.592, 0.600, 0.623, 0.634, 0.643, 0.650)))
AMBU_STATUS_LOGIT = {"public": 0.0, "espic": 0.10, "prive": 0.35}
AMBU_LOW_OUTLIERS = (0.06, -1.2)  # share of establishments far behind, and their logit offset

# The 55 marker procedures (issue 16) are drawn from their own random streams, so that adding them
# left every other table's draws as they were: the eight groups above are still drawn first on
# the main stream (their stays and the AMBU MSAP history are kept), then every procedure's
# ambulatory stays are drawn again on MARKER_STREAM with the levels below, each establishment
# keeping the lead or lag it had on the eight groups (so the MSAP history still fits the rates).
LEGACY_AMBU_GROUPS = tuple(AMBU_GROUPS)  # the catalogue of 2025, in its order then
MARKER_STREAM, TARGET_STREAM = 16, 17  # numpy.random.default_rng([seed, stream])
# code -> (ambulatory rate 2015 before calibration, median stays per establishment performing it)
AMBU_MARKERS = {
    "ADENOIDECTOMIE": (0.88, 60), "ARTHROSCOPIE_GENOU": (0.72, 120), "CHIR_ANALE": (0.50, 60),
    "CANAL_CARPIEN": (0.955, 150), "PTERYGION": (0.85, 15), "DUPUYTREN": (0.70, 25), "BOURSES": (0.62, 30),
    "HERNIE_INGUINALE": (0.45, 200), "VARICES": (0.65, 80), "CATARACTE": (0.96, 300),
    "TUMORECTOMIE_SEIN": (0.40, 40), "MAIN_TENDONS": (0.68, 30), "STRABISME": (0.72, 15),
    "LESIONS_CUTANEES": (0.82, 60), "LESIONS_SOUS_CUTANEES": (0.74, 30), "KYSTES_SYNOVIAUX": (0.86, 20),
    "AVULSION_DENTAIRE": (0.91, 80), "POIGNET": (0.55, 15), "PIED": (0.42, 15), "PERTE_SUBSTANCE_TETE": (0.55, 15),
    "MAXILLAIRES": (0.38, 10), "ACCES_VASCULAIRE": (0.68, 40), "LITHOTRITIE": (0.84, 30),
    "HERNIE_ENFANT": (0.86, 15), "VESSIE": (0.45, 30), "URETERE": (0.42, 30), "FISTULE_AV": (0.50, 15),
    "PARAPHIMOSIS": (0.85, 15), "CHOLECYSTECTOMIE": (0.22, 180), "NEZ": (0.42, 20),
    "HERNIE_ABDOMINALE": (0.35, 30), "MAIN": (0.75, 30), "HALLUX_VALGUS": (0.35, 80),
    "ARTHROSCOPIE_CHEVILLE": (0.45, 8), "PRELEVEMENT_OVOCYTES": (0.95, 40), "INTERRUPTION_TUBAIRE": (0.74, 15),
    "ANGIOPLASTIE_PERIPHERIQUE": (0.28, 30), "ANGIOPLASTIE_MEMBRE_SUP": (0.55, 10), "URETRE": (0.55, 15),
    "EPAULE": (0.32, 20), "COL_VULVE_VAGIN": (0.85, 30), "UTERUS": (0.68, 50), "BOURSES_ENFANT": (0.86, 15),
    "SINUS": (0.33, 20), "GLAUCOME": (0.55, 10), "TROU_MACULAIRE": (0.55, 10), "TYMPAN": (0.60, 15),
    "LESIONS_BOUCHE": (0.80, 15), "FISTULE_BUCCALE": (0.68, 8), "LAMBEAU": (0.60, 8),
    "GLANDES_SALIVAIRES": (0.25, 10), "PLASTIE_LEVRES": (0.60, 5), "PERTE_SUBSTANCE_CORPS": (0.55, 15),
    "VITRECTOMIE_PELAGE": (0.45, 20), "VITRECTOMIE_POSTERIEURE": (0.40, 15), "AMYGDALECTOMIE": (0.30, 60),
}
DEFAULT_AMBU_MARKER = (0.55, 20)
MARKER_DOES = {CHU: 0.95, CH: 0.55, ESPIC_MCO: 0.55, CLINIQUE: 0.60}  # P(performs), frequent procedures
RARE_MARKER = (30, 0.6)  # procedures with a median below 30 stays: P(performs) times 0.6
# Targets: each region aims, for year y, at its own rate of y - 1 plus 0.5 to 2.5 points (so some
# regions reach it and some fall just short, as in "target 52.1 %, achieved 51.9 %"); the
# départements of DEFAULT_REGION also get local targets for the last two years.
TARGET_STEP_PTS = (0.5, 2.5)
LOCAL_TARGET_SPREAD_PTS = 2.0

# --- CAQES ----------------------------------------------------------------------------
CAQES_2022_NATIONAL = 1130  # contracts signed in 2022 (DOMAIN)
CAQES_OLD_SHARE = 0.25  # establishments with a 2018-2021 contract in the demo
CAQES_REGIONAL_PER_REGION = 7
SAVINGS_PARTS = {"produits_sante", "organisation", "socle", "transports"}
# indicator -> (mean baseline %, sd); others get DEFAULT_CAQES
CAQES_BASELINES = {
    "N_IPP": (45, 10), "N_EZETIMIBE": (35, 9), "N_PERFADOM": (60, 12), "N_PANSEMENTS": (55, 12),
    "N_BIOSIMILAIRES": (40, 14), "N_TRANSPORT_VSL": (70, 8), "N_TRANSPORT_DEMAT": (30, 12),
    "N_PERTINENCE_BIO": (65, 10), "R_ANTIBIO": (30, 8), "R_PRADO": (35, 12), "R_SSR_PTG": (45, 10),
    "R_AMBULATOIRE": (60, 9), "R_PHMEV_ANTALGIQUES": (55, 12), "R_TRANSPORT_RETOUR": (15, 6),
    "R_IMAGERIE": (25, 7), "R_CESARIENNE": (20, 5), "R_IV_PO": (50, 12), "S_BON_USAGE": (80, 7),
    "S_TRANSPORTS": (4.5, 1.5), "S_PERTINENCE": (70, 10), "S_QUALITE": (75, 9),
}
DEFAULT_CAQES = (50, 12)


@dataclass(frozen=True)
class Reference:
    regions: pd.DataFrame
    departements: pd.DataFrame
    communes: pd.DataFrame
    gestures: list[str]
    age_bands: list[str]
    ambulatory_groups: list[str]
    marker_groups: list[str]  # the groups of the list of 55 marker procedures
    profile_indicators: pd.DataFrame
    caqes_indicators: pd.DataFrame


def load_reference(url: str) -> Reference:
    """Geography and catalogues as read from the database (codes as strings)."""
    def frame(conn, *cols) -> pd.DataFrame:
        rows = conn.execute(select(*cols)).all()
        return pd.DataFrame.from_records([tuple(r) for r in rows], columns=[c.key for c in cols])

    m = models
    with connect(url) as conn:
        return Reference(
            regions=frame(conn, m.Region.code, m.Region.population).sort_values("code", ignore_index=True),
            departements=frame(conn, m.Departement.code, m.Departement.region_code, m.Departement.population)
            .sort_values("code", ignore_index=True),
            communes=frame(conn, m.Commune.code, m.Commune.name, m.Commune.departement_code, m.Commune.population,
                           m.Commune.latitude, m.Commune.longitude).sort_values("code", ignore_index=True),
            gestures=list(conn.scalars(select(m.Gesture.code).order_by(m.Gesture.position))),
            age_bands=list(conn.scalars(select(m.AgeBand.code).order_by(m.AgeBand.position))),
            ambulatory_groups=list(conn.scalars(select(m.AmbulatoryGroup.code).order_by(m.AmbulatoryGroup.position))),
            marker_groups=list(conn.scalars(select(m.AmbulatoryGroup.code).where(m.AmbulatoryGroup.marker_number != "")
                                            .order_by(m.AmbulatoryGroup.position))),
            profile_indicators=frame(conn, m.ProfileIndicator.code, m.ProfileIndicator.kind),
            caqes_indicators=frame(conn, m.CaqesIndicator.code, m.CaqesIndicator.part, m.CaqesIndicator.scope,
                                   m.CaqesIndicator.better, m.CaqesIndicator.structure, m.CaqesIndicator.position)
            .sort_values("position", ignore_index=True),
        )


# ======================================================================================
# Public API
# ======================================================================================

def generate(url: str, scale: str = "national", seed: int = 42, *, region: str = DEFAULT_REGION
             ) -> dict[str, pd.DataFrame]:
    """Build the demo data set; returns {kind: DataFrame} in `KINDS` order.

    `scale`: "region" (the départements of `region` only), "national" (all 101
    départements) or "stress" (ten times the national establishments, so ten times the
    rows). Rates are never stored: the frames hold counts (stays, stays followed by SSR,
    ambulatory stays) and numerators/denominators.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    ref = load_reference(url)
    factor = STRESS_FACTOR if scale == "stress" else 1
    deps = ref.departements
    if scale == "region":
        if region not in set(ref.regions["code"]):
            raise ValueError(f"unknown region {region!r}")
        deps = deps[deps["region_code"] == region]
    rng = np.random.default_rng(seed)

    est = _establishments(rng, ref, deps, factor)
    region_effect = _region_effects(rng, ref.regions["code"].tolist())
    mco = est[est["activity"] != "SSR"].reset_index(drop=True)
    ssr = est[est["activity"] != "MCO"].reset_index(drop=True)
    recourse, msap_ssr = _recourse(rng, mco, region_effect, ref.gestures, ref.age_bands)
    legacy, msap_ambu = _ambulatory(rng, mco, [g for g in LEGACY_AMBU_GROUPS if g in ref.ambulatory_groups])
    ambulatory = _marker_procedures(np.random.default_rng([seed, MARKER_STREAM]), mco, ref.ambulatory_groups,
                                    ref.marker_groups, legacy)
    profile = _profile(rng, ssr, ref.profile_indicators)
    n_national = int(_allocate(ref.departements, 1)[["n_mco", "n_ssr_only"]].to_numpy().sum())
    n_2022 = round(CAQES_2022_NATIONAL * len(est) / n_national)
    contracts, results = _caqes(rng, est, ref.caqes_indicators, n_2022)
    msap = pd.concat([msap_ssr, msap_ambu], ignore_index=True)
    targets = _ambulatory_targets(np.random.default_rng([seed, TARGET_STREAM]), ambulatory, mco,
                                  ref.marker_groups, deps)

    # The follow-up history draws from its own generator: adding it left every other frame as it was.
    campaigns, actions = _follow_up(np.random.default_rng([seed, FOLLOW_UP_STREAM]), est, recourse, contracts)

    frames = {"establishments": est, "ssr_recourse": recourse, "ambulatory_surgery": ambulatory,
              "profile_values": profile, "caqes_contracts": contracts, "caqes_results": results,
              "msap_decisions": msap, "ambulatory_targets": targets, "campaigns": campaigns, "actions": actions}
    return {kind: _lean(frames[kind].loc[:, list(COLUMNS[kind])]) for kind in KINDS}


def _lean(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns as pandas strings (missing = NaN), numbers as int64/float64."""
    df = df.reset_index(drop=True)
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].astype("str")
    return df


def seed_demo(url: str, scale: str = "national", seed: int = 42, progress: Callable[[str], object] = print,
              *, region: str = DEFAULT_REGION) -> dict[str, ImportReport]:
    """Generate the demo data set and import it kind by kind through `import_frame`,
    so it is validated like any uploaded file. Returns the import report per kind."""
    from data_access.imports import import_frame

    t0 = time.perf_counter()
    frames = generate(url, scale, seed, region=region)
    progress(f"Données de démonstration ({scale}, graine {seed}) générées en {time.perf_counter() - t0:.1f} s")
    reports = {}
    for kind in KINDS:  # the import kinds' dependency order, the follow-up last
        t1 = time.perf_counter()
        reports[kind] = import_frame(url, kind, frames[kind], file_name=f"demo-{scale}-{seed}-{kind}.csv", user="demo")
        progress(f"  {kind} : {len(frames[kind]):,} lignes importées en {time.perf_counter() - t1:.1f} s"
                 .replace(",", "\u202f"))
    return reports


# ======================================================================================
# Establishments
# ======================================================================================

def _allocate(deps: pd.DataFrame, factor: int) -> pd.DataFrame:
    """Establishments per département of `deps` (all of France: shares are national),
    proportional to population, with floors (1 MCO, 2 when over 250,000 inhabitants;
    2 SSR), all times `factor`."""
    pop = deps["population"].to_numpy(float)
    share = pop / pop.sum()
    n_mco = np.maximum(np.where(pop >= 250_000, 2, 1) * factor, np.rint(share * N_MCO * factor)).astype(int)
    n_ssr = np.maximum(2 * factor, np.rint(share * N_SSR * factor)).astype(int)
    n_both = np.minimum(np.rint(BOTH_SHARE * n_mco), n_ssr - 1).astype(int)
    return pd.DataFrame({"code": deps["code"].to_numpy(), "n_mco": n_mco, "n_both": n_both,
                         "n_ssr_only": n_ssr - n_both}, index=deps.index)


def _exact(rng: np.random.Generator, n: int, shares) -> np.ndarray:
    """`n` status indices with exactly proportional counts (largest remainder), shuffled."""
    shares = np.clip(np.asarray(shares, float), 0, None)
    if n == 0:
        return np.zeros(0, int)
    if shares.sum() == 0:
        shares = np.ones_like(shares)
    quota = shares / shares.sum() * n
    counts = np.floor(quota).astype(int)
    counts[np.argsort(-(quota - counts), kind="stable")[: n - counts.sum()]] += 1
    return rng.permutation(np.repeat(np.arange(len(shares)), counts))


def luhn_keys(bodies: list[str]) -> list[str]:
    """Luhn check digits of 8-character FINESS bodies (Corsica's letters count as 0)."""
    if not bodies:
        return []
    d = (np.frombuffer("".join(bodies).encode("ascii"), dtype=np.uint8).reshape(-1, 8) - 48).astype(int)
    d[d > 9] = 0
    doubled = d[:, 1::2] * 2  # the key is appended on the right: every second digit from the right doubles
    total = d[:, 0::2].sum(axis=1) + (doubled - 9 * (doubled > 9)).sum(axis=1)
    return [str(k) for k in (10 - total % 10) % 10]


def _finess_prefix(dep: str) -> str:
    # Overseas numbers are 97 + the département's third digit; then a 0 as in most FINESS.
    return ("97" + dep[2] if len(dep) == 3 else dep) + "0"


def _main_commune(dep: str, com: pd.DataFrame) -> tuple[int, str | None]:
    """Index (in `com`) of the département's main hospital commune, and the CHU name if any
    (None: not a CHU; "": a CHU named after its commune)."""
    by_name = {n: i for i, n in enumerate(com["name"])}
    for (d, commune), chu_name in names.CHU_COMMUNES.items():
        if d == dep and commune in by_name:
            return by_name[commune], chu_name or ""
    main = names.MAIN_COMMUNES.get(dep)
    if main in by_name:
        return by_name[main], None
    return int(np.argmax(com["population"].to_numpy())), None


def _establishments(rng: np.random.Generator, ref: Reference, deps: pd.DataFrame, factor: int) -> pd.DataFrame:
    alloc = _allocate(ref.departements, factor).loc[deps.index]
    region_of = dict(zip(ref.departements["code"], ref.departements["region_code"]))
    communes_by_dep = dict(tuple(ref.communes.groupby("departement_code", sort=False)))
    parts = []
    for dep, n_mco, n_both, n_ssr_only in alloc[["code", "n_mco", "n_both", "n_ssr_only"]].itertuples(index=False):
        com = communes_by_dep[dep].reset_index(drop=True)
        pop = com["population"].to_numpy(float)
        weight = pop if pop.sum() > 0 else np.ones(len(com))  # Mayotte: no commune population
        w_mco = weight ** MCO_COMMUNE_EXPONENT
        w_ssr = weight ** SSR_COMMUNE_EXPONENT
        main, chu_name = _main_commune(dep, com)
        idx = np.concatenate([[main], rng.choice(len(com), n_mco - 1, p=w_mco / w_mco.sum()),
                              rng.choice(len(com), n_ssr_only, p=w_ssr / w_ssr.sum())]).astype(int)
        n = len(idx)
        activity = np.array(["MCO+SSR"] * n_both + ["MCO"] * (n_mco - n_both) + ["SSR"] * n_ssr_only, dtype=object)
        prefix = _finess_prefix(dep)
        digits = 8 - len(prefix)
        numbers = rng.choice(10 ** digits, n, replace=False)
        bodies = [f"{prefix}{k:0{digits}d}" for k in numbers]
        part = pd.DataFrame({
            "finess": [b + k for b, k in zip(bodies, luhn_keys(bodies))],
            "commune_code": com["code"].to_numpy()[idx],
            "commune_name": com["name"].to_numpy()[idx],
            "commune_population": pop[idx],
            "departement_code": dep,
            "region_code": region_of[dep],
            "latitude": com["latitude"].to_numpy()[idx],
            "longitude": com["longitude"].to_numpy()[idx],
            "activity": activity,
            "main": np.arange(n) == 0,
            "chu_name": [chu_name] + [None] * (n - 1),
        })
        parts.append(part)
    est = pd.concat(parts, ignore_index=True)
    n = len(est)

    # Legal status: exact national shares per group, the main hospital being public.
    act = est["activity"].to_numpy()
    main = est["main"].to_numpy()
    status = np.full(n, -1)
    status[main] = 0
    n_mco_all, n_both_all = int((act != "SSR").sum()), int((act == "MCO+SSR").sum())
    n_ssr_all = int((act != "MCO").sum())
    want_mco = np.rint(np.array(MCO_STATUS) * n_mco_all)
    want_both = np.rint(np.array(BOTH_STATUS) * n_both_all)
    want_ssr = np.rint(np.array(SSR_STATUS) * n_ssr_all)
    both_rest = (act == "MCO+SSR") & ~main
    main_both = int((main & (act == "MCO+SSR")).sum())
    status[both_rest] = _exact(rng, int(both_rest.sum()), want_both - [main_both, 0, 0])
    both_counts = np.bincount(status[act == "MCO+SSR"], minlength=3)
    mco_rest = (act == "MCO") & ~main
    mco_main_only = int((main & (act == "MCO")).sum())
    status[mco_rest] = _exact(rng, int(mco_rest.sum()), want_mco - both_counts - [mco_main_only, 0, 0])
    ssr_only = act == "SSR"
    status[ssr_only] = _exact(rng, int(ssr_only.sum()), want_ssr - both_counts)
    est["legal_status"] = np.array(STATUSES, dtype=object)[status]

    # Category from status and activity.
    is_mco = act != "SSR"
    category = np.empty(n, dtype=object)
    category[is_mco & (status == 0)] = CH
    category[main & est["chu_name"].notna().to_numpy()] = CHU
    category[is_mco & (status == 1)] = ESPIC_MCO
    category[is_mco & (status == 2)] = CLINIQUE
    public_ssr = ssr_only & (status == 0)
    category[public_ssr] = np.where(rng.random(int(public_ssr.sum())) < 0.5, PROXIMITE, CENTRE_SSR)
    category[ssr_only & (status == 1)] = CENTRE_SSR
    category[ssr_only & (status == 2)] = CLINIQUE_SSR
    est["category"] = category

    # Capacity: log-normal beds and places per category; MCO+SSR add an SSR service.
    beds = np.zeros(n)
    places = np.zeros(n)
    for cat, ((b_med, b_sd), (p_med, p_sd)) in CAPACITY.items():
        sel = category == cat
        k = int(sel.sum())
        beds[sel] = b_med * rng.lognormal(0, b_sd, k)
        places[sel] = p_med * rng.lognormal(0, p_sd, k)
    both = act == "MCO+SSR"
    (sb_med, sb_sd), (sp_med, sp_sd) = SSR_SERVICE
    ssr_beds = np.where(ssr_only, beds, 0.0)
    ssr_places = np.where(ssr_only, places, 0.0)
    ssr_beds[both] = sb_med * rng.lognormal(0, sb_sd, int(both.sum()))
    ssr_places[both] = sp_med * rng.lognormal(0, sp_sd, int(both.sum()))
    no_day_care = rng.random(n) < 0.15  # some SSR establishments have no day hospital
    ssr_places[no_day_care & ~is_mco] = 0
    places[no_day_care & ~is_mco] = 0
    est["ssr_beds"] = np.maximum(10, np.rint(ssr_beds)).astype(int) * (act != "MCO")
    est["ssr_places"] = np.minimum(np.rint(ssr_places), est["ssr_beds"]).astype(int)
    est["beds"] = (np.maximum(10, np.rint(beds)).astype(int) + np.where(both, est["ssr_beds"], 0)).astype("int64")
    est["places"] = (np.minimum(np.rint(places), est["beds"]).astype(int)
                     + np.where(both, est["ssr_places"], 0)).astype("int64")
    # Size of the orthopaedic activity (relative, MCO only).
    ortho = np.array([ORTHO_FACTOR.get(c, 1.0) for c in category])
    est["ortho_size"] = np.where(is_mco, np.sqrt(est["beds"]) * ortho * rng.lognormal(0, 0.6, n), 0.0)

    # Position: the commune's point; further establishments of a commune a little around it.
    rank = est.groupby("commune_code", sort=False).cumcount().to_numpy()
    radius = np.minimum(0.02, 2e-5 * np.sqrt(est["commune_population"].to_numpy() + 1)) * np.sqrt(rng.random(n))
    angle = rng.uniform(0, 2 * np.pi, n)
    moved = rank > 0
    est["latitude"] = np.round(est["latitude"] + np.where(moved, radius * np.sin(angle), 0), 5)
    est["longitude"] = np.round(est["longitude"] + np.where(moved, radius * np.cos(angle) * 1.4, 0), 5)

    est["name"] = _names(random.Random(int(rng.integers(2**62))), est)
    return est


def _de(commune: str) -> str:
    """"de Bordeaux", "d'Agen", "du Mans", "des Sables-d'Olonne", "de La Rochelle"."""
    if commune.startswith("Le "):
        return "du " + commune[3:]
    if commune.startswith("Les "):
        return "des " + commune[4:]
    if commune[0] in "AEIOUYÉÈÊÎÔÂ":
        return "d'" + commune
    return "de " + commune


_PATTERNS = {
    CH: ("Centre hospitalier {de}", "Centre hospitalier {de}", "Centre hospitalier {de}",
         "Centre hospitalier intercommunal {de}", "Centre hospitalier {person}", "Groupe hospitalier {de}",
         "Hôpital {person}"),
    ESPIC_MCO: ("Hôpital {saint}", "Groupe hospitalier mutualiste {de}", "Hôpital privé d'intérêt collectif {saint}",
                "Institut mutualiste {person}", "Hôpital Fondation {person}", "Groupe hospitalier {saint}"),
    CLINIQUE: ("Clinique {place}", "Polyclinique {place}", "Polyclinique {saint}", "Clinique {saint}",
               "Hôpital privé {de}", "Hôpital privé {place}", "Clinique {person}", "Polyclinique {de}",
               "Clinique chirurgicale {place}"),
    PROXIMITE: ("Hôpital de proximité {de}", "Hôpital local {de}", "Hôpital {de}"),
    (CENTRE_SSR, "public"): ("Centre de rééducation {de}", "Centre de réadaptation {de}", "Centre de SSR {de}",
                             "Centre hospitalier de réadaptation {de}", "Centre de réadaptation {person}"),
    CENTRE_SSR: ("Centre de rééducation fonctionnelle {saint}", "Centre de réadaptation {place}",
                 "Centre de rééducation {de}", "Maison de convalescence {saint}",
                 "Centre de médecine physique et de réadaptation {de}", "Institut de rééducation {person}",
                 "Centre de soins de suite {nature}", "Centre de SSR {nature}"),
    CLINIQUE_SSR: ("SSR {nature}", "Clinique de soins de suite {nature}", "Clinique {nature}",
                   "Centre de rééducation {place}", "Clinique de rééducation {place}", "Clinique SSR {place}"),
}


def _fill(rnd: random.Random, pattern: str, commune: str) -> str:
    return pattern.format(
        de=_de(commune) if "{de}" in pattern else "",
        person=rnd.choice(names.PERSONS) if "{person}" in pattern else "",
        saint=rnd.choice(names.SAINTS) if "{saint}" in pattern else "",
        place=rnd.choice(names.PLACES) if "{place}" in pattern else "",
        nature=rnd.choice(names.NATURE) if "{nature}" in pattern else "")


def _names(rnd: random.Random, est: pd.DataFrame) -> list[str]:
    """Plausible names, unique: a taken name is redrawn (up to 6 times), then suffixed
    with its commune, then numbered."""
    taken: set[str] = set()
    out = []
    for category, status, main, commune, chu_name in zip(est["category"], est["legal_status"], est["main"],
                                                         est["commune_name"], est["chu_name"]):
        patterns = _PATTERNS.get((category, status)) or _PATTERNS[CH if category == CHU else category]
        tried = []
        if category == CHU:
            tried.append(chu_name or f"CHU {_de(commune)}")
        elif main:
            tried.append(f"Centre hospitalier {_de(commune)}")
        name = tried[0] if tried and tried[0] not in taken else None
        while name is None and len(tried) < 7:
            tried.append(_fill(rnd, rnd.choice(patterns), commune))
            name = tried[-1] if tried[-1] not in taken else None
        if name is None:  # pools exhausted (stress scale): name the commune, then number the sites
            base = next((c for c in tried if commune not in c), tried[0])
            name = f"{base} – {commune}" if commune not in base else base
            k = 2
            while name in taken:
                name = f"{base} – {names.FALLBACK} {k}"
                k += 1
        taken.add(name)
        out.append(name)
    return out


def _region_effects(rng: np.random.Generator, regions: list[str]) -> dict[str, float]:
    """Regional logit offsets of SSR recourse, evenly spread over ±REGION_SPREAD and shuffled,
    so that regional rates span a known range whatever the seed."""
    spread = np.linspace(-REGION_SPREAD, REGION_SPREAD, len(regions))
    return dict(zip(regions, rng.permutation(spread)))


# ======================================================================================
# Facts
# ======================================================================================

def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _centre(effect: np.ndarray, group: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Subtract the weighted mean per group, so group-level rates are driven by design."""
    k = group.max() + 1 if len(group) else 0
    mean = np.bincount(group, effect * weight, k) / np.maximum(np.bincount(group, weight, k), 1e-12)
    return effect - mean[group]


def _targets(rng, n, x, region, group, years_left, per_1000, n_mco, high: bool, min_stays: int):
    """MSAP targeting on one year's observed counts per (establishment, group) pair: pairs
    atypical against both the regional and national rates (one-sided z > 1.96), most
    atypical first, at most a random number per 1,000 MCO establishments."""
    if len(n) == 0:
        return np.zeros(0, int)
    k_groups = group.max() + 1
    key = region * k_groups + group
    size = key.max() + 1
    reg = np.bincount(key, x, size) / np.maximum(np.bincount(key, n, size), 1)
    nat = np.bincount(group, x, k_groups) / np.maximum(np.bincount(group, n, k_groups), 1)
    p_ref = np.clip(reg[key], 0.01, 0.99)
    rate = x / np.maximum(n, 1)
    z = (x - n * p_ref) / np.sqrt(np.maximum(n * p_ref * (1 - p_ref), 1e-9))
    if not high:
        z = -z
    beyond = (rate > reg[key]) & (rate > nat[group]) if high else (rate < reg[key]) & (rate < nat[group])
    ok = (n >= min_stays) & beyond & (z > 1.96) & years_left
    count = rng.poisson(rng.uniform(*per_1000) * n_mco / 1000)
    cand = np.flatnonzero(ok)
    return cand[np.argsort(-z[cand], kind="stable")][:count]


def _msap_steps(rng, finess: np.ndarray, campaign: str, gesture: np.ndarray, year: np.ndarray
                ) -> tuple[pd.DataFrame, np.ndarray]:
    """Decision history of targeted pairs: ciblee, then notifiee (MSAP of 3 to 6 months)
    and levee at its end, or abandonnee. Returns the rows and the notified mask."""
    n = len(finess)
    day = np.timedelta64(1, "D")
    # Targeting from mid-January to September, so the latest campaign still has MSAPs running.
    targeted = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + 14 + rng.integers(0, 240, n) * day
    notified = rng.random(n) < MSAP_NOTIFIED
    notified_on = targeted + rng.integers(30, 91, n) * day
    start = notified_on + rng.integers(15, 31, n) * day
    length = rng.choice(np.array([91, 120, 151, 181]), n)  # 181 days never exceed 6 months
    end = start + length * day
    early = rng.random(n) < 0.10
    lifted_on = np.where(early, start + (60 + (rng.random(n) * (length - 60)).astype(int)) * day,
                         end + rng.integers(0, 8, n) * day)
    dropped_on = targeted + rng.integers(30, 120, n) * day
    lifted = notified & (lifted_on <= DATA_CUTOFF)

    nat = np.full(n, np.datetime64("NaT", "D"))
    steps = [  # decision, rows concerned, decided_on, start_on, end_on
        ("ciblee", np.ones(n, bool), targeted, nat, nat),
        ("notifiee", notified, notified_on, start, end),
        ("levee", lifted, lifted_on, nat, nat),
        ("abandonnee", ~notified, dropped_on, nat, nat),
    ]
    cat = np.concatenate
    out = pd.DataFrame({
        "finess": cat([finess[m] for _, m, *_ in steps]).astype(str),
        "campaign": campaign,
        "gesture": cat([gesture[m] for _, m, *_ in steps]).astype(str),
        "year": cat([year[m] for _, m, *_ in steps]).astype("int64"),
        "decision": cat([np.full(int(m.sum()), d, dtype=object) for d, m, *_ in steps]).astype(str),
        "decided_on": _iso(cat([x[m] for _, m, x, _, _ in steps])),
        "start_on": _iso(cat([x[m] for _, m, _, x, _ in steps])),
        "end_on": _iso(cat([x[m] for _, m, _, _, x in steps])),
    })
    return out, notified


def _iso(dates: np.ndarray) -> np.ndarray:
    """YYYY-MM-DD strings, None for NaT."""
    text = np.datetime_as_string(dates, unit="D").astype(object)
    text[np.isnat(dates)] = None
    return text


def _recourse(rng, mco: pd.DataFrame, region_effect: dict[str, float], gestures: list[str], ages: list[str]
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ssr_recourse rows (one per establishment × year × gesture performed × age band with
    at least one stay) and the SSR-campaign MSAP decisions they trigger.

    Stays ~ Poisson(volume × age share); stays_with_ssr ~ Binomial(stays, p) with
    logit p = gesture level + age band + legal status + region + establishment effect
    (centred per region) + trend × (year − 2015) + yearly noise − MSAP effect.
    """
    n, n_g, n_a, n_y = len(mco), len(gestures), len(ages), len(YEARS)
    t = (YEARS - YEARS[0]).astype(float)
    model = [GESTURES.get(g, DEFAULT_GESTURE) for g in gestures]
    category = mco["category"].to_numpy()
    status = mco["legal_status"].to_numpy()
    regions = sorted(region_effect)
    region_idx = mco["region_code"].map({r: i for i, r in enumerate(regions)}).to_numpy(int)

    does = np.column_stack([rng.random(n) < np.array([m.does.get(c, 0.7) for c in category]) for m in model])
    none = ~does.any(axis=1)
    does[none, int(np.argmax([m.stays_2015 for m in model]))] = True

    size = mco["ortho_size"].to_numpy()
    weight = size[:, None] * rng.lognormal(0, 0.5, (n, n_g)) * does
    totals = np.array([m.stays_2015 for m in model]) * n / N_MCO
    volume = weight / np.maximum(weight.sum(axis=0), 1e-12) * totals  # expected stays 2015
    growth = np.array([m.growth for m in model])
    covid = np.array([COVID_VOLUME.get(int(y), 1.0) for y in YEARS])
    estab_trend = rng.normal(0, 0.03, n)
    pair_i, pair_g = np.nonzero(does)
    n_p = len(pair_i)
    volume_t = (volume[pair_i, pair_g][:, None] * (1 + growth[pair_g])[:, None] ** t * covid
                * np.exp(estab_trend[pair_i][:, None] * t) * rng.lognormal(0, 0.08, (n_p, n_y)))
    base_share = np.array([[m.age_shares.get(a, 1 / n_a) for a in ages] for m in model])
    share = base_share[pair_g] * rng.lognormal(0, 0.25, (n_p, n_a))
    share /= share.sum(axis=1, keepdims=True)
    expected = volume_t[:, None, :] * share[:, :, None]  # (pair, age, year)

    level = np.array([_logit(m.rate_2015) for m in model])
    age_logit = np.array([[m.age_logit.get(a, 0.0) for a in ages] for m in model])
    trend = np.array([m.trend for m in model])
    reg = np.array([region_effect[r] for r in regions])[:, None] + rng.normal(0, 0.10, (len(regions), n_g))
    estab_eff = rng.normal(0, 0.40, n)[pair_i] + rng.normal(0, 0.20, n_p)
    estab_eff = _centre(estab_eff, region_idx[pair_i] * n_g + pair_g, volume[pair_i, pair_g])
    slope = rng.normal(0, 0.025, n)
    noise = rng.normal(0, 0.12, (n_p, n_y))
    logit = ((level[pair_g] + np.array([STATUS_LOGIT[s] for s in status])[pair_i]
              + reg[region_idx[pair_i], pair_g] + estab_eff)[:, None, None]
             + age_logit[pair_g][:, :, None]
             + ((trend[pair_g][:, None] + slope[pair_i][:, None]) * t + noise)[:, None, :])

    stays = np.zeros((n_p, n_a, n_y), dtype=np.int64)
    with_ssr = np.zeros_like(stays)
    finess = mco["finess"].to_numpy()[pair_i]
    codes = np.array(gestures, dtype=object)[pair_g]
    msap = _MsapHistory(n_p)
    for k in range(n_y):
        stays[:, :, k] = rng.poisson(expected[:, :, k])
        with_ssr[:, :, k] = rng.binomial(stays[:, :, k], _expit(logit[:, :, k] - msap.effect[:, k][:, None]))
        if k + 1 < n_y:  # campaign of year k+1 on the counts of year k
            chosen = _targets(rng, stays[:, :, k].sum(1), with_ssr[:, :, k].sum(1), region_idx[pair_i], pair_g,
                              msap.free(k + 1), MSAP_SSR_PER_YEAR, n, high=True, min_stays=20)
            msap.decide(rng, chosen, k + 1, finess, codes, "SSR")

    flat_stays = stays.ravel()
    keep = flat_stays > 0
    row_pair = np.repeat(np.arange(n_p), n_a * n_y)[keep]
    frame = pd.DataFrame({
        "finess": mco["finess"].to_numpy()[pair_i][row_pair],
        "year": np.tile(YEARS, n_p * n_a)[keep].astype("int64"),
        "gesture": np.array(gestures, dtype=object)[pair_g][row_pair],
        "age_band": np.tile(np.repeat(np.array(ages, dtype=object), n_y), n_p)[keep],
        "stays": flat_stays[keep],
        "stays_with_ssr": with_ssr.ravel()[keep],
    })
    return frame, msap.frame()


class _MsapHistory:
    """MSAP procedures over (establishment, gesture or group) pairs, year by year: the
    decision rows, and the logit effect of notified MSAPs on the following years."""

    def __init__(self, n_pairs: int):
        self.effect = np.zeros((n_pairs, len(YEARS)))
        self.last = np.full(n_pairs, -99)
        self.rows: list[pd.DataFrame] = []

    def free(self, k: int) -> np.ndarray:
        """Pairs not targeted in the two previous campaigns."""
        return self.last < k - 2

    def decide(self, rng, chosen: np.ndarray, k: int, finess: np.ndarray, codes: np.ndarray, campaign: str) -> None:
        rows, notified = _msap_steps(rng, finess[chosen], campaign, codes[chosen], np.full(len(chosen), YEARS[k]))
        self.rows.append(rows)
        self.last[chosen] = k
        self.effect[chosen[notified], k] += MSAP_EFFECT[0]
        self.effect[chosen[notified], k + 1:] += MSAP_EFFECT[1]

    def frame(self) -> pd.DataFrame:
        rows = pd.concat(self.rows, ignore_index=True)
        return rows.sort_values(["year", "finess", "gesture", "decided_on"], ignore_index=True, kind="stable")


def _ambulatory(rng, mco: pd.DataFrame, groups: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ambulatory_surgery rows (establishment × year × group performed) and the AMBU MSAP.

    The logit of the ambulatory rate = group level + status + region + establishment
    (6 % far behind) + yearly noise, shifted each year so the national rate follows
    AMBU_NATIONAL (calibrated on expected stays)."""
    n, n_y = len(mco), len(YEARS)
    t = (YEARS - YEARS[0]).astype(float)
    model = [AMBU_GROUPS.get(g, DEFAULT_AMBU_GROUP) for g in groups]
    category = mco["category"].to_numpy()
    status = mco["legal_status"].to_numpy()
    regions, region_idx = np.unique(mco["region_code"].to_numpy(), return_inverse=True)

    does = np.column_stack([rng.random(n) < np.array([m[2].get(c, 0.6) for c in category]) for m in model])
    few = does.sum(axis=1) < 2  # a handful of groups each, at least two
    does[few, :2] = True
    pair_i, pair_g = np.nonzero(does)
    n_p = len(pair_i)
    size = np.sqrt(mco["beds"].to_numpy()) * np.where(status == "prive", 1.5, 1.0) * rng.lognormal(0, 0.5, n)
    size /= np.median(size)
    volume = (np.array([m[1] for m in model])[pair_g] * size[pair_i] * rng.lognormal(0, 0.6, n_p))[:, None]
    expected = volume * 1.02 ** t * np.array([0.85 if y == 2020 else 1.0 for y in YEARS]) \
        * rng.lognormal(0, 0.08, (n_p, n_y))

    low = rng.random(n) < AMBU_LOW_OUTLIERS[0]
    estab = (rng.normal(0, 0.45, n) + np.where(low, AMBU_LOW_OUTLIERS[1], 0.0)
             + np.array([AMBU_STATUS_LOGIT[s] for s in status]) + rng.normal(0, 0.15, len(regions))[region_idx])
    logit = ((np.array([_logit(m[0]) for m in model])[pair_g] + estab[pair_i] + rng.normal(0, 0.3, n_p))[:, None]
             + rng.normal(0, 0.03, n)[pair_i][:, None] * t + rng.normal(0, 0.10, (n_p, n_y)))
    for k, year in enumerate(YEARS):  # calibrate: Newton on the shift of the year
        c = 0.0
        e = np.ascontiguousarray(expected[:, k]) / expected[:, k].sum()
        lk = np.ascontiguousarray(logit[:, k])
        for _ in range(20):
            p = _expit(lk + c)
            step = (e @ p - AMBU_NATIONAL[int(year)]) / max(float(e @ (p * (1 - p))), 1e-9)
            c -= step
            if abs(step) < 1e-9:
                break
        logit[:, k] += c

    stays = np.zeros((n_p, n_y), dtype=np.int64)
    ambu = np.zeros_like(stays)
    finess = mco["finess"].to_numpy()[pair_i]
    codes = np.array(groups, dtype=object)[pair_g]
    msap = _MsapHistory(n_p)
    for k in range(n_y):
        stays[:, k] = rng.poisson(expected[:, k])
        ambu[:, k] = rng.binomial(stays[:, k], _expit(logit[:, k] + msap.effect[:, k]))
        if k + 1 < n_y:
            chosen = _targets(rng, stays[:, k], ambu[:, k], region_idx[pair_i], pair_g, msap.free(k + 1),
                              MSAP_AMBU_PER_YEAR, n, high=False, min_stays=30)
            msap.decide(rng, chosen, k + 1, finess, codes, "AMBU")

    flat = stays.ravel()
    keep = flat > 0
    frame = pd.DataFrame({
        "finess": np.repeat(mco["finess"].to_numpy()[pair_i], n_y)[keep],
        "year": np.tile(YEARS, n_p)[keep].astype("int64"),
        "gesture_group": np.repeat(np.array(groups, dtype=object)[pair_g], n_y)[keep],
        "stays": flat[keep],
        "ambulatory_stays": ambu.ravel()[keep],
    })
    return frame, msap.frame()


def _establishment_lead(legacy: pd.DataFrame, finess: np.ndarray) -> np.ndarray:
    """Each establishment's logit lead (+) or lag (-) on the eight legacy groups against the national
    rate of the same groups and volumes, over every year, shrunk towards 0 for small volumes."""
    pooled = legacy.groupby("gesture_group")[["stays", "ambulatory_stays"]].sum()
    national = (pooled["ambulatory_stays"] / pooled["stays"].clip(lower=1)).clip(0.02, 0.98)
    own = legacy.assign(expected=legacy["stays"] * legacy["gesture_group"].map(national))
    per = own.groupby("finess")[["stays", "ambulatory_stays", "expected"]].sum().reindex(finess, fill_value=0)
    n = per["stays"].to_numpy(float)
    observed = np.clip((per["ambulatory_stays"].to_numpy(float) + 0.5) / (n + 1), 0.01, 0.99)
    expected = np.clip(per["expected"].to_numpy(float) / np.maximum(n, 1), 0.01, 0.99)
    expected = np.where(n > 0, expected, observed)
    return (np.log(observed / (1 - observed)) - np.log(expected / (1 - expected))) * n / (n + 50)


def _marker_procedures(rng, mco: pd.DataFrame, groups: list[str], markers: list[str],
                       legacy: pd.DataFrame) -> pd.DataFrame:
    """ambulatory_surgery rows for every catalogue group (establishment × year × group performed).

    The legacy groups keep their stays (same establishments, same volumes); the others get
    volumes like them (median × size, yearly growth, 2020 dip). The logit of the ambulatory rate =
    procedure level (AMBU_MARKERS) + the establishment's lead on the legacy groups + noise, shifted
    each year so the rate of the marker procedures follows AMBU_NATIONAL (weighted by stays)."""
    n, n_gr, n_y = len(mco), len(groups), len(YEARS)
    t = (YEARS - YEARS[0]).astype(float)
    finess = mco["finess"].to_numpy()
    category = mco["category"].to_numpy()
    status = mco["legal_status"].to_numpy()
    model = [AMBU_MARKERS.get(g, DEFAULT_AMBU_MARKER) for g in groups]
    legacy_codes = set(legacy["gesture_group"])

    # stays: the legacy groups' as drawn, the others drawn here
    pos = {f: i for i, f in enumerate(finess)}
    gpos = {g: j for j, g in enumerate(groups)}
    year_pos = {int(y): k for k, y in enumerate(YEARS)}
    stays = np.zeros((n, n_gr, n_y), dtype=np.int64)
    li = legacy["finess"].map(pos).to_numpy()
    lg = legacy["gesture_group"].map(gpos).to_numpy()
    ly = legacy["year"].map(year_pos).to_numpy()
    stays[li, lg, ly] = legacy["stays"].to_numpy()
    does = np.zeros((n, n_gr), dtype=bool)
    does[li, lg] = True
    size = np.sqrt(mco["beds"].to_numpy()) * np.where(status == "prive", 1.5, 1.0) * rng.lognormal(0, 0.5, n)
    size /= np.median(size)
    covid = np.array([0.85 if y == 2020 else 1.0 for y in YEARS])
    for j, g in enumerate(groups):
        if g in legacy_codes:
            continue
        _rate, median = model[j]
        p_does = np.array([MARKER_DOES.get(c, 0.5) for c in category]) * (RARE_MARKER[1] if median < RARE_MARKER[0]
                                                                          else 1.0)
        does[:, j] = rng.random(n) < p_does
        volume = median * size * rng.lognormal(0, 0.6, n)
        expected = volume[:, None] * 1.02 ** t * covid * rng.lognormal(0, 0.08, (n, n_y))
        stays[:, j, :] = np.where(does[:, j][:, None], rng.poisson(expected), 0)

    lead = _establishment_lead(legacy, finess) + rng.normal(0, 0.15, n)
    logit = (np.array([_logit(m[0]) for m in model])[None, :, None] + lead[:, None, None]
             + rng.normal(0, 0.30, (n, n_gr))[:, :, None] + rng.normal(0, 0.03, n)[:, None, None] * t
             + rng.normal(0, 0.10, (n, n_gr, n_y)))
    is_marker = np.array([g in set(markers) for g in groups])
    for k, year in enumerate(YEARS):  # calibrate the marker procedures' national rate (Newton)
        w = stays[:, is_marker, k].astype(float).ravel()
        w /= max(w.sum(), 1.0)
        lk = logit[:, is_marker, k].ravel()
        c = 0.0
        for _ in range(30):
            p = _expit(lk + c)
            step = (w @ p - AMBU_NATIONAL[int(year)]) / max(float(w @ (p * (1 - p))), 1e-9)
            c -= step
            if abs(step) < 1e-9:
                break
        logit[:, :, k] += c
    ambulatory = rng.binomial(stays, _expit(logit))

    rows, cols, years = np.nonzero(stays)
    return pd.DataFrame({
        "finess": finess[rows], "year": YEARS[years].astype("int64"),
        "gesture_group": np.array(groups, dtype=object)[cols],
        "stays": stays[rows, cols, years], "ambulatory_stays": ambulatory[rows, cols, years],
    }).sort_values(["finess", "gesture_group", "year"], ignore_index=True)


def _ambulatory_targets(rng, ambulatory: pd.DataFrame, mco: pd.DataFrame, markers: list[str],
                        deps: pd.DataFrame) -> pd.DataFrame:
    """Regional targets (percent, one decimal) per region and year, and local ones for the
    départements of DEFAULT_REGION in the last two years (see TARGET_STEP_PTS)."""
    located = ambulatory[ambulatory["gesture_group"].isin(markers)].merge(
        mco[["finess", "region_code"]], on="finess")
    sums = located.groupby(["region_code", "year"])[["stays", "ambulatory_stays"]].sum()
    rate = (sums["ambulatory_stays"] / sums["stays"]).unstack("year")
    rows = []
    for region, by_year in rate.iterrows():
        for year in YEARS:
            previous = by_year.get(int(year) - 1, by_year[int(year)] - 0.012)
            step = rng.uniform(*TARGET_STEP_PTS)
            rows.append((region, int(year), round(float(previous) * 100 + step, 1), ""))
    regional = {(r, y): pct for r, y, pct, _ in rows}
    local = deps[deps["region_code"] == DEFAULT_REGION]["code"].tolist()
    for year in YEARS[-2:]:
        key = (DEFAULT_REGION, int(year))
        if key not in regional:
            continue
        for dep in local:
            shift = rng.uniform(-LOCAL_TARGET_SPREAD_PTS, LOCAL_TARGET_SPREAD_PTS)
            rows.append((DEFAULT_REGION, int(year), round(regional[key] + shift, 1), dep))
    return pd.DataFrame(rows, columns=["region_code", "year", "target_pct", "departement_code"]).astype(
        {"year": "int64", "target_pct": "float64"})


def _profile(rng, ssr: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """profile_values: every SSR establishment × year × catalogue indicator, from one staff
    and activity model per establishment-year, so that shared numerators and denominators
    agree (same FTE, same days, same JVS across indicators).

    Beds and places (SSR service), occupancy ~ 87 %, length of stay ~ 30 days (days /
    stays), day-hospital venues ~ 230 × places × fill, JVS = days + venues, IVA points ~
    120 per JVS, FTE ~ 1.1 per bed or place (4–9 % medical, 50–66 % care, 5–15 % other),
    re-hospitalisations ~ Binomial(stays, 5–12 %), physiotherapy acts ~ 2.5 per day.
    Indicators not in this model are left out."""
    n, n_y = len(ssr), len(YEARS)
    t = (YEARS - YEARS[0]).astype(float)
    shape = (n, n_y)

    def per_estab(mean, sd, lo, hi):
        return np.clip(rng.normal(mean, sd, n), lo, hi)[:, None]

    beds = np.maximum(5, np.rint(ssr["ssr_beds"].to_numpy()[:, None] * np.exp(rng.normal(0, 0.01, n)[:, None] * t)))
    places = np.rint(ssr["ssr_places"].to_numpy()[:, None] * np.exp(rng.normal(0.03, 0.02, n)[:, None] * t))
    capacity = beds + places
    covid = np.array([0.85 if y == 2020 else 1.0 for y in YEARS])
    occupancy = np.clip(per_estab(0.87, 0.05, 0.6, 0.97) + rng.normal(0, 0.02, shape), 0.5, 0.99) * covid
    days = np.rint(beds * 365 * occupancy)
    los = np.clip(30 * np.exp(rng.normal(0, 0.18, n)), 18, 50)[:, None] * 0.993 ** t * np.exp(rng.normal(0, 0.03, shape))
    stays = np.maximum(1, np.rint(days / los))
    venues = np.rint(places * 230 * np.clip(per_estab(0.75, 0.1, 0.4, 0.95) + rng.normal(0, 0.03, shape), 0.2, 1))
    jvs = days + venues
    iva = np.rint(jvs * 120 * np.exp(rng.normal(0, 0.15, n))[:, None] * np.exp(rng.normal(0, 0.03, shape)))
    rehosp_rate = _expit(rng.normal(_logit(0.08), 0.25, n))[:, None] * np.exp(rng.normal(0, 0.08, shape))
    rehosp = rng.binomial(stays.astype(np.int64), np.clip(rehosp_rate, 0, 1)).astype(float)
    gmd = np.clip(np.rint((15 + 6 * np.log(capacity)) * np.exp(rng.normal(0, 0.2, n))[:, None]
                          * np.exp(rng.normal(0, 0.04, shape))), 20, 80)
    acts = np.rint(days * np.clip(2.5 * np.exp(rng.normal(0, 0.2, n)), 1.4, 4.0)[:, None]
                   * np.exp(rng.normal(0, 0.04, shape)))
    fte = np.round(capacity * np.clip(1.1 * np.exp(rng.normal(0, 0.14, n)), 0.75, 1.6)[:, None] * 1.005 ** t
                   * np.exp(rng.normal(0, 0.03, shape)), 1)
    fte_med = np.round(fte * per_estab(0.065, 0.012, 0.04, 0.09), 1)
    fte_care = np.round(fte * per_estab(0.58, 0.04, 0.50, 0.66), 1)
    fte_other = np.round(fte * per_estab(0.10, 0.025, 0.05, 0.15), 1)

    quantities = {  # indicator -> (numerator, denominator)
        "DMS_HC": (days, stays), "REHOSP_30J": (rehosp, stays), "NB_GMD_80": (gmd, None),
        "ACTES_RF_JOUR": (acts, days), "ETP_LIT": (fte, capacity), "ETP_10000_JVS": (fte, jvs),
        "ETP_MED_LIT": (fte_med, capacity), "ETP_MED_10000_JVS": (fte_med, jvs),
        "ETP_MED_100000_IVA": (fte_med, iva), "ETP_SOIGNANT_10000_JVS": (fte_care, jvs),
        "ETP_SOIGNANT_100000_IVA": (fte_care, iva), "PART_ETP_AUTRES": (fte_other, fte),
    }
    codes = [c for c in indicators["code"] if c in quantities]
    nan = np.full(shape, np.nan)
    num = np.stack([quantities[c][0] for c in codes], axis=-1)  # (estab, year, indicator)
    den = np.stack([nan if quantities[c][1] is None else quantities[c][1] for c in codes], axis=-1)
    n_i = len(codes)
    return pd.DataFrame({
        "finess": np.repeat(ssr["finess"].to_numpy(), n_y * n_i),
        "year": np.tile(np.repeat(YEARS, n_i), n).astype("int64"),
        "indicator": np.tile(np.array(codes, dtype=object), n * n_y),
        "numerator": num.ravel().astype(float),
        "denominator": den.ravel().astype(float),
    })


def _region_design(region: str, national: list[str], regional: list[str]) -> list[str]:
    """The indicators of a region's 2022 contracts: 7 or 8 national ones plus 7 regional
    ones, fixed per region (not per seed) as a regional choice would be."""
    r = np.random.default_rng(zlib.crc32(region.encode()))
    chosen_nat = list(national)
    if len(chosen_nat) > 7 and r.random() < 0.5:
        chosen_nat.pop(int(r.integers(len(chosen_nat))))
    k = min(CAQES_REGIONAL_PER_REGION, len(regional))
    chosen_reg = [regional[i] for i in sorted(r.choice(len(regional), k, replace=False))] if k else []
    return chosen_nat + chosen_reg


def _dates(rng, n, windows) -> np.ndarray:
    """n dates drawn from (weight, first, last) windows."""
    w = np.array([x[0] for x in windows], float)
    pick = rng.choice(len(windows), n, p=w / w.sum())
    first = np.array([np.datetime64(x[1]) for x in windows])[pick]
    span = np.array([(np.datetime64(x[2]) - np.datetime64(x[1])) // np.timedelta64(1, "D") + 1 for x in windows])[pick]
    return first + (rng.random(n) * span).astype(int) * np.timedelta64(1, "D")


def _caqes(rng, est: pd.DataFrame, catalogue: pd.DataFrame, n_2022: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """CAQES contracts (2022 structure for `n_2022` establishments, older 2018-2021 ones
    for a quarter) and their yearly results.

    Per (contract, indicator): baseline ~ Normal per indicator; target 5–20 % beyond the
    baseline in the better direction; achieved = baseline + progress × (target − baseline)
    + noise, progress growing over the years (most improve, about 10 % get worse); a few
    achieved values missing, more in the latest year. savings_eur only for the product
    and organisation parts, rising with progress."""
    n = len(est)
    is_mco = (est["activity"] != "SSR").to_numpy()
    weight = np.where(is_mco, 2.5, 1.0) * est["beds"].to_numpy() ** 0.3
    chosen_new = np.sort(rng.choice(n, min(n_2022, n), replace=False, p=weight / weight.sum()))
    chosen_old = np.sort(rng.choice(n, round(CAQES_OLD_SHARE * n), replace=False))
    finess = est["finess"].to_numpy()
    region = est["region_code"].to_numpy()

    new = pd.DataFrame({
        "finess": finess[chosen_new], "start_year": 2022, "end_year": 2026,
        "signed_on": _iso(_dates(rng, len(chosen_new), [(0.75, "2022-06-01", "2022-07-31"),
                                                          (0.10, "2022-04-01", "2022-05-31"),
                                                          (0.15, "2022-08-01", "2022-12-15")])),
        "parts": "produits_sante+organisation+pertinence",
    })
    old_parts = np.where(rng.random(len(chosen_old)) < 0.55, "socle+transports", "socle+transports+pertinence+qualite")
    old = pd.DataFrame({
        "finess": finess[chosen_old], "start_year": 2018, "end_year": 2021,
        "signed_on": _iso(_dates(rng, len(chosen_old), [(1.0, "2017-12-01", "2018-03-31")])),
        "parts": old_parts.astype(object),
    })
    contracts = pd.concat([old, new], ignore_index=True)
    for col in ("start_year", "end_year"):
        contracts[col] = contracts[col].astype("int64")

    cat = catalogue.set_index("code")
    new_cat = catalogue[catalogue["structure"] == "2022"]
    national = new_cat.loc[new_cat["scope"] == "national", "code"].tolist()
    regional = new_cat.loc[new_cat["scope"] == "regional", "code"].tolist()
    pair_est, pair_ind, pair_years = [], [], []
    for r in sorted(set(region[chosen_new])):
        members = chosen_new[region[chosen_new] == r]
        design = _region_design(r, national, regional)
        pair_est.append(np.repeat(members, len(design)))
        pair_ind.append(np.tile(np.array(design, dtype=object), len(members)))
        pair_years.append(np.full(len(members) * len(design), 2022))
    old_cat = catalogue[catalogue["structure"] == "pre2022"]
    for parts in ("socle+transports", "socle+transports+pertinence+qualite"):
        members = chosen_old[old_parts == parts]
        design = old_cat.loc[old_cat["part"].isin(parts.split("+")), "code"].tolist()
        pair_est.append(np.repeat(members, len(design)))
        pair_ind.append(np.tile(np.array(design, dtype=object), len(members)))
        pair_years.append(np.full(len(members) * len(design), 2019))
    p_est = np.concatenate(pair_est).astype(int) if pair_est else np.zeros(0, int)
    p_ind = np.concatenate(pair_ind) if pair_ind else np.zeros(0, object)
    p_first = np.concatenate(pair_years) if pair_years else np.zeros(0, int)
    m = len(p_est)

    ind = pd.Series(p_ind, dtype=object)
    mean = ind.map(lambda c: CAQES_BASELINES.get(c, DEFAULT_CAQES)[0]).to_numpy(float)
    sd = ind.map(lambda c: CAQES_BASELINES.get(c, DEFAULT_CAQES)[1]).to_numpy(float)
    lower = (ind.map(cat["better"]) == "lower").to_numpy()
    baseline = np.round(np.clip(rng.normal(mean, sd), 0.3 * mean, np.where(lower, 100, 92)), 1)
    relative = rng.uniform(0.05, 0.20, m)
    # one decimal, and at least 0.1 point beyond the baseline once rounded
    target = np.where(lower, np.minimum(np.round(baseline * (1 - relative), 1), baseline - 0.1),
                      np.maximum(np.round(np.minimum(baseline * (1 + relative), 99.5), 1), baseline + 0.1))
    worse = rng.random(m) < 0.10
    pace = np.where(worse, rng.normal(-0.4, 0.3, m), rng.normal(0.95, 0.45, m))
    part = ind.map(cat["part"]).to_numpy(object)
    potential = 25_000 * rng.lognormal(0, 0.9, m) * np.sqrt(est["beds"].to_numpy()[p_est] / 150)
    with_savings = np.isin(part, list(SAVINGS_PARTS))

    frames = []
    for k in range(3):
        progress = pace * (k + 1) / 3 + rng.normal(0, 0.08, m)
        achieved = np.clip(baseline + progress * (target - baseline) + rng.normal(0, 0.01, m) * baseline, 0, 100)
        missing = rng.random(m) < (0.08 if k == 2 else 0.03)
        savings = np.where(with_savings & ~missing, np.round(potential * np.clip(progress, 0, 1.5), -1), np.nan)
        frames.append(pd.DataFrame({
            "finess": finess[p_est], "year": (p_first + k).astype("int64"), "indicator": p_ind,
            "baseline": baseline, "target": np.round(target, 1),
            "achieved": np.where(missing, np.nan, np.round(achieved, 1)), "savings_eur": savings,
        }))
    results = pd.concat(frames, ignore_index=True)
    return contracts, results


# ======================================================================================
# Action follow-up (issue 17): three campaigns with realistic progress
# ======================================================================================
FOLLOW_UP_STREAM = 17  # the follow-up's own generator: np.random.default_rng([seed, 17])
# Fixed dates in the past (the campaigns ran in 2024 and the first half of 2025): the data set is
# the same whatever the day it is generated, and no step is dated in the future.
FOLLOW_UP_PEOPLE = ("Dr Martin (DRSM)", "Dr Lefèvre (DRSM)", "Mme Roux (DCGDR)", "M. Garnier (DCGDR)")


def _follow_up(rng: np.random.Generator, est: pd.DataFrame, recourse: pd.DataFrame, contracts: pd.DataFrame
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Campaigns and their step history, in the import columns.

    - MSAP-SSR-PTG-2025 (France): the 39 establishments with the highest PTG transfer rate in 2024
      (at least 30 stays); 30 contacted, 12 met in a confraternal interview, 10 given their profile,
      then 4 MSAP notified (2 checked), 3 commitments, 2 contracts, 1 without follow-up; one
      interview recorded by mistake and corrected back to "contacted".
    - CAQES-NA-2025 (Nouvelle-Aquitaine, or the region of the data): up to 15 CAQES signatories,
      9 contacted, 5 met, 3 contracts.
    - TRANSFERT-33-2024 (Gironde): up to 12 establishments, a 2024 campaign every one of which was
      checked a year on and closed (so not "in progress")."""
    campaigns, rows = [], []

    def when(year: int, lo: int, hi: int) -> str:
        day = np.datetime64(f"{year}-01-01") + int(rng.integers(lo, hi))
        return str(day)

    def steps(code: str, year: int, finess: str, chain: list[str], start: int) -> None:
        day = start
        for step in chain:
            day += int(rng.integers(7, 30))
            who = FOLLOW_UP_PEOPLE[int(rng.integers(0, 2))] if step == "entretien" else FOLLOW_UP_PEOPLE[
                int(rng.integers(2, 4))]
            rows.append((code, finess, step, when(year, day, day + 1), who, notes.get(step, "")))

    notes = {"entretien": "Entretien confraternel : profil présenté, écart au taux régional discuté ; "
                          "l'équipe s'engage à revoir les indications de SSR.",
             "msap_notifiee": "MSAP notifiée pour 6 mois.", "controle": "Contrôle sur dossiers : conforme."}

    ptg = recourse[(recourse["year"] == recourse["year"].max()) & (recourse["gesture"] == "PTG")]
    by_est = ptg.groupby("finess")[["stays", "stays_with_ssr"]].sum()
    by_est = by_est[by_est["stays"] >= 30]
    order = (by_est["stays_with_ssr"] / by_est["stays"]).sort_values(ascending=False, kind="stable")
    msap_list = list(order.index[:39])
    if msap_list:
        code = "MSAP-SSR-PTG-2025"
        campaigns.append((code, "MSAP SSR après prothèse totale de genou — établissements atypiques (données 2024)",
                          "msap_ssr", 2025, "FR"))
        # each establishment's path: how far it got (index into the chain) and its outcome
        plan = (["msap"] * 2 + ["msap_only"] * 2 + ["engagement"] * 3 + ["contrat"] * 2 + ["sans_suite"]
                + ["met"] * 2 + ["contacted"] * 17 + ["corrected"] + ["targeted"] * 9)
        plan = list(rng.permutation(plan[:len(msap_list)] + ["targeted"] * max(0, len(msap_list) - len(plan))))
        paths = {"targeted": [], "contacted": ["contactee"], "met": ["contactee", "entretien"],
                 "corrected": ["contactee", "entretien", "contactee"],
                 "sans_suite": ["contactee", "entretien", "profil_remis", "sans_suite"],
                 "contrat": ["contactee", "entretien", "profil_remis", "contrat_signe"],
                 "engagement": ["contactee", "entretien", "profil_remis", "engagement"],
                 "msap_only": ["contactee", "entretien", "profil_remis", "msap_notifiee"],
                 "msap": ["contactee", "entretien", "profil_remis", "msap_notifiee", "controle"]}
        for finess, kind in zip(msap_list, plan):
            steps(code, 2025, finess, ["ciblee", *paths[kind]], int(rng.integers(0, 20)))
    region = est["region_code"].value_counts().index[0] if len(est) else None
    region = DEFAULT_REGION if DEFAULT_REGION in set(est["region_code"]) else region
    signed = contracts["finess"].drop_duplicates()
    caqes = [f for f in signed if f in set(est.loc[est["region_code"] == region, "finess"])][:15]
    if caqes:
        code = "CAQES-NA-2025" if region == "75" else f"CAQES-R{region}-2025"
        campaigns.append((code, "Accompagnement des signataires CAQES — volet pertinence", "caqes", 2025, f"R{region}"))
        plan = ["contrat"] * 3 + ["met"] * 2 + ["contacted"] * 4 + ["targeted"] * 6
        chains = {"targeted": [], "contacted": ["contactee"], "met": ["contactee", "entretien"],
                  "contrat": ["contactee", "entretien", "profil_remis", "contrat_signe"]}
        for finess, kind in zip(caqes, rng.permutation(plan)[:len(caqes)]):
            steps(code, 2025, finess, ["ciblee", *chains[kind]], int(rng.integers(10, 40)))
    gironde = est.loc[(est["departement_code"] == "33") & (est["activity"] != "SSR"), "finess"].tolist()[:12]
    if gironde:
        code = "TRANSFERT-33-2024"
        campaigns.append((code, "Accompagnement des taux de transfert MCO → SSR en Gironde", "transfert_ssr", 2024,
                          "D33"))
        for finess in gironde:
            chain = ["contactee", "entretien", "profil_remis", str(rng.choice(["engagement", "sans_suite"])),
                     "controle", "close"]
            steps(code, 2024, finess, ["ciblee", *chain], int(rng.integers(10, 60)))
    return (pd.DataFrame(campaigns, columns=list(COLUMNS["campaigns"])),
            pd.DataFrame(rows, columns=list(COLUMNS["actions"])))
