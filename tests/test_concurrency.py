"""Read-then-write use cases stay correct when requests overlap (SQLite and PostgreSQL).

Without BEGIN IMMEDIATE, SQLite lets two transactions read the same state and both write:
the priority limit is then exceeded and a stale form silently overwrites a newer rating.
"""

from __future__ import annotations

import threading
from collections import Counter

from assessment.extensions import db
from assessment.frameworks import default_framework
from assessment.models import Assessment, Rating, Round, Team
from assessment.scoring import MAX_PRIORITIES, RatingValue
from assessment.services.assessments import (
    ConflictError,
    RatingError,
    save_rating,
    start_assessment,
)

THREADS = 8


def _start(app, world) -> int:
    with app.app_context():
        team = db.session.get(Team, world.team_id)
        return start_assessment(team, db.session.get(Round, world.round_id)).id


def run_concurrently(app, work, expected=(ConflictError, RatingError),
                     count: int = THREADS) -> Counter:
    """Run work(index) in threads released together; count outcomes by class name.

    The expected exceptions count as outcomes; any other is an "unexpected" failure."""
    outcomes: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(count)

    def worker(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                work(index)
                outcome = "ok"
            except expected as error:
                outcome = type(error).__name__
            except Exception as error:  # anything else (e.g. "database is locked") is a failure
                outcome = f"unexpected {type(error).__name__}: {error}"
            finally:
                db.session.remove()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_overlapping_priority_choices_never_exceed_the_limit(app, world):
    assessment_id = _start(app, world)
    challenges = default_framework().challenge_ids

    def choose_priority(index: int) -> None:
        assessment = db.session.get(Assessment, assessment_id)
        save_rating(assessment, challenges[index], RatingValue(level=2, priority=True), 1,
                    f"person {index}")

    outcomes = run_concurrently(app, choose_priority)

    assert outcomes == {"ok": MAX_PRIORITIES, "RatingError": THREADS - MAX_PRIORITIES}
    with app.app_context():
        stored = db.session.query(Rating).filter_by(assessment_id=assessment_id, priority=True)
        assert stored.count() == MAX_PRIORITIES


def test_two_saves_from_the_same_form_version_give_one_success_and_one_conflict(app, world):
    assessment_id = _start(app, world)

    def save_from_version_one(index: int) -> None:
        assessment = db.session.get(Assessment, assessment_id)
        save_rating(assessment, "interactions", RatingValue(level=1 + index % 4,
                    evidence=f"note from person {index}"), 1, f"person {index}")

    outcomes = run_concurrently(app, save_from_version_one)

    assert outcomes == {"ok": 1, "ConflictError": THREADS - 1}
    with app.app_context():
        rating = db.session.query(Rating).filter_by(
            assessment_id=assessment_id, challenge_id="interactions").one()
        assert rating.version == 2
        assert rating.evidence == f"note from {rating.updated_by}"
