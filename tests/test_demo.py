"""The seed-demo command and the demo data it writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

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
from assessment.scoring import MAX_PRIORITIES
from assessment.services.accounts import authenticate
from assessment.services.demo import DEMO_TRUSTS, demo_logins, demo_round_periods, seed_demo

BIG, SMALL = DEMO_TRUSTS
TODAY = date(2026, 11, 25)


def _seed(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _organisation(name: str) -> Organisation:
    return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()


def _count(model: type, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _row_counts() -> dict[str, int]:
    models = (Organisation, Unit, Team, User, Round, Assessment, Rating, Action)
    return {model.__name__: _count(model) for model in models}


def _assessments(organisation: Organisation) -> list[Assessment]:
    return list(db.session.scalars(
        select(Assessment).join(Round).where(Round.organisation_id == organisation.id)
    ))


@pytest.fixture
def seeded(app: Flask) -> Iterator[Flask]:
    """The app with demo data written as of TODAY, with an app context pushed."""
    with app.app_context():
        seed_demo(today=TODAY)
        yield app


def test_seed_demo_creates_two_trusts_of_the_planned_size(app, runner):
    _seed(runner)
    with app.app_context():
        assert _count(Organisation) == 2
        big, small = _organisation(BIG.name), _organisation(SMALL.name)
        assert (len(big.units), len(big.teams)) == (3, 12)
        assert (len(small.units), len(small.teams)) == (1, 3)
        assert _count(Round, Round.organisation_id == big.id) == 3
        assert _count(Round, Round.organisation_id == small.id) == 1
        assert all(team.unit is not None for team in big.teams + small.teams)


def test_rounds_run_in_order_and_only_the_latest_is_open(seeded):
    organisation = _organisation(BIG.name)
    rounds = list(db.session.scalars(
        select(Round).where(Round.organisation_id == organisation.id).order_by(Round.starts_on)
    ))
    assert [r.name for r in rounds] == ["Autumn 2025", "Spring 2026", "Autumn 2026"]
    assert [r.status for r in rounds] == [RoundStatus.CLOSED, RoundStatus.CLOSED, RoundStatus.OPEN]
    assert all(r.closed_at is not None for r in rounds[:2]) and rounds[2].closed_at is None
    for earlier, later in zip(rounds, rounds[1:], strict=False):
        assert earlier.ends_on < later.starts_on
    assert rounds[2].starts_on <= TODAY <= rounds[2].ends_on
    assert {r.framework_key for r in rounds} == {default_framework().key}


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 25), ["Autumn 2025", "Spring 2026", "Autumn 2026"]),
        (date(2027, 2, 28), ["Autumn 2025", "Spring 2026", "Autumn 2026"]),
        (date(2027, 3, 1), ["Spring 2026", "Autumn 2026", "Spring 2027"]),
        (date(2027, 8, 31), ["Spring 2026", "Autumn 2026", "Spring 2027"]),
    ],
)
def test_round_periods_end_with_the_one_holding_today(today, expected):
    periods = demo_round_periods(today, 3)
    assert [name for name, _, _ in periods] == expected
    _, starts_on, ends_on = periods[-1]
    assert starts_on <= today <= ends_on


def test_every_assessment_has_one_rating_per_challenge_on_the_scale(seeded):
    framework = default_framework()
    assessments = list(db.session.scalars(select(Assessment)))
    assert assessments
    for assessment in assessments:
        ratings = assessment.ratings
        assert sorted(r.challenge_id for r in ratings) == sorted(framework.challenge_ids)
        assert len(ratings) == 10
        for rating in ratings:
            assert rating.level is None or rating.level in framework.level_values
            assert rating.target is None or rating.target in framework.level_values
            assert rating.level is not None or not rating.priority
        assert sum(r.priority for r in ratings) <= MAX_PRIORITIES


def test_agreed_assessments_are_complete_and_closed_rounds_all_agreed(seeded):
    for assessment in db.session.scalars(select(Assessment)):
        if not assessment.round.is_open:
            assert assessment.is_agreed
        if assessment.is_agreed:
            assert assessment.agreed_at is not None
            assert all(r.level is not None and r.evidence for r in assessment.ratings)
        else:
            assert assessment.agreed_at is None


def test_open_round_has_teams_agreed_in_progress_and_not_started(seeded):
    organisation = _organisation(BIG.name)
    open_round = db.session.scalars(select(Round).where(
        Round.organisation_id == organisation.id, Round.status == RoundStatus.OPEN
    )).one()
    assessments = list(db.session.scalars(
        select(Assessment).where(Assessment.round_id == open_round.id)
    ))
    statuses = Counter(a.status for a in assessments)
    assert statuses[AssessmentStatus.AGREED] >= 3
    assert statuses[AssessmentStatus.IN_PROGRESS] >= 2
    assert 1 <= len(organisation.teams) - len(assessments) <= 2
    for assessment in assessments:
        if not assessment.is_agreed:
            not_rated = sum(r.level is None for r in assessment.ratings)
            assert 1 <= not_rated < len(assessment.ratings)


def test_ratings_improve_unevenly_across_rounds(seeded):
    """Most teams go up overall, some stay put, and at least one challenge drops."""
    organisation = _organisation(BIG.name)
    by_team: dict[int, list[Assessment]] = {}
    for assessment in sorted(_assessments(organisation), key=lambda a: a.round.starts_on):
        by_team.setdefault(assessment.team_id, []).append(assessment)
    rises = drops = 0
    totals_moved = []
    for history in by_team.values():
        levels = [{r.challenge_id: r.level for r in a.ratings} for a in history]
        for before, after in zip(levels, levels[1:], strict=False):
            for challenge_id, level in after.items():
                if level is not None and before[challenge_id] is not None:
                    rises += level > before[challenge_id]
                    drops += level < before[challenge_id]
        first, last = levels[0], levels[-1]
        totals_moved.append(sum(
            (last[c] or 0) - first[c] for c in first if last[c] is not None
        ))
    assert rises > drops >= 1
    assert len(set(totals_moved)) > 3  # teams move by different amounts


def test_evidence_notes_are_varied_plain_sentences(seeded):
    notes = [r.evidence for r in db.session.scalars(select(Rating)) if r.level is not None]
    assert all(note.endswith(".") and len(note) > 30 for note in notes)
    assert len(set(notes)) > len(notes) / 2
    assert not any("lorem" in note.lower() for note in notes)


def test_each_team_has_two_to_four_actions_some_overdue(seeded):
    actions = list(db.session.scalars(select(Action)))
    per_team = Counter(action.team_id for action in actions)
    assert set(per_team) == set(db.session.scalars(select(Team.id)))
    assert all(2 <= count <= 4 for count in per_team.values())
    assert all(a.lead and a.coproduction and a.starts_on and a.due_on for a in actions)
    assert all(a.starts_on <= TODAY and a.starts_on < a.due_on for a in actions)
    assert len({a.status for a in actions}) >= 3
    assert any(a.is_overdue(TODAY) for a in actions)
    assert any(a.status is ActionStatus.DONE for a in actions)


def test_running_twice_changes_nothing(app, runner):
    _seed(runner)
    with app.app_context():
        before = _row_counts()
    output = _seed(runner)
    with app.app_context():
        assert _row_counts() == before
    assert f"{BIG.name} already exists" in output
    assert "Demo data created" not in output


def test_demo_logins_are_printed_and_can_sign_in(app, runner):
    output = _seed(runner)
    with app.app_context():
        logins = demo_logins()
        assert len(logins) == 5
        assert [login.role for login in logins].count(Role.VIEWER) == 1
        for login in logins:
            assert login.email in output and login.password in output
            user = authenticate(login.email, login.password)
            assert user is not None
            assert user.role is login.role
            assert user.organisation.name == login.organisation
            if user.is_viewer:
                assert user.teams == []  # aggregates only: no team of their own
            elif not user.is_lead:
                assert 2 <= len(user.teams) <= 3
                assert {t.organisation_id for t in user.teams} == {user.organisation_id}


def test_if_empty_seeds_an_empty_database(app, runner):
    output = _seed(runner, "--if-empty")
    with app.app_context():
        assert _count(Organisation) == 2
    assert "Demo data created" in output


def test_if_empty_leaves_a_database_with_an_organisation_alone(app, runner):
    with app.app_context():
        db.session.add(Organisation(name="A real trust"))
        db.session.commit()
    output = _seed(runner, "--if-empty")
    with app.app_context():
        assert _count(Organisation) == 1
        assert _count(User) == 0
    assert "no demo data was added" in output
    assert "Demo logins" not in output


def test_if_empty_reprints_the_logins_when_demo_data_exists(app, runner):
    _seed(runner)
    with app.app_context():
        before = _row_counts()
    output = _seed(runner, "--if-empty")
    with app.app_context():
        assert _row_counts() == before
    assert BIG.lead.email in output and BIG.lead.password in output
