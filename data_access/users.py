"""Users, their server-side sessions and the audit trail in the SQL store. Passwords arrive here already
hashed (security.accounts); sessions are keyed by the hash of their token (security.auth)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import overload

import pandas as pd
from sqlalchemy import ColumnElement, delete, func, insert, select, update

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
    return dt.datetime.now(dt.UTC)


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
        key = result.inserted_primary_key
        assert key is not None  # a single-row INSERT
        return int(key[0])


def _update(url: str, login: str, reason: str, **values) -> None:
    """Change a user and end every session of theirs in the same transaction."""
    with get_engine(url).begin() as conn:
        result = conn.execute(update(models.User).where(models.User.login == login).values(
            auth_version=models.User.auth_version + 1, **values))
        if result.rowcount != 1:
            raise ValueError(f"Utilisateur inconnu « {login} ».")
        _end_sessions(conn, models.User.login == login, reason)


def set_password(url: str, login: str, password_hash: str) -> None:
    """New password; sessions opened before are ended. Re-enables the account."""
    _update(url, login, "mot_de_passe", password_hash=password_hash, active=True)


def disable(url: str, login: str) -> None:
    """The user can no longer sign in; open sessions are ended."""
    _update(url, login, "desactivation", active=False)


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


def listing(url: str, seen_since: dt.datetime | None = None, created_since: dt.datetime | None = None
            ) -> pd.DataFrame:
    """Every user: login, role, active, demo, created_at, last_login_at (no hash) and `sessions`, the
    number of sessions not ended, seen after `seen_since` and opened after `created_since` (each
    bound optional: the idle and absolute limits). Read outside the request's snapshot."""
    U, S = models.User, models.UserSession
    open_sessions: ColumnElement[bool] = S.revoked_at.is_(None)
    if seen_since is not None:
        open_sessions = open_sessions & (S.last_seen_at > seen_since)
    if created_since is not None:
        open_sessions = open_sessions & (S.created_at > created_since)
    counts = (select(S.user_id, func.count().label("n")).where(open_sessions).group_by(S.user_id).subquery())
    # not the request's snapshot: the administrator who just ended sessions sees the result at once
    with get_engine(url).connect() as conn:
        rows = conn.execute(select(U.login, U.role, U.active, U.demo, U.created_at, U.last_login_at,
                                   func.coalesce(counts.c.n, 0))
                            .outerjoin(counts, counts.c.user_id == U.id).order_by(U.login)).all()
    return pd.DataFrame([tuple(r) for r in rows],
                        columns=["login", "role", "active", "demo", "created_at", "last_login_at", "sessions"])


# --- Sessions ------------------------------------------------------------------

@dataclass(frozen=True)
class SessionRow:
    """A server-side session; times are aware UTC datetimes."""
    id: str
    user_id: int
    created_at: dt.datetime
    last_seen_at: dt.datetime
    revoked_at: dt.datetime | None


@overload
def _utc(value: dt.datetime) -> dt.datetime: ...
@overload
def _utc(value: None) -> None: ...
def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes: they were stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


SESSION_RETENTION = dt.timedelta(days=30)  # ended or expired sessions are purged after this long


def open_session(url: str, session_id: str, user_id: int, address: str = "", user_agent: str = "",
                 replaces: str | None = None) -> None:
    """Record a new session (`session_id` is the token's hash); end `replaces`, the session the
    browser carried before signing in, if any; purge sessions last seen long ago."""
    now = _now()
    with get_engine(url).begin() as conn:
        if replaces:
            _end_sessions(conn, None, "connexion", session_id=replaces)
        conn.execute(delete(models.UserSession).where(models.UserSession.last_seen_at < now - SESSION_RETENTION))
        conn.execute(insert(models.UserSession).values(
            id=session_id, user_id=user_id, created_at=now, last_seen_at=now, address=address[:64],
            user_agent=user_agent[:200]))


def session_with_user(url: str, session_id: str) -> tuple[SessionRow, UserRow] | None:
    """The session with this id and its user (one query: it runs on every request), else None."""
    S = models.UserSession
    with connect(url) as conn:
        r = conn.execute(select(S.id.label("session_id"), S.user_id, S.created_at.label("session_created_at"),
                                S.last_seen_at, S.revoked_at, models.User)
                         .join(models.User, models.User.id == S.user_id).where(S.id == session_id)).first()
    if r is None:
        return None
    row = SessionRow(id=r.session_id, user_id=r.user_id, created_at=_utc(r.session_created_at),
                     last_seen_at=_utc(r.last_seen_at), revoked_at=_utc(r.revoked_at))
    return row, _row(r)


def touch_session(url: str, session_id: str) -> None:
    """The session was used now (the caller limits how often)."""
    with get_engine(url).begin() as conn:
        conn.execute(update(models.UserSession).where(models.UserSession.id == session_id)
                     .values(last_seen_at=_now()))


def end_session(url: str, session_id: str, reason: str) -> None:
    with get_engine(url).begin() as conn:
        _end_sessions(conn, None, reason, session_id=session_id)


def end_user_sessions(url: str, login: str, reason: str) -> int:
    """End every open session of the user `login`; returns how many were open. ValueError (French)
    when the login is unknown."""
    with get_engine(url).begin() as conn:
        if conn.execute(select(models.User.id).where(models.User.login == login)).first() is None:
            raise ValueError(f"Utilisateur inconnu « {login} ».")
        return _end_sessions(conn, models.User.login == login, reason)


def _end_sessions(conn, user_filter, reason: str, session_id: str | None = None) -> int:
    S = models.UserSession
    stmt = update(S).where(S.revoked_at.is_(None)).values(revoked_at=_now(), revoked_reason=reason)
    if session_id is not None:
        stmt = stmt.where(S.id == session_id)
    if user_filter is not None:
        stmt = stmt.where(S.user_id.in_(select(models.User.id).where(user_filter)))
    return conn.execute(stmt).rowcount


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
        stmt = stmt.where(A.at >= dt.datetime.combine(since, dt.time.min, dt.UTC))
    if until and until < dt.date.max:  # the last representable day bounds nothing (and has no next day)
        stmt = stmt.where(A.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, dt.UTC))
    stmt = stmt.order_by(A.at.desc(), A.id.desc()).limit(limit)
    with connect(url) as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows],
                        columns=["at", "login", "role", "event", "target", "detail", "address"])
