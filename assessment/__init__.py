"""Recovery self-assessment toolkit: the application factory."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import assets, database  # noqa: F401  (database registers SQLite's settings)
from .config import ROOT, Config, database_url, secret_key, settings_from_environment
from .extensions import compress, csrf, db, limiter, login_manager, migrate
from .frameworks import all_frameworks
from .jinja import compile_templates, configure_jinja


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then FLASK_* and documented environment variables, then tests'."""
    app = Flask(
        __name__,
        template_folder=ROOT / "templates",
        static_folder=ROOT / "static",
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    app.config.from_object(Config)
    app.config.from_prefixed_env()
    app.config.update(settings_from_environment())
    if test_config:
        app.config.update(test_config)
    instance = ROOT / "instance"
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_url(instance))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(instance)
    all_frameworks()  # a broken framework file stops start-up with a clear message

    if hops := app.config["PROXY_FIX_HOPS"]:
        # The real client address (rate limits, logs) and scheme (HSTS, cookies) behind a proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    configure_jinja(app)  # first: extensions such as CSRFProtect create the Jinja environment
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_commands(app)
    if app.config["PRECOMPILE_TEMPLATES"]:
        compile_templates(app)
    logging.basicConfig(level=logging.INFO)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    assets.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"

    from .services.accounts import load_user

    login_manager.user_loader(load_user)


class BoundedIntConverter(IntegerConverter):
    """<int:...> URL parts above the database's 32-bit integers are simply not found (404),
    rather than reaching PostgreSQL and failing with "integer out of range"."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - Werkzeug's name
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    from .views import BLUEPRINTS

    app.url_map.converters["int"] = BoundedIntConverter

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from .cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)


def register_security_headers(app: Flask) -> None:
    """One place for the headers every response carries (CSP with a per-request nonce)."""

    @app.before_request
    def make_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def inject_nonce() -> dict[str, str]:
        return {"cspNonce": g.get("csp_nonce", "")}

    @app.after_request
    def add_headers(response):
        nonce = g.get("csp_nonce", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; font-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
