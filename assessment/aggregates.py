"""Pure aggregates over many teams: spreads (medians, quartiles, distributions), change between
rounds, priorities, action counts, heatmap rows, and the one-sentence summaries beside charts.

Imports neither Flask nor the database. Spreads are computed from level histograms (how many
teams are at each level) because that is what the database returns when it does the counting:
a round of a thousand teams arrives as forty numbers per challenge, not ten thousand rows.

The small-group rule lives here too: figures about fewer than SMALL_GROUP teams are not shown
to people who may only see aggregates, so that no team can be picked out through a filter.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

SMALL_GROUP = 3

SortKey = Literal["name", "unit", "mean"]
SORT_KEYS: tuple[SortKey, ...] = ("name", "unit", "mean")


@dataclass(frozen=True)
class Spread:
    """How the teams of a group are spread over the scale for one challenge.

    ``counts`` follows ``levels`` (lowest first). Quartiles interpolate between teams, as
    spreadsheets' QUARTILE.INC does, so the median of 2 and 3 is 2.5. They are None when no
    team is rated.
    """

    levels: tuple[int, ...]
    counts: tuple[int, ...]
    not_rated: int
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None

    @property
    def rated(self) -> int:
        return sum(self.counts)

    @property
    def teams(self) -> int:
        return self.rated + self.not_rated

    @property
    def most_common(self) -> int | None:
        """The level most teams are at (the lower one on a tie), or None when none is rated."""
        if not self.rated:
            return None
        return max(zip(self.counts, self.levels, strict=True), key=lambda c: (c[0], -c[1]))[1]


def quantile(levels: Sequence[int], counts: Sequence[int], q: float) -> float | None:
    """The q-quantile (0..1) of the teams' levels, read from a histogram; None if empty."""
    total = sum(counts)
    if total == 0:
        return None
    position = q * (total - 1)
    below, fraction = int(math.floor(position)), position - math.floor(position)
    return _nth(levels, counts, below) + fraction * (
        _nth(levels, counts, min(below + 1, total - 1)) - _nth(levels, counts, below)
    )


def _nth(levels: Sequence[int], counts: Sequence[int], index: int) -> int:
    """The level of the index-th team (from 0) when teams are lined up lowest first."""
    seen = 0
    for level, count in zip(levels, counts, strict=True):
        seen += count
        if index < seen:
            return level
    raise IndexError(index)


def spread_from_counts(levels: Sequence[int], counts: Mapping[int, int], teams: int) -> Spread:
    """A Spread from {level: teams at that level} for a group of ``teams`` teams.

    Levels not on the scale are ignored (a round's framework fixes the scale); teams in the
    group without a level for the challenge count as not rated.
    """
    histogram = tuple(counts.get(level, 0) for level in levels)
    return Spread(
        levels=tuple(levels),
        counts=histogram,
        not_rated=max(teams - sum(histogram), 0),
        median=quantile(levels, histogram, 0.5),
        lower_quartile=quantile(levels, histogram, 0.25),
        upper_quartile=quantile(levels, histogram, 0.75),
    )


def spread_of(levels: Sequence[int], values: Iterable[int | None]) -> Spread:
    """A Spread of individual teams' levels (None: not rated)."""
    counts: dict[int, int] = {}
    teams = 0
    for value in values:
        teams += 1
        if value is not None:
            counts[value] = counts.get(value, 0) + 1
    return spread_from_counts(levels, counts, teams)


def shown(teams: int, named: bool) -> bool:
    """May a figure about this many teams be shown? Always to people who see teams by name."""
    return named or teams >= SMALL_GROUP


def visible_spread(spread: Spread, named: bool) -> Spread | None:
    """The spread, or None when too few teams are rated to show it to this audience."""
    return spread if shown(spread.rated, named) else None


@dataclass(frozen=True)
class Change:
    """Teams rated in both rounds whose level went up, stayed the same, or went down."""

    up: int = 0
    same: int = 0
    down: int = 0

    @property
    def compared(self) -> int:
        return self.up + self.same + self.down


def change_from_counts(counts: Mapping[int, int]) -> Change:
    """A Change from {direction: teams}, direction being 1 (up), 0 (same) or -1 (down)."""
    return Change(up=counts.get(1, 0), same=counts.get(0, 0), down=counts.get(-1, 0))


@dataclass(frozen=True)
class ActionCounts:
    """Actions on one challenge: open ones (not started or in progress), overdue ones among
    them, and done ones. Stopped actions are counted nowhere."""

    open: int = 0
    overdue: int = 0
    done: int = 0


@dataclass(frozen=True)
class TeamRow:
    """One team in a round, as the heatmap and completion lists show it.

    ``mean`` is the mean of its rated levels (None when nothing is rated: never a mean of
    zero); ``levels`` is filled in only for the teams a page actually shows.
    """

    team_id: int
    team: str
    unit: str
    status: str
    mean: float | None
    rated: int
    levels: tuple[int | None, ...] = ()


def sort_team_rows(rows: Iterable[TeamRow], key: SortKey, descending: bool) -> list[TeamRow]:
    """Rows by team name, by unit (then name), or by mean level; teams with nothing rated
    come last whichever way the means are sorted, since they have no place on that scale."""
    ordered = sorted(rows, key=lambda row: (row.team.casefold(), row.team_id))
    if key == "unit":
        ordered.sort(key=lambda row: (row.unit == "", row.unit.casefold()), reverse=descending)
    elif key == "mean":
        rated = [row for row in ordered if row.mean is not None]
        rated.sort(key=lambda row: row.mean or 0.0, reverse=descending)
        ordered = rated + [row for row in ordered if row.mean is None]
    elif descending:
        ordered.reverse()
    return ordered


# --- one-sentence summaries -----------------------------------------------------------------


def format_level(value: float | None) -> str:
    """A level or a median for people: '3', '2.5', '2.33'; an en dash when there is none."""
    if value is None:
        return "–"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _quoted(titles: Sequence[str], indexes: Iterable[int], most: int = 3) -> str:
    """'A', 'A' and 'B', 'A', 'B' and 'C'; beyond ``most`` names, "5 challenges"."""
    names = [f"'{titles[i]}'" for i in indexes]
    if len(names) > most:
        return _count(len(names), "challenge")
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def describe_medians(
    titles: Sequence[str],
    medians: Sequence[float | None],
    previous: Sequence[float | None] | None = None,
    previous_name: str | None = None,
) -> str:
    """E.g. "The median team is highest on 'Workforce' (3) and lowest on 'Risk' (1); since
    Autumn 2026 the median rose on 2 challenges, stayed the same on 7 and fell on 1."."""
    known = [i for i, median in enumerate(medians) if median is not None]
    if not known:
        return "Too few teams have rated any challenge to show a median."
    top = max(medians[i] for i in known)  # type: ignore[type-var]
    bottom = min(medians[i] for i in known)  # type: ignore[type-var]
    if top == bottom:
        sentence = f"The median team is at level {format_level(top)} on every challenge shown"
    else:
        highest = [i for i in known if medians[i] == top]
        lowest = [i for i in known if medians[i] == bottom]
        sentence = (
            f"The median team is highest on {_quoted(titles, highest)} ({format_level(top)}) "
            f"and lowest on {_quoted(titles, lowest)} ({format_level(bottom)})"
        )
    if previous is not None and previous_name:
        pairs = [(now, before) for now, before in zip(medians, previous, strict=True)
                 if now is not None and before is not None]
        if pairs:
            rose = sum(1 for now, before in pairs if now > before)
            fell = sum(1 for now, before in pairs if now < before)
            sentence += (
                f"; since {previous_name} the median rose on {_count(rose, 'challenge')}, "
                f"stayed the same on {len(pairs) - rose - fell} and fell on {fell}"
            )
    return sentence + "."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def describe_distribution(
    titles: Sequence[str], spreads: Sequence[Spread | None], level_labels: Sequence[str]
) -> str:
    """Which level most teams are at across the challenges, and where most are not started."""
    shown_spreads = [(i, s) for i, s in enumerate(spreads) if s is not None and s.rated]
    if not shown_spreads:
        return "Too few teams have rated any challenge to show how they are spread."
    commonest: dict[int, int] = {}
    for _, spread in shown_spreads:
        level = spread.most_common
        if level is not None:
            commonest[level] = commonest.get(level, 0) + 1
    level, times = max(commonest.items(), key=lambda item: (item[1], -item[0]))
    label = level_labels[shown_spreads[0][1].levels.index(level)]
    lowest = shown_spreads[0][1].levels[0]
    index, spread = max(shown_spreads, key=lambda item: (item[1].counts[0], -item[0]))
    sentence = (f"On {times} of {len(shown_spreads)} challenges most teams are at level "
                f"{level} ({label})")
    if spread.counts[0]:
        sentence += (f"; '{titles[index]}' has the most teams at level {lowest} "
                     f"({spread.counts[0]} of {spread.rated})")
    return sentence + "."


def describe_change(titles: Sequence[str], changes: Sequence[Change | None],
                    previous_name: str | None) -> str:
    """How many team-challenge levels rose and fell since the previous round, and where most."""
    if previous_name is None:
        return "This is the organisation's first round, so there is nothing to compare with yet."
    known = [(i, c) for i, c in enumerate(changes) if c is not None and c.compared]
    if not known:
        return f"Too few teams rated the same challenges in {previous_name} to compare."
    up = sum(c.up for _, c in known)
    down = sum(c.down for _, c in known)
    best = max(known, key=lambda item: (item[1].up - item[1].down, -item[0]))
    return (f"Since {previous_name}, teams moved up a level or more {_count(up, 'time')} and "
            f"down {_count(down, 'time')}; '{titles[best[0]]}' improved most.")


def describe_priorities(titles: Sequence[str], priorities: Sequence[int | None]) -> str:
    """Which challenges teams most often chose as priorities."""
    known = [(i, p) for i, p in enumerate(priorities) if p]
    if not known:
        return "No team has chosen a priority yet."
    top = max(p for _, p in known)
    leaders = [i for i, p in known if p == top]
    each = " each" if len(leaders) > 1 else ""
    return (f"Teams most often chose {_quoted(titles, leaders)} as a priority "
            f"({_count(top, 'team')}{each}).")


def describe_heatmap(rows: Sequence[TeamRow]) -> str:
    """How many teams have rated anything, and the range of their mean levels."""
    means = [row.mean for row in rows if row.mean is not None]
    if not means:
        return f"None of the {_count(len(rows), 'team')} has rated a challenge yet."
    return (f"{len(means)} of {_count(len(rows), 'team')} have rated at least one challenge; "
            f"their mean levels range from {format_level(min(means))} "
            f"to {format_level(max(means))}.")


def describe_trend(
    round_names: Sequence[str], medians: Sequence[Sequence[float | None]],
    subject: str = "the median",
) -> str:
    """Per challenge, the first and last round with a value: how many rose, held or fell.

    ``medians`` holds a row per challenge and a column per round, oldest round first; the
    subject names whose values they are ("the median", "Riverside's level").
    """
    rose = held = fell = 0
    for row in medians:
        known = [m for m in row if m is not None]
        if len(known) < 2:
            continue
        rose += known[-1] > known[0]
        fell += known[-1] < known[0]
        held += known[-1] == known[0]
    if rose + held + fell == 0:
        return "There are not yet two rounds with medians to compare."
    return (f"From {round_names[0]} to {round_names[-1]} {subject} rose on "
            f"{_count(rose, 'challenge')}, stayed the same on {held} and fell on {fell}.")


def compare_to_median(
    levels: Sequence[int | None], medians: Sequence[float | None]
) -> tuple[int, int, int]:
    """(above, level with, below) the median, over challenges where both are known."""
    pairs = [(level, median) for level, median in zip(levels, medians, strict=True)
             if level is not None and median is not None]
    above = sum(1 for level, median in pairs if level > median)
    below = sum(1 for level, median in pairs if level < median)
    return above, len(pairs) - above - below, below


def describe_versus(name: str, levels: Sequence[int | None],
                    medians: Sequence[float | None]) -> str:
    """Where one team stands against the organisation median."""
    above, level, below = compare_to_median(levels, medians)
    if above + level + below == 0:
        return f"{name} cannot be compared with the organisation median yet."
    return (f"{name} is above the organisation median on {_count(above, 'challenge')}, "
            f"level with it on {level} and below it on {below}.")


def describe_comparison(names: Sequence[str], levels: Sequence[Sequence[int | None]],
                        medians: Sequence[float | None]) -> str:
    """For each compared team, on how many challenges it is above the organisation median."""
    parts = []
    for name, team_levels in zip(names, levels, strict=True):
        above, level, below = compare_to_median(team_levels, medians)
        parts.append(f"{name} on {above} of {above + level + below}")
    return "Challenges above the organisation median: " + "; ".join(parts) + "."
