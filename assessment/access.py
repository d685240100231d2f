"""The one place that decides who may see which organisation's data.

Lookups are scoped by organisation inside the query, so an id from another organisation is
simply not found (404). A facilitator in the right organisation but not assigned to the team
gets 403.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from .extensions import db
from .models import Action, Round, Team, Unit, team_facilitators


def require_lead() -> None:
    if not current_user.is_lead:
        abort(403)


def require_dashboard() -> None:
    """The organisation dashboard is for leads (named teams) and viewers (aggregates only).

    Facilitators work on their own teams; their team page shows the organisation median,
    which is the comparison they need without a view over their colleagues' teams.
    """
    if not (current_user.is_lead or current_user.is_viewer):
        abort(403)


def sees_team_names() -> bool:
    """Only leads see teams by name across the organisation; viewers see aggregates."""
    return current_user.is_lead


def can_use_team(team: Team) -> bool:
    if team.organisation_id != current_user.organisation_id:
        return False
    if current_user.is_lead:
        return True
    if current_user.is_viewer:
        return False  # aggregates only, even if someone assigned them to a team
    return (
        db.session.scalar(
            select(team_facilitators.c.team_id).where(
                team_facilitators.c.team_id == team.id,
                team_facilitators.c.user_id == current_user.id,
            )
        )
        is not None
    )


def team_or_404(team_id: int) -> Team:
    team = db.session.scalar(
        select(Team).where(Team.id == team_id, Team.organisation_id == current_user.organisation_id)
    )
    if team is None:
        abort(404)
    if not can_use_team(team):
        abort(403)
    return team


def teams_or_404(team_ids: list[int]) -> list[Team]:
    """The teams with these ids, in the order given; 404 if any is not the organisation's."""
    wanted = set(team_ids)
    teams = {
        team.id: team
        for team in db.session.scalars(
            select(Team).where(
                Team.id.in_(wanted), Team.organisation_id == current_user.organisation_id
            )
        )
    }
    if len(teams) != len(wanted):
        abort(404)
    return [teams[team_id] for team_id in team_ids]


def round_or_404(round_id: int) -> Round:
    round_ = db.session.scalar(
        select(Round).where(
            Round.id == round_id, Round.organisation_id == current_user.organisation_id
        )
    )
    if round_ is None:
        abort(404)
    return round_


def unit_or_404(unit_id: int) -> Unit:
    unit = db.session.scalar(
        select(Unit).where(Unit.id == unit_id, Unit.organisation_id == current_user.organisation_id)
    )
    if unit is None:
        abort(404)
    return unit


def action_or_404(team: Team, action_id: int) -> Action:
    action = db.session.scalar(
        select(Action).where(Action.id == action_id, Action.team_id == team.id)
    )
    if action is None:
        abort(404)
    return action
