"""Typed settings read from the environment (see README, section Configuration)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

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
    session_idle_hours: float = 8.0  # a session ends after this long without a request
    login_rate_limit: str = "10/minute"  # sign-in attempts per client address (Flask-Limiter syntax)
    # Database pools (data_access.db): per process, a snapshot pool for the requests' reads and a main pool
    # for writes, each of db_pool_size + db_max_overflow connections opened on demand; a request waits at
    # most db_pool_timeout seconds for one, then answers 503.
    db_pool_size: int = 10
    db_max_overflow: int = 20
    db_pool_timeout: float = 5.0
    atlas_proxy_fix: int = 0  # number of trusted reverse proxies setting X-Forwarded-For/-Proto (0: none)


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
