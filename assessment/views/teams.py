"""A team's page: its ratings against the ten challenges, radar chart and action plan."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import Blueprint, render_template, send_file
from flask_login import current_user, login_required

from ..access import team_or_404
from ..excel import build_team_workbook, plan_filename
from ..forms import ConfirmForm
from ..services.actions import team_actions
from ..services.assessments import team_radar, team_summary
from ..services.dashboard import versus_organisation, versus_radar
from ..services.exports import team_plan
from ..services.organisation import rounds_for
from .helpers import chart_response, no_store, round_from_query

bp = Blueprint("teams", __name__, url_prefix="/teams")


@bp.get("/<int:team_id>")
@login_required
def show(team_id: int):
    team = team_or_404(team_id)
    summary = team_summary(team, round_from_query())
    return render_template(
        "teams/show.html",
        summary=summary,
        rounds=rounds_for(current_user.organisation_id),
        actions=team_actions(team),
        challenge_titles={c.id: f"{c.number}. {c.title}" for c in summary.framework.challenges},
        today=date.today(),
        start_form=ConfirmForm(),
        versus=versus_organisation(summary),
    )


@bp.get("/<int:team_id>/radar.png")
@login_required
def radar_png(team_id: int):
    team = team_or_404(team_id)
    chart = team_radar(team_summary(team, round_from_query()))
    return chart_response(chart, f"{chart.title} radar")


@bp.get("/<int:team_id>/versus-organisation.png")
@login_required
def versus_png(team_id: int):
    """The team beside the organisation median and middle half of teams in the round."""
    summary = team_summary(team_or_404(team_id), round_from_query())
    chart = versus_radar(summary, versus_organisation(summary))
    return chart_response(chart, f"{chart.title} radar")


@bp.get("/<int:team_id>/action-plan.xlsx")
@login_required
def action_plan_xlsx(team_id: int):
    team = team_or_404(team_id)
    plan = team_plan(team, round_from_query())
    response = send_file(
        BytesIO(build_team_workbook(plan)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=plan_filename(plan.team, plan.round),
    )
    return no_store(response)
