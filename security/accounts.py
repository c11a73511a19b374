"""Accounts: password hashing (argon2id, memory-hard) and checks, over data_access.users."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from data_access import users

# argon2id with the library's defaults (RFC 9106 "low memory" profile: 64 MiB, 3 passes).
_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8
# Verified when the login does not exist, so a wrong login costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("atlas-gdr-no-such-user")

DEMO_PASSWORD = "atlas-demo"
DEMO_ACCOUNTS = {"admin": "admin", "analyste": "analyste", "medecin": "medecin_conseil", "iraps": "iraps"}


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Mot de passe trop court : au moins {MIN_PASSWORD_LENGTH} caractères.")
    return _hasher.hash(password)


def authenticate(url: str, login: str, password: str) -> users.UserRow | None:
    """The active user with this login and password, else None (same cost whatever failed)."""
    user = users.by_login(url, login.strip()) if login else None
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        users.set_password(url, user.login, _hasher.hash(password))
        user = users.by_login(url, user.login)
    return user


def create_user(url: str, login: str, password: str, role: str, demo: bool = False) -> int:
    login = login.strip()
    if not login or len(login) > 64 or any(c.isspace() for c in login):
        raise ValueError("Identifiant invalide : 1 à 64 caractères, sans espace.")
    return users.create(url, login, hash_password(password), role, demo=demo)


def reset_password(url: str, login: str, password: str) -> None:
    users.set_password(url, login, hash_password(password))


def ensure_demo_accounts(url: str) -> list[str]:
    """Create the documented demo accounts that are missing; returns the logins created."""
    created = []
    for login, role in DEMO_ACCOUNTS.items():
        if users.by_login(url, login) is None:
            create_user(url, login, DEMO_PASSWORD, role, demo=True)
            created.append(login)
    return created
