"""SQLAlchemy 2.0 models: the same schema on SQLite and PostgreSQL.

Counts are integers (stays, patients); rates are never stored, they are
computed as ratios of sums by analytics/. Codes are the INSEE / FINESS /
catalogue codes as strings.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    # Every model here maps a Table (DeclarativeBase types __table__ as any FromClause): insert(),
    # update(), delete() and .name type-check on Model.__table__.
    __table__: ClassVar[Table]


# --- Geography -------------------------------------------------------------

class Region(Base):
    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    population: Mapped[int] = mapped_column(Integer)
    overseas: Mapped[bool] = mapped_column(default=False)
    geometry: Mapped[str] = mapped_column(Text, doc="GeoJSON geometry, WGS84, simplified")


class Departement(Base):
    __tablename__ = "departements"
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    population: Mapped[int] = mapped_column(Integer)
    geometry: Mapped[str] = mapped_column(Text, doc="GeoJSON geometry, WGS84, simplified")


class Commune(Base):
    __tablename__ = "communes"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    departement_code: Mapped[str] = mapped_column(ForeignKey("departements.code"), index=True)
    population: Mapped[int] = mapped_column(Integer)
    latitude: Mapped[float] = mapped_column(Float, doc="representative point inside the commune")
    longitude: Mapped[float] = mapped_column(Float)


# --- Catalogues (data, not code) -------------------------------------------

class Gesture(Base):
    __tablename__ = "gestures"
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)


class AgeBand(Base):
    __tablename__ = "age_bands"
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)


class AmbulatoryGroup(Base):
    """A marker procedure (geste marqueur) of ambulatory surgery. `marker_number` is its number in
    the official list of 55 (GM01..GM55), '' for a procedure kept outside the list (the rate of
    "all marker procedures" sums the 55 only); `specialty` groups them by surgical discipline."""

    __tablename__ = "ambulatory_groups"
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    specialty: Mapped[str] = mapped_column(String(60), default="")
    marker_number: Mapped[str] = mapped_column(String(4), default="")


class ProfileIndicator(Base):
    """An SSR profile indicator. `kind` ratio: value = numerator / denominator × scale;
    count: value = numerator (compared with medians)."""

    __tablename__ = "profile_indicators"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    better: Mapped[str] = mapped_column(String(10), doc="higher | lower | neutral")
    scale: Mapped[float] = mapped_column(Float, default=1.0)
    unit: Mapped[str] = mapped_column(String(40), default="")
    numerator_label: Mapped[str] = mapped_column(String(200), default="")
    denominator_label: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(40), default="")
    position: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        CheckConstraint("kind IN ('ratio','count')", name="ck_profile_kind"),
        CheckConstraint("better IN ('higher','lower','neutral')", name="ck_profile_better"),
    )


class CaqesIndicator(Base):
    __tablename__ = "caqes_indicators"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(300))
    part: Mapped[str] = mapped_column(String(40), doc="volet: produits_sante, organisation, pertinence, ...")
    scope: Mapped[str] = mapped_column(String(10), doc="national | regional")
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), nullable=True)
    better: Mapped[str] = mapped_column(String(10), doc="higher | lower")
    unit: Mapped[str] = mapped_column(String(40), default="%")
    incentive_rate: Mapped[float] = mapped_column(Float, default=0.0, doc="share of savings paid, 0-1")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    structure: Mapped[str] = mapped_column(String(10), default="2022", doc="contract structure: 2022 or pre2022")
    position: Mapped[int] = mapped_column(Integer)


# --- Establishments and facts ---------------------------------------------

LEGAL_STATUSES = ("public", "espic", "prive")  # ck_estab_status


class Establishment(Base):
    __tablename__ = "establishments"
    finess: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_status: Mapped[str] = mapped_column(String(10), index=True)
    category: Mapped[str] = mapped_column(String(100))
    activity: Mapped[str] = mapped_column(String(10), index=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    departement_code: Mapped[str] = mapped_column(ForeignKey("departements.code"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    beds: Mapped[int] = mapped_column(Integer, default=0)
    places: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (
        CheckConstraint("legal_status IN ('public','espic','prive')", name="ck_estab_status"),
        CheckConstraint("activity IN ('MCO','SSR','MCO+SSR')", name="ck_estab_activity"),
    )


class SsrRecourse(Base):
    """Stays for a gesture in an MCO establishment, and how many were followed by an SSR stay."""

    __tablename__ = "ssr_recourse"
    finess: Mapped[str] = mapped_column(ForeignKey("establishments.finess"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    gesture: Mapped[str] = mapped_column(ForeignKey("gestures.code"), primary_key=True)
    age_band: Mapped[str] = mapped_column(ForeignKey("age_bands.code"), primary_key=True)
    stays: Mapped[int] = mapped_column(Integer)
    stays_with_ssr: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        CheckConstraint("stays >= 0 AND stays_with_ssr >= 0 AND stays_with_ssr <= stays", name="ck_ssr_counts"),
        # Covering (counts included): a year and gesture read in FINESS order without touching the
        # table, so summing a gesture's age bands per establishment needs no sort.
        Index("ix_ssr_year_gesture_finess", "year", "gesture", "finess", "age_band", "stays", "stays_with_ssr"),
    )


TOTAL = "*"  # "every value" in the rollup columns of the *_totals tables


class SsrDepartementTotal(Base):
    """ssr_recourse summed by year, département and the SSR view's filters, derived data kept by
    the imports (data_access/ssr_totals.py): each of gesture, age_band and legal_status holds a
    code or TOTAL ('*', the sum over every code), so any view reads one row per year × département.
    Integer counts of stays; a rate is computed from these sums, never stored."""

    __tablename__ = "ssr_departement_totals"
    gesture: Mapped[str] = mapped_column(String(10), primary_key=True)
    age_band: Mapped[str] = mapped_column(String(10), primary_key=True)
    legal_status: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    departement_code: Mapped[str] = mapped_column(String(3), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(3))
    stays: Mapped[int] = mapped_column(Integer)
    stays_with_ssr: Mapped[int] = mapped_column(Integer)
    __table_args__ = {"sqlite_with_rowid": False}  # rows stored in key order: a view reads one range


class SsrEstablishmentTotal(Base):
    """ssr_recourse summed over the age bands ("tous âges") per establishment, year and gesture,
    gesture being a code or TOTAL (every gesture); kept by the imports like SsrDepartementTotal.
    Views of one age band read ssr_recourse through ix_ssr_year_gesture_finess."""

    __tablename__ = "ssr_establishment_totals"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    gesture: Mapped[str] = mapped_column(String(10), primary_key=True)
    finess: Mapped[str] = mapped_column(String(9), primary_key=True)
    stays: Mapped[int] = mapped_column(Integer)
    stays_with_ssr: Mapped[int] = mapped_column(Integer)
    __table_args__ = {"sqlite_with_rowid": False}


class SecrecyMasks(Base):
    """The presentation mode's masks of one reach and year (services.secrecy), computed once for the
    year's data and kept here so that every worker and host reads them instead of computing them again:
    `fingerprint` identifies the data they were computed from (a hash of the year's counts: an import
    makes only the years it changed compute again), `payload` is the zlib-compressed pickle of an
    analytics.secrecy.Suppression."""

    __tablename__ = "secrecy_masks"
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    secondary: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    fingerprint: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class DerivedState(Base):
    """The data version a set of derived tables was last made consistent with (name 'ssr_totals').
    When it lags DataVersion, something wrote the facts outside the import pipeline and readers
    fall back to the facts."""

    __tablename__ = "derived_state"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer)


class AmbulatorySurgery(Base):
    __tablename__ = "ambulatory_surgery"
    finess: Mapped[str] = mapped_column(ForeignKey("establishments.finess"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    gesture_group: Mapped[str] = mapped_column(ForeignKey("ambulatory_groups.code"), primary_key=True)
    stays: Mapped[int] = mapped_column(Integer)
    ambulatory_stays: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        CheckConstraint("stays >= 0 AND ambulatory_stays >= 0 AND ambulatory_stays <= stays", name="ck_ambu_counts"),
        Index("ix_ambu_year_group", "year", "gesture_group"),
    )


class AmbulatoryTarget(Base):
    """A regional programme's ambulatory-surgery target for a year, in percent (0-100) of the stays
    of the marker procedures; `departement_code` '' for the regional target, a département code
    for a local one."""

    __tablename__ = "ambulatory_targets"
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    departement_code: Mapped[str] = mapped_column(String(3), primary_key=True, default="")
    target_pct: Mapped[float] = mapped_column(Float)
    __table_args__ = (CheckConstraint("target_pct >= 0 AND target_pct <= 100", name="ck_ambu_target_pct"),)


class ProfileValue(Base):
    __tablename__ = "profile_values"
    finess: Mapped[str] = mapped_column(ForeignKey("establishments.finess"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(ForeignKey("profile_indicators.code"), primary_key=True)
    numerator: Mapped[float] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float, nullable=True)
    __table_args__ = (Index("ix_profile_year_indicator", "year", "indicator"),)


class CaqesContract(Base):
    __tablename__ = "caqes_contracts"
    finess: Mapped[str] = mapped_column(ForeignKey("establishments.finess"), primary_key=True)
    start_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    end_year: Mapped[int] = mapped_column(Integer)
    signed_on: Mapped[dt.date] = mapped_column(Date)
    parts: Mapped[str] = mapped_column(String(200))


class CaqesResult(Base):
    __tablename__ = "caqes_results"
    finess: Mapped[str] = mapped_column(ForeignKey("establishments.finess"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(ForeignKey("caqes_indicators.code"), primary_key=True)
    baseline: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    achieved: Mapped[float | None] = mapped_column(Float, nullable=True)
    savings_eur: Mapped[float | None] = mapped_column(Float, nullable=True)
    __table_args__ = (Index("ix_caqes_year_indicator", "year", "indicator"),)


class MsapDecision(Base):
    """A step of an MSAP procedure. `gesture` is '' when the decision covers the whole campaign."""

    __tablename__ = "msap_decisions"
    finess: Mapped[str] = mapped_column(ForeignKey("establishments.finess"), primary_key=True)
    campaign: Mapped[str] = mapped_column(String(10), primary_key=True)
    gesture: Mapped[str] = mapped_column(String(30), primary_key=True, default="")
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision: Mapped[str] = mapped_column(String(20), primary_key=True)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    start_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    end_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    __table_args__ = (
        CheckConstraint("campaign IN ('SSR','AMBU')", name="ck_msap_campaign"),
        CheckConstraint("decision IN ('ciblee','notifiee','levee','abandonnee')", name="ck_msap_decision"),
    )


# --- Bookkeeping -------------------------------------------------------------

class ImportBatch(Base):
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    rows_inserted: Mapped[int] = mapped_column(Integer)
    rows_updated: Mapped[int] = mapped_column(Integer)
    user: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class DataVersion(Base):
    """A single row; `version` increases on every successful import (cache keys use it)."""

    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("id"),)


# --- Who may see what (issue 7) ------------------------------------------------

ROLES = ("admin", "analyste", "medecin_conseil", "iraps")


class User(Base):
    """A person who may sign in. `auth_version` increases when the password is reset or the account
    disabled, which ends every session opened before."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    demo: Mapped[bool] = mapped_column(default=False, doc="created by make run for the demo data")
    auth_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    __table_args__ = (
        CheckConstraint("role IN ('admin','analyste','medecin_conseil','iraps')", name="ck_users_role"),
    )


class AuditEvent(Base):
    """Who did what, when: sign-ins (successful or not), profile views, exports, imports."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    login: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str | None] = mapped_column(String(20), nullable=True)
    event: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")


class UserSession(Base):
    """One signed-in session, so that it can be ended on the server (sign-out, password reset, account
    disabled, an administrator). `id` is the SHA-256 of the 256-bit random token the cookie carries:
    reading this table does not give a usable session."""

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(20), nullable=True,
                                                       doc="deconnexion, mot_de_passe, desactivation, admin, connexion")
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


# --- Action follow-up (issue 17) -------------------------------------------------

# A campaign's code (String(30)): checked on import (data_access.validation) and when a campaign is created
# from the app (services.actions), which must not load the import machinery (pandera) to check it.
CAMPAIGN_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,29}")
CAMPAIGN_THEMES = ("msap_ssr", "msap_ambu", "caqes", "transfert_ssr", "autre")  # ck_campaign_theme
ACTION_STEPS = ("ciblee", "contactee", "entretien", "profil_remis", "msap_notifiee", "contrat_signe", "engagement",
                "sans_suite", "controle", "close")  # ck_action_step; the order of the chain (analytics.actions)


class Campaign(Base):
    """A follow-up campaign: a target list of establishments and the steps recorded for each.
    `perimeter` is written as /msap's `perimetre` (FR, R<region>, D<département>); `rule_query` is
    the /msap address the list was frozen from ('' for an imported or hand-made list)."""

    __tablename__ = "campaigns"
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    perimeter: Mapped[str] = mapped_column(String(4))
    rule_query: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        CheckConstraint("theme IN ('msap_ssr','msap_ambu','caqes','transfert_ssr','autre')", name="ck_campaign_theme"),
    )


class CampaignTarget(Base):
    """An establishment on a campaign's list. `version` increases with every step recorded for it in
    the campaign: a writer states the version it saw, so a concurrent write is refused, not lost."""

    __tablename__ = "campaign_targets"
    campaign: Mapped[str] = mapped_column(ForeignKey("campaigns.code"), primary_key=True)
    finess: Mapped[str] = mapped_column(ForeignKey("establishments.finess"), primary_key=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    added_by: Mapped[str] = mapped_column(String(100), default="")
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ActionStep(Base):
    """One recorded step of an establishment in a campaign. History is never rewritten: a correction
    is a new entry, and the establishment's current step is its latest entry (highest id).
    `recorded_by` is who did it (free text in an import, the signed-in user in the app); `medecin`
    and `participants` describe an interview, `compliant` the outcome of an a-posteriori check."""

    __tablename__ = "action_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign: Mapped[str] = mapped_column(String(30))
    finess: Mapped[str] = mapped_column(String(9))
    step: Mapped[str] = mapped_column(String(20))
    date: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    medecin: Mapped[str | None] = mapped_column(String(100), nullable=True)
    participants: Mapped[str | None] = mapped_column(String(500), nullable=True)
    compliant: Mapped[bool | None] = mapped_column(nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(100), default="")
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        ForeignKeyConstraint(["campaign", "finess"], ["campaign_targets.campaign", "campaign_targets.finess"],
                             name="fk_action_target"),
        CheckConstraint("step IN ('ciblee','contactee','entretien','profil_remis','msap_notifiee','contrat_signe',"
                        "'engagement','sans_suite','controle','close')", name="ck_action_step"),
        Index("ix_action_steps_target", "campaign", "finess", "id"),
    )
