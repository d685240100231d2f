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
from .models import Action, Assessment, Round, Team, Unit, team_facilitators


def require_lead() -> None:
    if not current_user.is_lead:
        abort(403)


def can_use_team(team: Team) -> bool:
    if team.organisation_id != current_user.organisation_id:
        return False
    if current_user.is_lead:
        return True
    return db.session.scalar(
        select(team_facilitators.c.team_id).where(
            team_facilitators.c.team_id == team.id,
            team_facilitators.c.user_id == current_user.id,
        )
    ) is not None


def team_or_404(team_id: int) -> Team:
    team = db.session.scalar(
        select(Team).where(Team.id == team_id, Team.organisation_id == current_user.organisation_id)
    )
    if team is None:
        abort(404)
    if not can_use_team(team):
        abort(403)
    return team


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
    action = db.session.scalar(select(Action).where(Action.id == action_id, Action.team_id == team.id))
    if action is None:
        abort(404)
    return action


def assessment_or_none(team: Team, round_: Round) -> Assessment | None:
    return db.session.scalar(
        select(Assessment).where(Assessment.team_id == team.id, Assessment.round_id == round_.id)
    )
