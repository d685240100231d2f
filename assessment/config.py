"""Settings, read from the environment with safe defaults.

Every setting can be given as an environment variable (see README). The secret key is never in
the repository: it comes from SECRET_KEY, or is generated once into instance/secret_key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database_url(instance_path: Path) -> str:
    """DATABASE_URL if set (postgres:// spelt the way SQLAlchemy wants), else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'assessment.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated on first start and kept in instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults for every environment; create_app overlays the environment and test config."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # A workshop page can stay open for hours: a CSRF token lives as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    EXPORTS_DIR = ROOT / "exports"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    # How many reverse proxies sit in front of the app and set X-Forwarded-*; 0 trusts none.
    PROXY_FIX_HOPS = 0
    # Compile all templates at start-up (gunicorn.conf.py turns it on for production).
    PRECOMPILE_TEMPLATES = False


def settings_from_environment() -> dict[str, object]:
    """The settings an operator sets through environment variables."""
    secure = env_flag("SESSION_COOKIE_SECURE", False)
    settings: dict[str, object] = {
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SECURE": secure,
    }
    if secure:
        # Browsers only accept a __Host- cookie over HTTPS, from this exact host, for path /:
        # a sibling subdomain cannot plant or overwrite the session.
        settings["SESSION_COOKIE_NAME"] = "__Host-session"
    if hops := os.environ.get("PROXY_FIX_HOPS"):
        settings["PROXY_FIX_HOPS"] = int(hops)
    if storage := os.environ.get("RATELIMIT_STORAGE_URI"):
        settings["RATELIMIT_STORAGE_URI"] = storage
    if exports := os.environ.get("EXPORTS_DIR"):
        settings["EXPORTS_DIR"] = Path(exports)
    return settings
