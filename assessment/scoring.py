"""Pure scoring: turning stored ratings into the rows that pages, charts and workbooks show.

Takes plain data (the framework and RatingValue mappings) and imports neither Flask nor the
database, so the numbers a team sees on screen and in Excel come from one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .frameworks import Framework

MAX_PRIORITIES = 3


@dataclass(frozen=True)
class RatingValue:
    """What a team recorded for one challenge. level None means not rated yet."""

    level: int | None = None
    target: int | None = None
    evidence: str = ""
    priority: bool = False


@dataclass(frozen=True)
class ChallengeRow:
    """One challenge's line in a team summary."""

    number: int
    challenge_id: str
    title: str
    level: int | None
    level_label: str
    previous: int | None
    change: int | None
    target: int | None
    target_label: str
    priority: bool
    evidence: str


def change_between(level: int | None, previous: int | None) -> int | None:
    """Levels gained (negative: lost) since the previous round; None when either is not rated."""
    if level is None or previous is None:
        return None
    return level - previous


def challenge_rows(
    framework: Framework,
    current: Mapping[str, RatingValue],
    previous: Mapping[str, RatingValue] | None = None,
) -> list[ChallengeRow]:
    """A row per challenge of the framework, in its order, whether rated or not."""
    previous = previous or {}
    rows = []
    for challenge in framework.challenges:
        rating = current.get(challenge.id, RatingValue())
        before = previous.get(challenge.id, RatingValue()).level
        rows.append(
            ChallengeRow(
                number=challenge.number,
                challenge_id=challenge.id,
                title=challenge.title,
                level=rating.level,
                level_label=framework.level_label(rating.level),
                previous=before,
                change=change_between(rating.level, before),
                target=rating.target,
                target_label=framework.level_label(rating.target) if rating.target else "No target",
                priority=rating.priority,
                evidence=rating.evidence,
            )
        )
    return rows


def rated_count(ratings: Mapping[str, RatingValue]) -> int:
    return sum(1 for rating in ratings.values() if rating.level is not None)


def is_complete(framework: Framework, ratings: Mapping[str, RatingValue]) -> bool:
    """All challenges have an agreed level (so the assessment can be marked as agreed)."""
    return all(ratings.get(c, RatingValue()).level is not None for c in framework.challenge_ids)


def describe_change(change: int | None) -> str:
    """Plain words for a change: 'Up 1', 'Down 2', 'No change', or '' when not comparable."""
    if change is None:
        return ""
    if change == 0:
        return "No change"
    return f"{'Up' if change > 0 else 'Down'} {abs(change)}"
