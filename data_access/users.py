"""Users and the audit trail in the SQL store. Passwords arrive here already hashed (security.accounts)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, insert, select, update

from data_access import models
from data_access.db import connect, get_engine


@dataclass(frozen=True)
class UserRow:
    id: int
    login: str
    password_hash: str
    role: str
    active: bool
    demo: bool
    auth_version: int


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _row(r) -> UserRow:
    return UserRow(id=r.id, login=r.login, password_hash=r.password_hash, role=r.role, active=bool(r.active),
                   demo=bool(r.demo), auth_version=r.auth_version)


def by_login(url: str, login: str) -> UserRow | None:
    with connect(url) as conn:
        r = conn.execute(select(models.User).where(models.User.login == login)).first()
    return _row(r) if r else None


def by_id(url: str, user_id: int) -> UserRow | None:
    with connect(url) as conn:
        r = conn.execute(select(models.User).where(models.User.id == user_id)).first()
    return _row(r) if r else None


def create(url: str, login: str, password_hash: str, role: str, demo: bool = False) -> int:
    """Insert a user; raises ValueError (French) if the login exists or the role is unknown."""
    if role not in models.ROLES:
        raise ValueError(f"Rôle inconnu « {role} » : choisir parmi {', '.join(models.ROLES)}.")
    with get_engine(url).begin() as conn:
        if conn.execute(select(models.User.id).where(models.User.login == login)).first():
            raise ValueError(f"L'utilisateur « {login} » existe déjà.")
        result = conn.execute(insert(models.User).values(
            login=login, password_hash=password_hash, role=role, active=True, demo=demo, auth_version=1,
            created_at=_now()))
        return int(result.inserted_primary_key[0])


def _update(url: str, login: str, **values) -> None:
    with get_engine(url).begin() as conn:
        result = conn.execute(update(models.User).where(models.User.login == login).values(
            auth_version=models.User.auth_version + 1, **values))
        if result.rowcount != 1:
            raise ValueError(f"Utilisateur inconnu « {login} ».")


def set_password(url: str, login: str, password_hash: str) -> None:
    """New password; sessions opened before are ended (auth_version + 1). Re-enables the account."""
    _update(url, login, password_hash=password_hash, active=True)


def disable(url: str, login: str) -> None:
    """The user can no longer sign in; open sessions end at their next request."""
    _update(url, login, active=False)


def delete_demo(url: str) -> int:
    """Remove the demo accounts (a production configuration refuses to start with them)."""
    with get_engine(url).begin() as conn:
        return conn.execute(models.User.__table__.delete().where(models.User.demo.is_(True))).rowcount


def touch_login(url: str, user_id: int) -> None:
    with get_engine(url).begin() as conn:
        conn.execute(update(models.User).where(models.User.id == user_id).values(last_login_at=_now()))


def active_demo_count(url: str) -> int:
    with connect(url) as conn:
        return int(conn.execute(select(func.count()).select_from(models.User)
                                .where(models.User.demo.is_(True), models.User.active.is_(True))).scalar_one())


def listing(url: str) -> pd.DataFrame:
    """Every user: login, role, active, demo, created_at, last_login_at (no hash)."""
    U = models.User
    with connect(url) as conn:
        rows = conn.execute(select(U.login, U.role, U.active, U.demo, U.created_at, U.last_login_at)
                            .order_by(U.login)).all()
    return pd.DataFrame([tuple(r) for r in rows],
                        columns=["login", "role", "active", "demo", "created_at", "last_login_at"])


# --- Audit trail ---------------------------------------------------------------

def record(url: str, login: str, event: str, target: str = "", detail: str = "", role: str | None = None,
           address: str = "") -> None:
    """Append an event to the audit trail (its own short transaction)."""
    with get_engine(url).begin() as conn:
        conn.execute(insert(models.AuditEvent).values(
            at=_now(), login=login[:100], role=role, event=event, target=target[:300], detail=detail,
            address=address[:64]))


def audit_events(url: str, login: str | None = None, event: str | None = None, since: dt.date | None = None,
                 until: dt.date | None = None, limit: int = 1000) -> pd.DataFrame:
    """The newest `limit` events matching the filters: at, login, role, event, target, detail, address.
    `login` matches a substring, case-insensitively; `since`/`until` are inclusive dates (UTC)."""
    A = models.AuditEvent
    stmt = select(A.at, A.login, A.role, A.event, A.target, A.detail, A.address)
    if login:
        stmt = stmt.where(func.lower(A.login).contains(login.lower(), autoescape=True))
    if event:
        stmt = stmt.where(A.event == event)
    if since:
        stmt = stmt.where(A.at >= dt.datetime.combine(since, dt.time.min, dt.timezone.utc))
    if until and until < dt.date.max:  # the last representable day bounds nothing (and has no next day)
        stmt = stmt.where(A.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, dt.timezone.utc))
    stmt = stmt.order_by(A.at.desc(), A.id.desc()).limit(limit)
    with connect(url) as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows],
                        columns=["at", "login", "role", "event", "target", "detail", "address"])
