"""A team's action plan: local development projects that carry across rounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, select
from sqlalchemy.orm.exc import StaleDataError

from ..database import begin_write
from ..extensions import db
from ..models import Action, ActionStatus, Team
from .assessments import ConflictError


@dataclass(frozen=True)
class ActionFields:
    """The editable fields of an action, as entered in the form."""

    challenge_id: str
    title: str
    description: str = ""
    lead: str = ""
    coproduction: str = ""
    starts_on: date | None = None
    due_on: date | None = None
    status: ActionStatus = ActionStatus.NOT_STARTED
    success_measure: str = ""
    review_note: str = ""


def team_actions(team: Team) -> list[Action]:
    """Open actions first (soonest due first), then done and stopped ones."""
    closed = case((Action.status.in_([ActionStatus.DONE, ActionStatus.STOPPED]), 1), else_=0)
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.team_id == team.id)
            .order_by(closed, Action.due_on.is_(None), Action.due_on, Action.id)
        )
    )


def add_action(team: Team, fields: ActionFields) -> Action:
    begin_write(db.session)
    action = Action(team_id=team.id, **vars(fields))
    db.session.add(action)
    db.session.commit()
    return action


def update_action(action: Action, fields: ActionFields, expected_version: int) -> Action:
    """Save changes unless someone else saved the action since the form was loaded."""
    action_id = action.id
    begin_write(db.session)
    current = db.session.scalars(
        select(Action)
        .where(Action.id == action_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if current.version != expected_version:
        db.session.rollback()
        raise ConflictError(
            "Someone else changed this action while you were editing. "
            "Their version is saved; your changes are still in the form. "
            "Check both, then save again"
        )
    for name, value in vars(fields).items():
        setattr(current, name, value)
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise ConflictError("Someone else changed this action while you were editing") from error
    return current
