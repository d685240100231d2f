"""Workshop use cases under overlapping requests (SQLite and PostgreSQL): double taps never
duplicate a vote, no vote lands after its challenge was revealed or the workshop closed, and
the counts kept always match the votes that were acknowledged."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from assessment.extensions import db
from assessment.models import Participant, Round, Team, Vote, VoteTally, Workshop
from assessment.services.assessments import start_assessment
from assessment.services.workshops import (
    Pass,
    VotesRevealedError,
    WorkshopClosedError,
    cast_vote,
    close_workshop,
    join_workshop,
    kept_counts,
    open_challenges,
    reveal_challenge,
    start_workshop,
)
from assessment.votes import Perspective
from tests.builders import World

from .test_concurrency import run_concurrently

FIRST = "interactions"
VOTERS = 12


@pytest.fixture
def workshop_id(app: Flask, world: World) -> int:
    with app.app_context():
        assessment = start_assessment(db.session.get(Team, world.team_id),
                                      db.session.get(Round, world.round_id))
        workshop = start_workshop(assessment, "facilitator")
        open_challenges(workshop, [FIRST], FIRST)
        return workshop.id


def _in_app(app: Flask, fn: Callable):
    with app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def _passes(app: Flask, workshop_id: int, count: int) -> list[Pass]:
    def make() -> list[Pass]:
        code = db.session.get(Workshop, workshop_id).join_code
        return [join_workshop(code, Perspective.STAFF, None) for _ in range(count)]

    return _in_app(app, make)


def _workshop(workshop_id: int) -> Workshop:
    return db.session.get(Workshop, workshop_id)


def _cast(held: Pass, level: str) -> None:
    cast_vote(held, FIRST, level)


def test_starting_twice_at_once_makes_one_workshop(app, world):
    def start(_: int) -> None:
        assessment = start_assessment(db.session.get(Team, world.team_id),
                                      db.session.get(Round, world.round_id))
        start_workshop(assessment, "facilitator")

    assert run_concurrently(app, start) == {"ok": 8}
    assert _in_app(app, lambda: db.session.scalar(select(func.count()).select_from(Workshop))) \
        == 1


def test_the_same_vote_sent_eight_times_at_once_is_stored_once(app, workshop_id):
    held = _passes(app, workshop_id, 1)[0]
    assert run_concurrently(app, lambda _: _cast(held, "3")) == {"ok": 8}
    assert _in_app(app, lambda: db.session.execute(select(Vote.level)).scalars().all()) == [3]


def test_no_vote_lands_after_its_challenge_is_revealed(app, workshop_id):
    passes = _passes(app, workshop_id, VOTERS)

    def vote_or_reveal(index: int) -> None:
        if index == VOTERS // 2:
            reveal_challenge(_workshop(workshop_id), FIRST)
        else:
            _cast(passes[index], str(1 + index % 4))

    outcomes = run_concurrently(app, vote_or_reveal, (VotesRevealedError,), VOTERS)
    assert set(outcomes) <= {"ok", "VotesRevealedError"}, outcomes

    def counts() -> tuple[int, int]:
        stored = db.session.scalar(select(func.count()).select_from(Vote))
        tally = db.session.get(VoteTally, (_workshop(workshop_id).assessment_id, FIRST))
        kept = sum(tally.counts.values()) + tally.not_sure if tally else 0
        return stored, kept

    stored, kept = _in_app(app, counts)
    assert stored == kept == outcomes["ok"] - 1  # the reveal itself was one "ok"


def test_closing_while_people_vote_keeps_every_acknowledged_vote_as_a_count(app, workshop_id):
    passes = _passes(app, workshop_id, VOTERS)

    def vote_or_close(index: int) -> None:
        if index == VOTERS // 2:
            close_workshop(_workshop(workshop_id))
        else:
            _cast(passes[index], "2")

    outcomes = run_concurrently(app, vote_or_close, (WorkshopClosedError,), VOTERS)
    assert set(outcomes) <= {"ok", "WorkshopClosedError"}, outcomes

    def after() -> tuple[int, int, int]:
        participants = db.session.scalar(select(func.count()).select_from(Participant))
        votes = db.session.scalar(select(func.count()).select_from(Vote))
        tally = db.session.scalar(select(VoteTally))
        return participants, votes, tally.counts.get("2", 0) if tally else 0

    assert _in_app(app, after) == (0, 0, outcomes["ok"] - 1)


def test_nobody_joins_a_workshop_as_it_closes(app, workshop_id):
    code = _in_app(app, lambda: _workshop(workshop_id).join_code)

    def join_or_close(index: int) -> None:
        if index == 0:
            close_workshop(_workshop(workshop_id))
        else:
            join_workshop(code, Perspective.CARER, None)

    outcomes = run_concurrently(app, join_or_close, (WorkshopClosedError,))
    assert set(outcomes) <= {"ok", "WorkshopClosedError"}, outcomes
    assert _in_app(app, lambda: db.session.scalar(
        select(func.count()).select_from(Participant))) == 0


def test_kept_counts_come_from_the_latest_reveal_of_each_challenge(app, world, workshop_id):
    passes = _passes(app, workshop_id, 3)
    for held, level in zip(passes, ["1", "1", "not-sure"], strict=True):
        _in_app(app, lambda held=held, level=level: _cast(held, level))
    _in_app(app, lambda: close_workshop(_workshop(workshop_id)))

    def second_workshop() -> int:
        assessment = _workshop(workshop_id).assessment
        workshop = start_workshop(assessment, "facilitator")
        open_challenges(workshop, [FIRST], FIRST)
        return workshop.id

    again = _in_app(app, second_workshop)
    for held in _passes(app, again, 2):
        _in_app(app, lambda held=held: _cast(held, "4"))
    _in_app(app, lambda: reveal_challenge(_workshop(again), FIRST))
    kept = _in_app(app, lambda: kept_counts(db.session.get(Round, world.round_id),
                                            [world.team_id, world.second_team_id]))
    summary = kept[world.team_id][FIRST]
    assert (summary.counts, summary.not_sure) == ((0, 0, 0, 2), 0)
    assert world.second_team_id not in kept
