"""Jinja set-up: our templates first, then nhsuk-frontend-jinja's macros; autoescape always on."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader

from .config import ROOT


def format_date(value: date | datetime | None) -> str:
    """NHS style dates: 5 March 2027."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def configure_jinja(app: Flask) -> None:
    # Replacing the loader turns off blueprint template folders, which we do not use.
    app.jinja_options = {
        **app.jinja_options,
        "autoescape": True,
        "undefined": ChainableUndefined,
        "loader": ChoiceLoader(
            [FileSystemLoader(ROOT / "templates"), PackageLoader("nhsuk_frontend_jinja")]
        ),
        "trim_blocks": True,
        "lstrip_blocks": True,
    }
    app.jinja_env.filters["nhs_date"] = format_date
    app.jinja_env.globals["asset_path"] = "/static/vendor/nhsuk/assets"


def compile_templates(app: Flask) -> int:
    """Compile every template now (about a second) rather than on first use; returns how many."""
    names = app.jinja_env.list_templates(extensions=["html", "jinja"])
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
