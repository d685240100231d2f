"""Pure workshop logic: join codes, who voted for what level, and how far views differ.

Takes plain data (level values, counts, (level, perspective) pairs) and imports neither Flask
nor the database, so the reveal screen and the Excel workbook read the same numbers and the
rules that protect anonymity can be tested without an app.

A vote is a level of the framework's scale or None for "not sure". "Not sure" counts as a
vote cast but takes no part in the median or the spread: it says nothing about the level.
"""

from __future__ import annotations

import enum
import secrets
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

# Crockford-style: no 0/O, 1/I/L look-alikes, so a code read off a projector is typed right.
# 31 characters ** 6 is about 8.9e8 codes: at the join limit of 30 failures per address per
# 10 minutes, guessing any of even a hundred open codes would take years.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
# Votes that run across this many levels (for example 1 to 3) deserve a conversation.
WIDE_SPAN = 3
# Fewer voters than this from one perspective could be singled out, so they are not shown.
MIN_GROUP = 3

NOT_SURE = "not-sure"  # the form value of a "not sure" vote


class Perspective(enum.StrEnum):
    """Whose point of view a participant brings; chosen at joining, optional."""

    STAFF = "staff"
    PEER_WORKER = "peer_worker"
    SERVICE_USER = "service_user"
    CARER = "carer"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "staff": "Staff",
            "peer_worker": "Peer worker",
            "service_user": "Person using services",
            "carer": "Carer, family member or friend",
            "other": "Other",
        }[self.value]


def new_join_code() -> str:
    """A random join code from the unambiguous alphabet (the caller checks it is unused)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(raw: str | None) -> str | None:
    """The code as stored, from what someone typed: any case, spaces or dashes; None if it
    cannot be a code (wrong length or a character the alphabet does not have)."""
    if not raw:
        return None
    code = "".join(raw.split()).replace("-", "").upper()
    if len(code) != JOIN_CODE_LENGTH or any(c not in JOIN_CODE_ALPHABET for c in code):
        return None
    return code


def format_join_code(code: str) -> str:
    """Two groups of three ("ABC 234"), easier to read aloud and off a screen."""
    half = len(code) // 2
    return f"{code[:half]} {code[half:]}"


def parse_vote(raw: str | None, levels: Sequence[int]) -> tuple[bool, int | None]:
    """(valid, level) for a submitted vote: a level on the scale, or None for "not sure"."""
    if raw == NOT_SURE:
        return True, None
    if raw is not None and raw.isascii() and raw.isdigit() and int(raw) in levels:
        return True, int(raw)
    return False, None


@dataclass(frozen=True)
class VoteSummary:
    """How a group voted on one challenge: counts per level in scale order, and "not sure"."""

    levels: tuple[int, ...]
    counts: tuple[int, ...]
    not_sure: int

    @property
    def voters(self) -> int:
        return sum(self.counts) + self.not_sure

    @property
    def rated(self) -> int:
        """Votes that chose a level."""
        return sum(self.counts)

    def _chosen(self) -> list[int]:
        return [level for level, count in zip(self.levels, self.counts, strict=True)
                for _ in range(count)]

    @property
    def median(self) -> float | None:
        chosen = self._chosen()
        return statistics.median(chosen) if chosen else None

    @property
    def lowest(self) -> int | None:
        return next((lv for lv, n in zip(self.levels, self.counts, strict=True) if n), None)

    @property
    def highest(self) -> int | None:
        return next((lv for lv, n in zip(self.levels[::-1], self.counts[::-1], strict=True)
                     if n), None)

    @property
    def span(self) -> int:
        """How many levels the votes run across: 1 when everyone agrees, 0 with no levels."""
        if self.lowest is None or self.highest is None:
            return 0
        return self.levels.index(self.highest) - self.levels.index(self.lowest) + 1

    @property
    def differ_widely(self) -> bool:
        return self.span >= WIDE_SPAN

    def bar(self, count: int) -> int:
        """A bar's length in percent: the most chosen answer fills the bar, so that the
        shape of the votes shows however many people voted."""
        most = max((*self.counts, self.not_sure))
        return round(100 * count / most) if most else 0


def summarise(levels: Sequence[int], counts: Mapping[int | None, int]) -> VoteSummary:
    """A summary from counts keyed by level (None: not sure). Levels off the scale are
    ignored: a framework file may have been edited since the votes were kept."""
    return VoteSummary(
        levels=tuple(levels),
        counts=tuple(counts.get(level, 0) for level in levels),
        not_sure=counts.get(None, 0),
    )


def summarise_votes(levels: Sequence[int], votes: Iterable[int | None]) -> VoteSummary:
    return summarise(levels, Counter(votes))


def format_median(median: float | None, label: Callable[[int], str]) -> str:
    """'3 (Development)', '2.5 (between Engagement and Development)', or 'No level chosen'."""
    if median is None:
        return "No level chosen"
    if median == int(median):
        return f"{int(median)} ({label(int(median))})"
    below, above = int(median), int(median) + 1
    return f"{median:g} (between {label(below)} and {label(above)})"


def describe_spread(summary: VoteSummary, label: Callable[[int], str]) -> str:
    """The spread in plain words, e.g. 'Votes run from 1 (Not yet started) to 3 (Development),
    across 3 levels.'"""
    low, high = summary.lowest, summary.highest
    if low is None or high is None:
        return "Nobody chose a level."
    if low == high:
        return f"Everyone who chose a level chose {low} ({label(low)})."
    return (f"Votes run from {low} ({label(low)}) to {high} ({label(high)}), "
            f"across {summary.span} levels.")


def vote_name(level: int | None, label: Callable[[int], str]) -> str:
    """A vote in words: '3. Development' or 'Not sure'."""
    return "Not sure" if level is None else f"{level}. {label(level)}"


def vote_value(level: int | None) -> str:
    """A vote as the form sends it: the level, or NOT_SURE."""
    return NOT_SURE if level is None else str(level)


def describe_vote(label: str) -> str:
    """What a participant is told once their vote is in (page and script say the same)."""
    return (f"Your vote: {label}. You can change it until the facilitator shows "
            "everyone's votes.")


@dataclass(frozen=True)
class GroupSummary:
    """The votes of one perspective, or of the folded-together 'Other' group."""

    label: str
    summary: VoteSummary


def split_by_perspective(
    levels: Sequence[int], votes: Iterable[tuple[int | None, Perspective]]
) -> list[GroupSummary]:
    """Votes split by perspective, without letting anyone be singled out.

    A perspective is shown on its own only when at least MIN_GROUP people of it voted; the
    others are folded into "Other". If that leaves an "Other" of one or two people, their
    votes could be worked out by subtracting the shown groups from the totals, so the
    smallest shown group is folded in as well, until "Other" is empty or large enough.
    An empty list means no split can be shown safely (or there is only one group).
    """
    groups: dict[Perspective, list[int | None]] = {}
    for level, perspective in votes:
        groups.setdefault(perspective, []).append(level)
    shown = {p: v for p, v in groups.items() if p is not Perspective.OTHER and len(v) >= MIN_GROUP}
    folded = [level for p, v in groups.items() if p not in shown for level in v]
    while 0 < len(folded) < MIN_GROUP and shown:
        smallest = min(shown, key=lambda p: (len(shown[p]), list(Perspective).index(p)))
        folded.extend(shown.pop(smallest))
    if not shown or (len(shown) == 1 and not folded):
        return []
    result = [GroupSummary(p.label, summarise_votes(levels, shown[p]))
              for p in Perspective if p in shown]
    if folded:
        result.append(GroupSummary("Other", summarise_votes(levels, folded)))
    return result
