"""Organisation set-up and overview: units, teams, rounds, and who can see which team."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..database import begin_write
from ..extensions import db
from ..frameworks import default_framework
from ..models import (
    Assessment,
    AssessmentStatus,
    Rating,
    Role,
    Round,
    RoundStatus,
    Team,
    Unit,
    User,
)


class DuplicateNameError(ValueError):
    """The organisation already has something with this name."""


class RoundClosedError(ValueError):
    """A closed round is read-only."""


@dataclass
class TeamStatus:
    team: Team
    status: str  # "Not started", "In progress", "Agreed"
    rated: int = 0


@dataclass
class UnitGroup:
    name: str
    teams: list[TeamStatus] = field(default_factory=list)


def rounds_for(organisation_id: int) -> list[Round]:
    """Newest first."""
    return list(
        db.session.scalars(
            select(Round)
            .where(Round.organisation_id == organisation_id)
            .order_by(Round.starts_on.desc(), Round.id.desc())
        )
    )


def current_round(organisation_id: int) -> Round | None:
    """The newest open round, or the newest round when all are closed."""
    return pick_current(rounds_for(organisation_id))


def pick_current(rounds: list[Round]) -> Round | None:
    """current_round from rounds already loaded newest first (as rounds_for gives them)."""
    return next((r for r in rounds if r.is_open), rounds[0] if rounds else None)


def previous_round(round_: Round) -> Round | None:
    """The round of the same organisation that started most recently before this one."""
    return db.session.scalar(
        select(Round)
        .where(
            Round.organisation_id == round_.organisation_id,
            Round.id != round_.id,
            (Round.starts_on < round_.starts_on)
            | ((Round.starts_on == round_.starts_on) & (Round.id < round_.id)),
        )
        .order_by(Round.starts_on.desc(), Round.id.desc())
        .limit(1)
    )


def visible_teams(user: User) -> list[Team]:
    """Leads see every team of their organisation; facilitators the teams assigned to them."""
    query = select(Team).where(Team.organisation_id == user.organisation_id)
    if not user.is_lead:
        query = query.where(Team.facilitators.any(User.id == user.id))
    return list(db.session.scalars(query.order_by(Team.name)))


def team_overview(user: User, round_: Round | None) -> list[UnitGroup]:
    """The user's teams grouped by unit, each with its assessment status in the round.

    Three queries whatever the number of teams: teams (with units), assessments, rating counts.
    """
    teams = visible_teams(user)
    units = {u.id: u.name for u in db.session.scalars(
        select(Unit).where(Unit.organisation_id == user.organisation_id))}
    statuses: dict[int, Assessment] = {}
    rated: Counter[int] = Counter()
    if round_ is not None and teams:
        assessments = db.session.scalars(select(Assessment).where(Assessment.round_id == round_.id))
        statuses = {a.team_id: a for a in assessments}
        counts = db.session.execute(
            select(Assessment.team_id, func.count(Rating.id))
            .join(Rating, Rating.assessment_id == Assessment.id)
            .where(Assessment.round_id == round_.id, Rating.level.is_not(None))
            .group_by(Assessment.team_id)
        )
        rated.update({team_id: count for team_id, count in counts})
    groups: dict[str, UnitGroup] = {}
    for team in teams:
        name = units.get(team.unit_id, "No unit") if team.unit_id else "No unit"
        assessment = statuses.get(team.id)
        if assessment is None:
            status = "Not started"
        elif assessment.status is AssessmentStatus.AGREED:
            status = "Agreed"
        else:
            status = "In progress"
        groups.setdefault(name, UnitGroup(name)).teams.append(
            TeamStatus(team, status, rated[team.id])
        )
    return sorted(groups.values(), key=lambda g: (g.name == "No unit", g.name.lower()))


def _commit_unique(thing: str) -> None:
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise DuplicateNameError(f"There is already a {thing} with this name") from error


def _add_named(thing: str, record: Unit | Team | Round) -> None:
    """Add and commit a unit, team or round whose name is new to its organisation.

    Names are compared ignoring case: "aurora ward" beside "Aurora Ward" would be two rows for
    one team in every report. The unique constraint still catches two requests at once.
    """
    model = type(record)
    clash = db.session.scalar(select(model.id).where(
        model.organisation_id == record.organisation_id,
        func.lower(model.name) == record.name.lower(),
    ))
    if clash is not None:
        db.session.rollback()
        raise DuplicateNameError(f"There is already a {thing} with this name")
    db.session.add(record)
    _commit_unique(thing)


def add_unit(organisation_id: int, name: str) -> Unit:
    begin_write(db.session)
    unit = Unit(organisation_id=organisation_id, name=name)
    _add_named("unit", unit)
    return unit


def add_team(organisation_id: int, name: str, unit_id: int | None) -> Team:
    begin_write(db.session)
    team = Team(organisation_id=organisation_id, name=name, unit_id=unit_id)
    _add_named("team", team)
    return team


def open_round(organisation_id: int, name: str, starts_on: date, ends_on: date) -> Round:
    """Open a round on the newest version of the default framework."""
    begin_write(db.session)
    round_ = Round(
        organisation_id=organisation_id,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        framework_key=default_framework().key,
        status=RoundStatus.OPEN,
    )
    _add_named("round", round_)
    return round_


def close_round(round_: Round) -> None:
    """Close a round; its assessments become read-only."""
    begin_write(db.session)
    if round_.is_open:
        round_.status = RoundStatus.CLOSED
        round_.closed_at = datetime.now(UTC)
        db.session.commit()


def organisation_people(organisation_id: int) -> list[User]:
    """Everyone with an account in the organisation, with their teams loaded in one query."""
    return list(db.session.scalars(
        select(User).options(selectinload(User.teams))
        .where(User.organisation_id == organisation_id)
        .order_by(User.role, User.email)
    ))


def assign_facilitator(organisation_id: int, user_id: int, team_id: int) -> tuple[User, Team]:
    """Give a facilitator access to a team of the same organisation (idempotent).

    LookupError when either is not in the organisation: ids come from a form and could be forged.
    """
    begin_write(db.session)
    user = db.session.scalar(select(User).where(
        User.id == user_id, User.organisation_id == organisation_id, User.role == Role.FACILITATOR))
    team = db.session.scalar(select(Team).where(
        Team.id == team_id, Team.organisation_id == organisation_id))
    if user is None or team is None:
        db.session.rollback()
        raise LookupError("That facilitator or team is not in your organisation")
    if team not in user.teams:
        user.teams.append(team)
    db.session.commit()
    return user, team
