"""A trust for the dashboard tests: North grows to six teams in two units, rated in two rounds.

Plain functions and data (no fixtures), shared by the web and browser tests of the dashboard;
the level patterns are arbitrary but fixed, and the tests recount them independently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from assessment.extensions import db
from assessment.frameworks import default_framework
from assessment.models import ActionStatus, Organisation, Round, Team, Unit
from tests.builders import World, make_action, make_assessment

CHALLENGES = default_framework().challenge_ids
FORMULA_TEAM = '=HYPERLINK("http://example.invalid","Open")'
# North's teams once the trust fixture has run: name -> unit.
BIG_UNIT = "Adult community services"
SMALL_UNIT = "Inpatient wards"
TEAMS = {"Riverside CMHT": BIG_UNIT, "Aurora Ward": BIG_UNIT, "Meadow CMHT": BIG_UNIT,
         FORMULA_TEAM: BIG_UNIT, "Kestrel Ward": SMALL_UNIT, "Heron Ward": SMALL_UNIT}
NOT_STARTED = "Heron Ward"  # no assessment in the current round


def current_level(team: int, challenge: int) -> int | None:
    """A spread of levels, with a few not rated."""
    return None if (team + challenge) % 7 == 6 else (team * 3 + challenge) % 4 + 1


def previous_level(team: int, challenge: int) -> int | None:
    level = current_level(team, challenge)
    return max(1, level - (team + challenge) % 2) if level is not None else 2


@dataclass
class Trust:
    ids: dict[str, int]  # team name -> id
    small_unit_id: int
    current: dict[str, dict[str, int | None]]  # team -> challenge -> level (started teams)
    previous: dict[str, dict[str, int | None]]


def build_trust(world: World) -> Trust:
    """North grows to six teams: four in the big unit, two in a small one; all rated in the
    previous round, all but Heron Ward started in the current one; actions on two teams.
    Call inside an app context."""
    north = db.session.get(Organisation, world.org_id)
    big = db.session.get(Unit, world.unit_id)
    small = Unit(organisation=north, name=SMALL_UNIT)
    db.session.add(small)
    teams = {"Riverside CMHT": db.session.get(Team, world.team_id),
             "Aurora Ward": db.session.get(Team, world.second_team_id)}
    for name, unit in TEAMS.items():
        if name not in teams:
            teams[name] = Team(organisation=north, name=name,
                               unit=big if unit == BIG_UNIT else small)
    db.session.add_all(teams.values())
    current = db.session.get(Round, world.round_id)
    previous = db.session.get(Round, world.previous_round_id)
    now: dict[str, dict[str, int | None]] = {}
    before: dict[str, dict[str, int | None]] = {}
    for t, (name, team) in enumerate(teams.items()):
        before[name] = {c: previous_level(t, i) for i, c in enumerate(CHALLENGES)}
        make_assessment(team, previous, before[name], agreed=True)
        if name != NOT_STARTED:
            now[name] = {c: current_level(t, i) for i, c in enumerate(CHALLENGES)}
            assessment = make_assessment(team, current, now[name], agreed=t % 2 == 0)
            for rating in assessment.ratings[:2]:
                rating.priority = True
    today = date.today()
    make_action(teams["Riverside CMHT"], "Peer worker at ward rounds",
                due_on=today - timedelta(days=3))
    make_action(teams["Riverside CMHT"], "+Recovery college taster", status=ActionStatus.DONE)
    make_action(teams[FORMULA_TEAM], "=1+1", lead="@lead", due_on=today + timedelta(days=9))
    db.session.commit()
    return Trust({name: team.id for name, team in teams.items()}, small.id, now, before)
