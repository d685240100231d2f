"""A whole trust at once: hundreds of teams, many rounds, their ratings and actions, written
with core insert() statements so that a thousand teams take seconds, not minutes.

Used by the tests that count queries at 10 and at 200 teams, and by `make bench`. The data is
random but seeded, so a given call always builds the same organisation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert

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
)

FIRST_ROUND = date(2020, 3, 1)
ROUND_EVERY = timedelta(days=182)
NOT_RATED_CHANCE = 0.05


@dataclass(frozen=True)
class BulkOrganisation:
    """Ids of what build_organisation wrote; rounds oldest first."""

    organisation_id: int
    unit_ids: list[int]
    team_ids: list[int]
    round_ids: list[int]
    lead_email: str
    viewer_email: str


def _ids(model: type, rows: list[dict[str, object]]) -> list[int]:
    """Insert the rows in one statement and return their new ids in the same order."""
    if not rows:
        return []
    result = db.session.execute(
        insert(model).returning(model.id, sort_by_parameter_order=True), rows
    )
    return list(result.scalars())


def build_organisation(
    name: str,
    teams: int,
    units: int,
    rounds: int,
    actions_per_team: int,
    password_hash: str,
    seed: int = 1,
    not_started: float = 0.05,
) -> BulkOrganisation:
    """An organisation with teams spread over units, rated in every round.

    Earlier rounds are closed and agreed; in the newest (open) round most teams have agreed,
    some are in progress and a share (``not_started``) have not started. About 5% of
    ratings are "not rated".
    A lead and a viewer (emails lead@<slug> and viewer@<slug>) get the given password hash.
    """
    randomness = random.Random(seed)
    challenges = default_framework().challenge_ids
    levels = default_framework().level_values
    slug = name.lower().replace(" ", "-")
    organisation_id = _ids(Organisation, [{"name": name}])[0]
    unit_ids = _ids(Unit, [{"organisation_id": organisation_id, "name": f"{name} unit {u + 1:02d}"}
                           for u in range(units)])
    team_ids = _ids(Team, [
        {"organisation_id": organisation_id, "unit_id": unit_ids[t % units] if units else None,
         "name": f"{name} team {t + 1:04d}"}
        for t in range(teams)
    ])
    round_ids = _ids(Round, [
        {"organisation_id": organisation_id, "name": f"Round {r + 1:02d}",
         "starts_on": FIRST_ROUND + r * ROUND_EVERY,
         "ends_on": FIRST_ROUND + r * ROUND_EVERY + timedelta(days=90),
         "framework_key": default_framework().key,
         "status": RoundStatus.OPEN if r == rounds - 1 else RoundStatus.CLOSED}
        for r in range(rounds)
    ])
    assessments = []
    for number, round_id in enumerate(round_ids):
        newest = number == len(round_ids) - 1
        for team_id in team_ids:
            if newest and randomness.random() < not_started:
                continue  # not started
            in_progress = newest and randomness.random() < 0.2
            assessments.append({
                "round_id": round_id, "team_id": team_id,
                "status": AssessmentStatus.IN_PROGRESS if in_progress else AssessmentStatus.AGREED,
            })
    assessment_ids = _ids(Assessment, assessments)
    ratings = []
    for assessment_id in assessment_ids:
        priorities = set(randomness.sample(challenges, 3))
        for challenge in challenges:
            rated = randomness.random() >= NOT_RATED_CHANCE
            ratings.append({
                "assessment_id": assessment_id, "challenge_id": challenge,
                "level": randomness.choice(levels) if rated else None,
                "target": randomness.choice(levels), "evidence": "",
                "priority": challenge in priorities, "version": 1, "updated_by": "",
            })
    db.session.execute(insert(Rating), ratings)
    statuses = list(ActionStatus)
    today = date.today()
    db.session.execute(insert(Action), [
        {"team_id": team_id, "challenge_id": randomness.choice(challenges),
         "title": f"Action {a + 1} of team {team_id}", "description": "", "lead": "",
         "coproduction": "", "success_measure": "", "review_note": "",
         "starts_on": today - timedelta(days=120),
         "due_on": today + timedelta(days=randomness.randint(-90, 180)),
         "status": randomness.choice(statuses), "version": 1}
        for team_id in team_ids for a in range(actions_per_team)
    ])
    lead, viewer = f"lead@{slug}.example", f"viewer@{slug}.example"
    db.session.execute(insert(User), [
        {"email": email, "name": email.split("@")[0], "password_hash": password_hash,
         "organisation_id": organisation_id, "role": role, "active": True, "session_epoch": 0}
        for email, role in ((lead, Role.LEAD), (viewer, Role.VIEWER))
    ])
    db.session.commit()
    return BulkOrganisation(organisation_id, unit_ids, team_ids, round_ids, lead, viewer)
