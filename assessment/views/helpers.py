"""Small pieces shared by several views."""

from __future__ import annotations

from flask import Response, abort, request
from flask_login import current_user

from ..access import round_or_404
from ..charts import Chart, chart_cache, chart_etag
from ..models import Round
from ..services.organisation import current_round
from ..text import slug


def round_from_query() -> Round:
    """The round named by ?round=ID, else the organisation's current round.

    A malformed id is a 400, another organisation's round a 404, no rounds at all a 404.
    """
    raw = request.args.get("round")
    if raw is not None:
        if not (raw.isascii() and raw.isdigit()):
            abort(400)
        if len(raw) > 9:  # beyond any id the database can hold
            abort(404)
        return round_or_404(int(raw))
    round_ = current_round(current_user.organisation_id)
    if round_ is None:
        abort(404)
    return round_


def no_store(response):
    """Downloads of team data should not sit in shared caches or browser history."""
    response.headers["Cache-Control"] = "no-store"
    return response


def download_name(name: str) -> str:
    """A Content-Disposition value for a server-chosen, slugged file name."""
    stem, _, suffix = name.rpartition(".")
    return f'attachment; filename="{slug(stem, "file", 80)}.{slug(suffix, "bin")}"'


def chart_response(chart: Chart, name: str) -> Response:
    """A chart as PNG from the cache, with its content hash as the ETag, so a browser that
    already has this picture gets a 304; ?download=1 makes it an attachment called name.png."""
    etag = chart_etag(chart, "png")
    if etag in request.if_none_match:
        return Response(status=304)
    response = Response(chart_cache.get_or_render(chart, "png"), mimetype="image/png")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    if request.args.get("download"):
        response.headers["Content-Disposition"] = download_name(f"{name}.png")
        no_store(response)
    return response
