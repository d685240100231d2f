"""The organisation dashboard for leads and viewers: where the organisation stands in a round,
trends across rounds, teams compared, chart images and the downloads.

Leads see teams by name; viewers see aggregates only (the services decide, from
sees_team_names()). Routes that name teams (heatmap image, one team's trend, compare) are
403 for viewers. Filters come from the query string and a bad one gets a page that says
which, never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from typing import TypeVar

from flask import Blueprint, Response, abort, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from ..access import (
    require_dashboard,
    round_or_404,
    sees_team_names,
    team_or_404,
    teams_or_404,
    unit_or_404,
)
from ..aggregates import SMALL_GROUP, format_level
from ..charts import Chart
from ..errors import render_error
from ..models import Round, Team, Unit
from ..org_charts import level_shade
from ..services.dashboard import (
    COMPARE_MAX,
    COMPARE_MESSAGE,
    COMPARE_MIN,
    STATUS_LABELS,
    Dashboard,
    FilterError,
    HeatmapView,
    Scope,
    TeamInfo,
    compare,
    compare_radar,
    dashboard,
    distribution_chart,
    heatmap_chart,
    heatmap_view,
    make_scope,
    organisation_radar,
    team_trend_chart,
    teams_in,
    trend_chart,
    trends,
    units_of,
)
from ..services.org_exports import SMALL_GROUP_MESSAGE, org_workbook_bytes, tidy_csv
from ..services.organisation import pick_current, rounds_for
from .helpers import chart_response, no_store

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

_ID = re.compile(r"\d{1,9}")  # larger numbers are no id of ours (and overflow PostgreSQL)
T = TypeVar("T")


@bp.before_request
@login_required
def leads_and_viewers() -> None:
    require_dashboard()


@bp.errorhandler(FilterError)
def filter_error(error: FilterError):
    return render_error(error.status, error.message)


@bp.app_template_filter("level")
def level_filter(value: float | None) -> str:
    return format_level(value)


# --- reading the filters --------------------------------------------------------------------


def _id(name: str, noun: str) -> int | None:
    raw = request.args.get(name, "")
    if raw == "":
        return None
    if not _ID.fullmatch(raw):
        raise FilterError(400, f"Choose a {noun} from the list")
    return int(raw)


def _found(lookup: Callable[[int], T], id_: int, noun: str) -> T:
    """The access helper's scoped lookup, with a message that says what was not found."""
    try:
        return lookup(id_)
    except NotFound:
        raise FilterError(404, f"There is no such {noun} in your organisation. "
                               f"Choose a {noun} from the list") from None


def _round(rounds: list[Round] | None = None) -> Round:
    """?round=, else the current round (picked from ``rounds`` when the page has them)."""
    round_id = _id("round", "round")
    if round_id is not None:
        return _found(round_or_404, round_id, "round")
    if rounds is None:
        rounds = rounds_for(current_user.organisation_id)
    round_ = pick_current(rounds)
    if round_ is None:
        raise FilterError(404, "Your organisation has not opened a round yet, so there is "
                               "nothing to show")
    return round_


def _unit() -> Unit | None:
    unit_id = _id("unit", "unit")
    return None if unit_id is None else _found(unit_or_404, unit_id, "unit")


def _scope(rounds: list[Round] | None = None) -> Scope:
    return make_scope(_round(rounds), _unit(), sees_team_names())


def _named_team() -> TeamInfo | None:
    """?team= for one team's trend: leads only (viewers never open a named team)."""
    team_id = _id("team", "team")
    if team_id is None:
        return None
    _leads_only()
    team = _found(team_or_404, team_id, "team")
    return TeamInfo(team.id, team.name, team.unit.name if team.unit else "")


def _compare_ids() -> list[int]:
    ids: list[int] = []
    for raw in request.args.getlist("team"):
        if not _ID.fullmatch(raw):
            raise FilterError(400, "Choose the teams to compare from the list")
        if int(raw) not in ids:
            ids.append(int(raw))
    return ids


def _compare_teams(ids: list[int]) -> list[Team]:
    """The organisation's teams with these ids; FilterError 404 if any is someone else's."""
    try:
        return teams_or_404(ids)
    except NotFound:
        raise FilterError(404, "One or more of these teams is not in your organisation. "
                               "Choose the teams to compare from the list") from None


def _leads_only() -> None:
    if not sees_team_names():
        abort(403)


def _too_small(unit: Unit | None) -> bool:
    """Viewers are not shown a group of fewer than SMALL_GROUP teams apart."""
    return (not sees_team_names()
            and len(teams_in(current_user.organisation_id, unit)) < SMALL_GROUP)


def _check_group(unit: Unit | None) -> None:
    if _too_small(unit):
        raise FilterError(404, SMALL_GROUP_MESSAGE)


def _heatmap_view() -> HeatmapView:
    return heatmap_view(request.args.get("sort"), request.args.get("dir"),
                        request.args.get("status"), request.args.get("page"))


def _no_rounds():
    return render_template("dashboard/no_rounds.html", named=sees_team_names())


def _common(rounds: list[Round] | None = None) -> dict[str, object]:
    """What every dashboard page's filter form needs (rounds, when already loaded)."""
    organisation_id = current_user.organisation_id
    return {"rounds": rounds_for(organisation_id) if rounds is None else rounds,
            "units": units_of(organisation_id), "named": sees_team_names(),
            "small_group_message": SMALL_GROUP_MESSAGE}


# --- pages ----------------------------------------------------------------------------------


@bp.get("/")
def index():
    rounds = rounds_for(current_user.organisation_id)
    if not rounds:
        return _no_rounds()
    scope = _scope(rounds)
    view = _heatmap_view()
    board = dashboard(scope, view)

    def link(**changes: object) -> str:
        """This page's URL with some heatmap settings changed, kept on the heatmap."""
        args = {"round": scope.round.id, "unit": scope.unit.id if scope.unit else None,
                "sort": view.sort, "dir": "desc" if view.descending else None,
                "status": view.status, "page": None} | changes
        return url_for(".index", **{k: v for k, v in args.items() if v}) + "#heatmap"

    return render_template("dashboard/index.html", board=board, scope=scope, link=link,
                           statuses=STATUS_LABELS, shade=level_shade, **_common(rounds))


@bp.get("/trends")
def trends_page():
    unit = _unit()
    team = _named_team()
    hidden = _too_small(unit)
    result = trends(current_user.organisation_id, current_user.organisation.name, unit,
                    sees_team_names(), team)
    if result is None:
        return _no_rounds()
    teams = teams_in(current_user.organisation_id) if sees_team_names() else []
    return render_template("dashboard/trends.html", result=result, unit=unit, hidden=hidden,
                           teams=teams, **_common())


@bp.get("/compare")
def compare_page():
    _leads_only()
    rounds = rounds_for(current_user.organisation_id)
    round_ = _round(rounds)
    ids = _compare_ids()
    result, error = None, None
    if ids and not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
        error = COMPARE_MESSAGE
    elif ids:
        result = compare(round_, _compare_teams(ids))
    page = render_template("dashboard/compare.html", round=round_, result=result, error=error,
                           chosen=ids, teams=teams_in(current_user.organisation_id),
                           limits=(COMPARE_MIN, COMPARE_MAX), **_common(rounds))
    return page, 400 if error else 200


# --- chart images ---------------------------------------------------------------------------


def _board_chart(build: Callable[[Dashboard], Chart], view: HeatmapView | None = None) -> Chart:
    board = dashboard(_scope(), view)
    if board.hidden:
        raise FilterError(404, SMALL_GROUP_MESSAGE)
    return build(board)


def _trend_chart(named_team: bool) -> Chart:
    unit = _unit()
    team = None
    if named_team:
        _leads_only()
        team = _named_team()
        if team is None:
            raise FilterError(400, "Choose a team to see its levels across rounds")
    _check_group(unit)
    result = trends(current_user.organisation_id, current_user.organisation.name, unit,
                    sees_team_names(), team)
    if result is None:
        raise FilterError(404, "Your organisation has not opened a round yet")
    return team_trend_chart(result) if named_team else trend_chart(result)


def _compare_chart() -> Chart:
    _leads_only()
    ids = _compare_ids()
    if not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
        raise FilterError(400, COMPARE_MESSAGE)
    return compare_radar(compare(_round(), _compare_teams(ids)))


def _heatmap_chart() -> Chart:
    _leads_only()
    return _board_chart(heatmap_chart, _heatmap_view())


CHARTS: dict[str, Callable[[], Chart]] = {
    "radar": lambda: _board_chart(organisation_radar),
    "distribution": lambda: _board_chart(distribution_chart),
    "heatmap": _heatmap_chart,
    "trend": lambda: _trend_chart(named_team=False),
    "team-trend": lambda: _trend_chart(named_team=True),
    "compare": _compare_chart,
}


@bp.get("/charts/<any(radar, distribution, heatmap, trend, 'team-trend', compare):name>.png")
def chart_png(name: str) -> Response:
    chart = CHARTS[name]()
    return chart_response(chart, f"{chart.title} {name}")


# --- downloads ------------------------------------------------------------------------------


@bp.get("/organisation.xlsx")
def workbook():
    name, content = org_workbook_bytes(_scope())
    response = send_file(
        BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True, download_name=name)
    return no_store(response)


@bp.get("/ratings.csv")
def ratings_csv():
    unit = _unit()
    _check_group(unit)
    name, text = tidy_csv(current_user.organisation_id, current_user.organisation.name, unit,
                          sees_team_names())
    response = send_file(BytesIO(text.encode("utf-8")), mimetype="text/csv",
                         as_attachment=True, download_name=name)
    return no_store(response)
