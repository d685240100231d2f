"""A team's assessment in a round: starting it, saving ratings safely, agreeing it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..charts import RadarChart, RadarSeries
from ..database import begin_write
from ..extensions import db
from ..frameworks import Framework, get_framework
from ..models import Assessment, AssessmentStatus, Rating, Round, Team
from ..scoring import MAX_PRIORITIES, ChallengeRow, RatingValue, challenge_rows, is_complete
from .organisation import RoundClosedError, previous_round


class ConflictError(ValueError):
    """Someone else saved this since the form was loaded."""


class RatingError(ValueError):
    """A rating that breaks a rule of the assessment (e.g. more than three priorities)."""


class AssessmentAgreedError(ValueError):
    """The assessment has been agreed; reopen it before changing ratings."""


@dataclass
class TeamSummary:
    """Everything the team page, its chart and its workbook show about one round."""

    team: Team
    round: Round
    framework: Framework
    assessment: Assessment | None
    previous_round: Round | None
    rows: list[ChallengeRow]


def framework_of(round_: Round) -> Framework:
    return get_framework(round_.framework_key)


def rating_values(assessment: Assessment | None) -> dict[str, RatingValue]:
    if assessment is None:
        return {}
    return {
        r.challenge_id: RatingValue(r.level, r.target, r.evidence, r.priority)
        for r in assessment.ratings
    }


def load_assessment(team_id: int, round_id: int) -> Assessment | None:
    return db.session.scalar(
        select(Assessment)
        .options(selectinload(Assessment.ratings))
        .where(Assessment.team_id == team_id, Assessment.round_id == round_id)
    )


def team_summary(team: Team, round_: Round) -> TeamSummary:
    """This round's ratings beside the previous round's and the targets."""
    before = previous_round(round_)
    assessment = load_assessment(team.id, round_.id)
    previous = load_assessment(team.id, before.id) if before else None
    framework = framework_of(round_)
    rows = challenge_rows(framework, rating_values(assessment), rating_values(previous))
    return TeamSummary(team, round_, framework, assessment, before, rows)


def start_assessment(team: Team, round_: Round) -> Assessment:
    """The team's assessment for the round, created with every challenge 'not rated yet'.

    Safe to call twice at once: the second caller gets the first one's assessment.
    """
    begin_write(db.session)
    if not round_.is_open:
        raise RoundClosedError("This round is closed, so its assessments cannot be changed")
    existing = load_assessment(team.id, round_.id)
    if existing is not None:
        return existing
    assessment = Assessment(team=team, round=round_)
    assessment.ratings = [Rating(challenge_id=c) for c in framework_of(round_).challenge_ids]
    db.session.add(assessment)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = load_assessment(team.id, round_.id)
        if existing is None:
            raise
        return existing
    return assessment


def _locked_assessment(assessment_id: int) -> Assessment:
    """Reload the assessment inside the write transaction, locking its row on PostgreSQL."""
    return db.session.scalars(
        select(Assessment)
        .where(Assessment.id == assessment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _check_editable(assessment: Assessment) -> None:
    if not assessment.round.is_open:
        raise RoundClosedError("This round is closed, so its ratings cannot be changed")
    if assessment.status is AssessmentStatus.AGREED:
        raise AssessmentAgreedError(
            "This assessment has been agreed. Reopen it before changing ratings"
        )


def save_rating(
    assessment: Assessment,
    challenge_id: str,
    value: RatingValue,
    expected_version: int,
    saved_by: str,
) -> Rating:
    """Record the team's rating of one challenge.

    Raises ConflictError if the rating changed since the form was loaded (version mismatch),
    RatingError for a fourth priority or a level off the scale, RoundClosedError and
    AssessmentAgreedError when the assessment is read-only. Nothing is saved when it raises.
    """
    assessment_id = assessment.id
    begin_write(db.session)
    locked = _locked_assessment(assessment_id)
    try:
        _check_editable(locked)
        framework = framework_of(locked.round)
        for level in (value.level, value.target):
            if level is not None and level not in framework.level_values:
                raise RatingError(f"Level {level} is not on the scale")
        ratings = {r.challenge_id: r for r in locked.ratings}
        rating = ratings.get(challenge_id)
        if rating is None:
            raise RatingError("This challenge is not part of the framework")
        if rating.version != expected_version:
            raise ConflictError(_changed_message(rating))
        other_priorities = sum(
            1 for r in locked.ratings if r.priority and r.challenge_id != challenge_id
        )
        if value.priority and other_priorities >= MAX_PRIORITIES:
            raise RatingError(
                f"The team already has {MAX_PRIORITIES} priorities. "
                "Untick one of them before choosing this one"
            )
        rating.level, rating.target = value.level, value.target
        rating.evidence, rating.priority = value.evidence, value.priority
        rating.updated_by = saved_by
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise ConflictError("Someone else saved this challenge while you were editing") from error
    except Exception:
        db.session.rollback()
        raise
    return rating


def _changed_message(rating: Rating) -> str:
    who = f" by {rating.updated_by}" if rating.updated_by else ""
    return (
        f"This challenge was changed{who} while you were editing. "
        "Their version is shown below; your changes have been kept in the form. "
        "Check both, then save again"
    )


def agree_assessment(assessment: Assessment) -> None:
    """Mark the assessment as agreed once every challenge has a level."""
    begin_write(db.session)
    locked = _locked_assessment(assessment.id)
    try:
        _check_editable(locked)
        framework = framework_of(locked.round)
        if not is_complete(framework, rating_values(locked)):
            raise RatingError(
                f"Rate all {len(framework.challenges)} challenges "
                "before marking the assessment as agreed"
            )
        locked.status = AssessmentStatus.AGREED
        locked.agreed_at = datetime.now(UTC)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def reopen_assessment(assessment: Assessment) -> None:
    """Let the team change an agreed assessment while the round is open."""
    begin_write(db.session)
    locked = _locked_assessment(assessment.id)
    try:
        if not locked.round.is_open:
            raise RoundClosedError("This round is closed, so its assessments cannot be changed")
        locked.status = AssessmentStatus.IN_PROGRESS
        locked.agreed_at = None
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def team_radar(summary: TeamSummary) -> RadarChart:
    """The team's radar: this round, the previous round (if any) and the targets."""
    rows = summary.rows
    series = [RadarSeries(summary.round.name, tuple(row.level for row in rows), "solid")]
    if summary.previous_round is not None and any(row.previous for row in rows):
        series.append(
            RadarSeries(summary.previous_round.name, tuple(row.previous for row in rows), "dashed")
        )
    series.append(RadarSeries("Target", tuple(row.target for row in rows), "dotted"))
    return RadarChart(
        title=f"{summary.team.name}: {summary.round.name}",
        axis_labels=tuple(f"{row.number}. {row.title}" for row in rows),
        series=tuple(series),
        max_level=summary.framework.max_level,
        level_labels=tuple(level.label for level in summary.framework.levels),
    )
