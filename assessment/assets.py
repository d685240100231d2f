"""Static files that a phone on a weak signal can keep: versioned URLs, cached for a year.

url_for("static", ...) gains ?v=<hash of the file's content>, and a request carrying the
file's current hash is answered with Cache-Control: immutable. The next page then takes its
CSS and scripts from the browser's cache without asking the server again; on an emulated
slow 3G link each question costs about two seconds, which would double the wait for the vote
page. A request without the right hash (for example a module one script imports by path)
keeps Flask's default and is checked with the server each time, so nothing goes stale.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import safe_join

STATIC_MAX_AGE = 365 * 24 * 60 * 60


def init_app(app: Flask) -> None:
    versions: dict[str, tuple[tuple[float, int], str]] = {}

    def version(filename: str) -> str | None:
        """A short hash of the file, recomputed only when its modification time changes."""
        path = safe_join(str(app.static_folder), filename)
        if path is None:
            return None
        try:
            stat = Path(path).stat()
        except OSError:
            return None
        stamp = (stat.st_mtime, stat.st_size)
        known = versions.get(filename)
        if known is None or known[0] != stamp:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
            known = versions[filename] = (stamp, digest)
        return known[1]

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            if found := version(values["filename"]):
                values["v"] = found

    @app.after_request
    def cache_versioned(response: Response) -> Response:
        if (request.endpoint == "static" and response.status_code in (200, 304)
                and request.view_args
                and request.args.get("v") == version(request.view_args["filename"])):
            response.cache_control.public = True
            response.cache_control.max_age = STATIC_MAX_AGE
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
