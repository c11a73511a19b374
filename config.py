"""Typed settings read from the environment (see README, section Configuration)."""
from __future__ import annotations

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent
DEFAULT_SECRET_KEY = "dev-secret-change-me"


class Settings(BaseSettings):
    """Application settings; tests build their own instance instead of patching globals."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'data' / 'atlas.sqlite'}"
    redis_url: str | None = None
    secret_key: str = DEFAULT_SECRET_KEY
    debug: bool = False
    # "production" refuses to start with the default secret key or active demo accounts;
    # `make run` sets "demo"; tests build Settings(atlas_env="test").
    atlas_env: Literal["production", "demo", "test"] = "production"
    # where `make run` (ATLAS_ENV=demo, no SECRET_KEY) keeps the random key it draws the first time
    secret_key_file: Path = ROOT / "data" / "secret_key"
    session_idle_hours: float = 8.0  # a session ends after this long without a request
    session_max_hours: float = 12.0  # ... and this long after sign-in, however active (OWASP ASVS 3.3.2)
    login_rate_limit: str = "10/minute"  # sign-in attempts per client address (Flask-Limiter syntax)
    # Database pools (data_access.db): per process, a snapshot pool for the requests' reads and a main pool
    # for writes, each of db_pool_size + db_max_overflow connections opened on demand; a request waits at
    # most db_pool_timeout seconds for one, then answers 503.
    db_pool_size: int = 10
    db_max_overflow: int = 20
    db_pool_timeout: float = 5.0
    atlas_proxy_fix: int = 0  # number of trusted reverse proxies setting X-Forwarded-For/-Proto (0: none)
    # Presentation mode's secondary suppression (analytics.reach). Only tests turn it off, to show
    # that their attacker recovers what the primary masks alone leave open.
    secondary_suppression: bool = True

    @model_validator(mode="after")
    def _demo_key(self) -> Settings:
        """A demo (ATLAS_ENV=demo) without SECRET_KEY signs its sessions with a random key of its own,
        drawn once and kept in `secret_key_file`: the development key in the code must never sign
        the sessions of an instance others can reach."""
        if self.atlas_env == "demo" and self.secret_key == DEFAULT_SECRET_KEY:
            self.secret_key = demo_secret_key(self.secret_key_file)
        return self


def demo_secret_key(path: Path) -> str:
    """The key stored at `path` (mode 0600), created with 256 random bits if missing. Two processes
    starting together agree: the file appears whole, at once (written aside, then hard-linked)."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
            with contextlib.suppress(FileExistsError):  # another process was first: use its key
                os.link(aside, path)
        finally:
            aside.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < 32:
        raise ValueError(f"Clé de session de démonstration invalide dans {path} : supprimez le fichier, "
                         "il sera recréé.")
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings read once from the environment (immutable afterwards)."""
    return Settings()


def current_settings() -> Settings:
    """Settings of the running Dash/Flask app (set by factory.create_app), else from the environment."""
    from flask import current_app, has_app_context

    if has_app_context() and "ATLAS_SETTINGS" in current_app.config:
        return current_app.config["ATLAS_SETTINGS"]
    return get_settings()
