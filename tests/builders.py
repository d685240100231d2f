"""Builders for test data: small, explicit, and close to what a real trust would have."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from werkzeug.security import generate_password_hash

from assessment.extensions import db
from assessment.frameworks import default_framework
from assessment.models import (
    Action,
    ActionStatus,
    Assessment,
    AssessmentStatus,
    Organisation,
    Rating,
    Role,
    Round,
    RoundStatus,
    Team,
    Unit,
    User,
    Workshop,
    WorkshopChallenge,
)

PASSWORD = "correct horse battery"


@cache
def _password_hash() -> str:
    """Hash once per test run: the real KDF is deliberately slow."""
    return generate_password_hash(PASSWORD)


@dataclass
class World:
    """Ids of what build_world made (plain ints, usable outside the app context)."""

    org_id: int
    other_org_id: int
    unit_id: int
    team_id: int
    second_team_id: int
    other_team_id: int
    round_id: int
    previous_round_id: int
    other_round_id: int
    lead_email: str = "lead@north.example.nhs.uk"
    facilitator_email: str = "facilitator@north.example.nhs.uk"
    other_lead_email: str = "lead@south.example.nhs.uk"
    password: str = PASSWORD


def make_user(organisation: Organisation, email: str, role: Role, teams: list[Team] = ()) -> User:
    user = User(email=email, name=email.split("@")[0], organisation=organisation, role=role)
    user.password_hash = _password_hash()
    user.teams = list(teams)
    db.session.add(user)
    return user


def make_round(
    organisation: Organisation,
    name: str,
    starts: date,
    ends: date,
    status: RoundStatus = RoundStatus.OPEN,
) -> Round:
    round_ = Round(
        organisation=organisation,
        name=name,
        starts_on=starts,
        ends_on=ends,
        framework_key=default_framework().key,
        status=status,
    )
    db.session.add(round_)
    return round_


def make_assessment(
    team: Team, round_: Round, levels: dict[str, int | None] | None = None, agreed: bool = False
) -> Assessment:
    """An assessment with a rating row per challenge; levels default to 'not rated'."""
    levels = levels or {}
    assessment = Assessment(
        team=team,
        round=round_,
        status=AssessmentStatus.AGREED if agreed else AssessmentStatus.IN_PROGRESS,
    )
    assessment.ratings = [
        Rating(challenge_id=c, level=levels.get(c)) for c in default_framework().challenge_ids
    ]
    db.session.add(assessment)
    return assessment


def make_workshop(
    assessment: Assessment, code: str = "ABC234", opened: tuple[str, ...] = ("interactions",)
) -> Workshop:
    """An open workshop on the assessment with these challenges open for voting."""
    workshop = Workshop(
        assessment=assessment, join_code=code, current_challenge_id=opened[0] if opened else None
    )
    workshop.challenges = [WorkshopChallenge(challenge_id=c) for c in opened]
    db.session.add(workshop)
    return workshop


def make_action(team: Team, title: str = "Peer worker at ward rounds", **fields) -> Action:
    values = {"challenge_id": "workforce", "status": ActionStatus.IN_PROGRESS, **fields}
    action = Action(team=team, title=title, **values)
    db.session.add(action)
    return action


def build_world() -> World:
    """Two trusts. North has a unit, two teams, a closed and an open round; South one team."""
    north = Organisation(name="North Trust")
    south = Organisation(name="South Trust")
    unit = Unit(organisation=north, name="Adult community services")
    team = Team(organisation=north, unit=unit, name="Riverside CMHT")
    second = Team(organisation=north, unit=unit, name="Aurora Ward")
    other = Team(organisation=south, name="Harbour Crisis Team")
    db.session.add_all([north, south, unit, team, second, other])
    previous = make_round(
        north, "Autumn 2026", date(2026, 9, 1), date(2026, 11, 30), RoundStatus.CLOSED
    )
    current = make_round(north, "Spring 2027", date(2027, 3, 1), date(2027, 5, 31))
    other_round = make_round(south, "Spring 2027", date(2027, 3, 1), date(2027, 5, 31))
    make_user(north, World.lead_email, Role.LEAD)
    make_user(north, World.facilitator_email, Role.FACILITATOR, [team])
    make_user(south, World.other_lead_email, Role.LEAD)
    db.session.commit()
    return World(
        org_id=north.id,
        other_org_id=south.id,
        unit_id=unit.id,
        team_id=team.id,
        second_team_id=second.id,
        other_team_id=other.id,
        round_id=current.id,
        previous_round_id=previous.id,
        other_round_id=other_round.id,
    )
