"""The organisation dashboard, trends and compare: a round's numbers for a whole organisation.

The database does the counting. A round of a thousand teams comes back as level histograms
(round x challenge x level), change counts and action counts, plus one short row per team,
so each page runs the same dozen small queries whether the organisation has ten teams or a
thousand (tests count them). Per-team levels are fetched only for the teams a page shows.

Who sees what is decided here, from the Scope's ``named`` flag: leads see teams by name;
everyone else gets aggregates only, and groups of fewer than SMALL_GROUP teams are hidden.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import aliased

from ..aggregates import (
    SORT_KEYS,
    ActionCounts,
    Change,
    SortKey,
    Spread,
    TeamRow,
    change_from_counts,
    describe_change,
    describe_comparison,
    describe_distribution,
    describe_heatmap,
    describe_medians,
    describe_priorities,
    describe_trend,
    describe_versus,
    shown,
    sort_team_rows,
    spread_from_counts,
    visible_spread,
)
from ..charts import RadarBand, RadarChart, RadarSeries
from ..extensions import db
from ..frameworks import Framework
from ..models import Action, ActionStatus, Assessment, AssessmentStatus, Rating, Round, Team, Unit
from ..org_charts import DistributionChart, HeatmapChart, TrendChart, TrendLine
from .assessments import TeamSummary, framework_of
from .organisation import previous_round, rounds_for

HEATMAP_PAGE_SIZE = 50  # rows a person can scan on one screen or two
COMPARE_MIN, COMPARE_MAX = 2, 6
COMPARE_MESSAGE = f"Choose between {COMPARE_MIN} and {COMPARE_MAX} teams to compare"
NOT_STARTED = "not_started"
STATUS_LABELS = {
    AssessmentStatus.AGREED.value: "Agreed",
    AssessmentStatus.IN_PROGRESS.value: "In progress",
    NOT_STARTED: "Not started",
}
ALL_UNITS = "All units"


class FilterError(Exception):
    """A filter that cannot be used (unknown round or unit, malformed id): status + message.

    Not a ValueError, so that code catching bad chart data never swallows a 404 by mistake.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Scope:
    """Whose numbers: one round of an organisation, perhaps one unit, for one audience."""

    organisation_id: int
    organisation: str
    round: Round
    previous: Round | None
    unit: Unit | None
    named: bool  # may see teams by name (organisation leads)
    framework: Framework

    @property
    def label(self) -> str:
        return self.unit.name if self.unit else ALL_UNITS

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(f"{c.number}. {c.title}" for c in self.framework.challenges)

    @property
    def level_labels(self) -> tuple[str, ...]:
        return tuple(level.label for level in self.framework.levels)

    @property
    def level_headings(self) -> tuple[str, ...]:
        return tuple(f"{level.value}. {level.label}" for level in self.framework.levels)


def make_scope(round_: Round, unit: Unit | None, named: bool) -> Scope:
    return Scope(
        organisation_id=round_.organisation_id,
        organisation=round_.organisation.name,
        round=round_,
        previous=previous_round(round_),
        unit=unit,
        named=named,
        framework=framework_of(round_),
    )


@dataclass(frozen=True)
class TeamInfo:
    id: int
    name: str
    unit: str  # "" when the team has no unit


def units_of(organisation_id: int) -> list[tuple[int, str, int]]:
    """(id, name, number of teams) for each unit, by name: the unit filter's choices."""
    return [
        (unit_id, name, teams)
        for unit_id, name, teams in db.session.execute(
            select(Unit.id, Unit.name, func.count(Team.id))
            .outerjoin(Team, Team.unit_id == Unit.id)
            .where(Unit.organisation_id == organisation_id)
            .group_by(Unit.id, Unit.name)
            .order_by(Unit.name)
        )
    ]


def teams_in(organisation_id: int, unit: Unit | None = None) -> list[TeamInfo]:
    """The organisation's teams (or one unit's), by name, in one query."""
    query = (
        select(Team.id, Team.name, Unit.name)
        .outerjoin(Unit, Unit.id == Team.unit_id)
        .where(Team.organisation_id == organisation_id)
        .order_by(Team.name, Team.id)
    )
    if unit is not None:
        query = query.where(Team.unit_id == unit.id)
    return [TeamInfo(id_, name, unit_name or "")
            for id_, name, unit_name in db.session.execute(query)]


def _scoped(query: Select, unit: Unit | None) -> Select:
    """Restrict a query over assessments to one unit's teams, when a unit is chosen.

    The organisation needs no filter here: every query also filters on round ids, and rounds
    come from access-checked lookups of the user's own organisation. Leaving the join to
    teams out of the common case saves a lookup per assessment.
    """
    if unit is None:
        return query
    return query.join(Team, Team.id == Assessment.team_id).where(Team.unit_id == unit.id)


def level_histograms(
    unit: Unit | None, round_ids: Sequence[int]
) -> tuple[dict[tuple[int, str], dict[int, int]], dict[tuple[int, str], int]]:
    """Teams per (round, challenge, level), and teams choosing each challenge as a priority.

    The rounds must be ones the user may see (access.round_or_404 or rounds_for).
    """
    query = _scoped(
        select(Assessment.round_id, Rating.challenge_id, Rating.level, Rating.priority,
               func.count())
        .select_from(Rating)
        .join(Assessment, Assessment.id == Rating.assessment_id)
        .where(Assessment.round_id.in_(round_ids))
        .group_by(Assessment.round_id, Rating.challenge_id, Rating.level, Rating.priority),
        unit,
    )
    levels: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    priorities: dict[tuple[int, str], int] = defaultdict(int)
    for round_id, challenge_id, level, priority, count in db.session.execute(query):
        if level is not None:
            counts = levels[(round_id, challenge_id)]
            counts[level] = counts.get(level, 0) + count
        if priority:
            priorities[(round_id, challenge_id)] += count
    return levels, priorities


@dataclass
class RoundCounts:
    """Per challenge: teams at each level in the round and in the previous round, teams
    choosing it as a priority, and teams whose level went up (1), stayed (0), or fell (-1)."""

    levels: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    before: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    priorities: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    changes: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))


def _add(counts: dict[int, int], key: int, number: int) -> None:
    counts[key] = counts.get(key, 0) + number


def _round_counts(scope: Scope) -> RoundCounts:
    """One pass over the round's ratings, each beside the same team's previous rating.

    Grouping by (challenge, level, priority, previous level) gives the level histogram, the
    priority counts, the up/same/down counts and most of the previous round's histogram
    from a single sort of the round's ratings, which is where the time goes on a thousand
    teams. The previous round's teams that have not started this round are added by a
    second, small query (_absent_before).
    """
    before_assessment, before_rating = aliased(Assessment), aliased(Rating)
    query = (select(Rating.challenge_id, Rating.level, Rating.priority, before_rating.level,
                    func.count())
             .select_from(Rating)
             .join(Assessment, Assessment.id == Rating.assessment_id)
             .where(Assessment.round_id == scope.round.id)
             .group_by(Rating.challenge_id, Rating.level, Rating.priority, before_rating.level))
    previous_id = scope.previous.id if scope.previous else None
    query = query.outerjoin(before_assessment, and_(
        before_assessment.team_id == Assessment.team_id,
        before_assessment.round_id == previous_id,
    )).outerjoin(before_rating, and_(
        before_rating.assessment_id == before_assessment.id,
        before_rating.challenge_id == Rating.challenge_id,
    ))
    counts = RoundCounts()
    for challenge_id, level, priority, before, count in db.session.execute(_scoped(query,
                                                                                   scope.unit)):
        if level is not None:
            _add(counts.levels[challenge_id], level, count)
        if before is not None:
            _add(counts.before[challenge_id], before, count)
            if level is not None:
                _add(counts.changes[challenge_id], (level > before) - (level < before), count)
        if priority:
            counts.priorities[challenge_id] += count
    if scope.previous is not None:
        for challenge_id, level, count in _absent_before(scope, scope.previous):
            _add(counts.before[challenge_id], level, count)
    return counts


def _absent_before(scope: Scope, previous: Round) -> Sequence[tuple[str, int, int]]:
    """(challenge, level, teams) in the previous round, for teams with no assessment yet in
    this one: the part of the previous round's histogram that _round_counts cannot see."""
    now = aliased(Assessment)
    started = select(now.id).where(now.team_id == Assessment.team_id,
                                   now.round_id == scope.round.id).exists()
    query = _scoped(
        select(Rating.challenge_id, Rating.level, func.count())
        .select_from(Rating)
        .join(Assessment, Assessment.id == Rating.assessment_id)
        .where(Assessment.round_id == previous.id, Rating.level.is_not(None), ~started)
        .group_by(Rating.challenge_id, Rating.level),
        scope.unit,
    )
    return db.session.execute(query).all()  # type: ignore[return-value]


def _action_counts(scope: Scope, today: date) -> dict[str, ActionCounts]:
    """Open, overdue and done actions per challenge for the teams in scope."""
    overdue = case((Action.due_on < today, 1), else_=0)
    query = (
        select(Action.challenge_id, Action.status, overdue, func.count())
        .join(Team, Team.id == Action.team_id)
        .where(Team.organisation_id == scope.organisation_id)
        .group_by(Action.challenge_id, Action.status, overdue)
    )
    if scope.unit is not None:
        query = query.where(Team.unit_id == scope.unit.id)
    tallies: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "overdue": 0, "done": 0})
    for challenge_id, status, late, count in db.session.execute(query):
        tally = tallies[challenge_id]
        if ActionStatus(status).is_open:
            tally["open"] += count
            tally["overdue"] += count if late else 0
        elif status == ActionStatus.DONE:
            tally["done"] += count
    return {challenge_id: ActionCounts(**tally) for challenge_id, tally in tallies.items()}


def _standings(scope: Scope) -> list[TeamRow]:
    """Every team in scope, by name, with its status, rated count and mean level in the round.

    One query grouped by the team's primary key, which SQLite walks in order, so the round's
    ratings are never sorted; unit and status are read through max() because PostgreSQL lets
    a grouped query name only the grouped table's own columns. Every rating of a round is on
    one of its framework's challenges (assessments are created from it), so no filter on
    challenge is needed.
    """
    query = (
        select(Team.id, Team.name, func.max(Unit.name), func.max(Assessment.status),
               func.count(Rating.level), func.avg(Rating.level))
        .select_from(Team)
        .outerjoin(Unit, Unit.id == Team.unit_id)
        .outerjoin(Assessment, and_(Assessment.team_id == Team.id,
                                    Assessment.round_id == scope.round.id))
        .outerjoin(Rating, Rating.assessment_id == Assessment.id)
        .where(Team.organisation_id == scope.organisation_id)
        .group_by(Team.id)
        .order_by(Team.name, Team.id)
    )
    if scope.unit is not None:
        query = query.where(Team.unit_id == scope.unit.id)
    return [
        TeamRow(team_id, name, unit or "", status.value if status else NOT_STARTED,
                float(mean) if mean is not None else None, rated)
        for team_id, name, unit, status, rated, mean in db.session.execute(query)
    ]


def team_levels(round_id: int, team_ids: Sequence[int],
                framework: Framework) -> dict[int, tuple[int | None, ...]]:
    """Each team's level per challenge of the framework, in its order (None: not rated)."""
    found: dict[int, dict[str, int | None]] = defaultdict(dict)
    if team_ids:
        for team_id, challenge_id, level in db.session.execute(
            select(Assessment.team_id, Rating.challenge_id, Rating.level)
            .join(Rating, Rating.assessment_id == Assessment.id)
            .where(Assessment.round_id == round_id, Assessment.team_id.in_(team_ids))
        ):
            found[team_id][challenge_id] = level
    return {team_id: tuple(found[team_id].get(c) for c in framework.challenge_ids)
            for team_id in team_ids}


# --- the dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChallengeFigures:
    """One challenge's line on the dashboard. None means hidden: too few teams to show."""

    number: int
    challenge_id: str
    title: str
    spread: Spread | None
    previous: Spread | None
    change: Change | None
    priorities: int | None
    actions: ActionCounts


@dataclass(frozen=True)
class Completion:
    agreed: int
    in_progress: int
    not_started: int

    @property
    def total(self) -> int:
        return self.agreed + self.in_progress + self.not_started


@dataclass(frozen=True)
class HeatmapView:
    """The heatmap as asked for: sort, direction, status filter and page."""

    sort: SortKey = "name"
    descending: bool = False
    status: str | None = None
    page: int = 1


@dataclass
class HeatmapPage:
    view: HeatmapView
    rows: list[TeamRow]  # this page's teams, with levels
    total: int  # teams matching the status filter
    pages: int
    first: int  # position of the first row, counting from 1
    summary: str


@dataclass
class Dashboard:
    scope: Scope
    team_rows: list[TeamRow]  # every team in scope, by name, without levels
    hidden: bool  # the whole group is too small for this audience
    completion: Completion
    challenges: list[ChallengeFigures]
    heatmap: HeatmapPage | None  # leads only, when asked for
    summaries: dict[str, str] = field(default_factory=dict)

    @property
    def teams(self) -> int:
        return len(self.team_rows)

    @property
    def medians(self) -> list[float | None]:
        return [c.spread.median if c.spread else None for c in self.challenges]


def dashboard(scope: Scope, view: HeatmapView | None = None, today: date | None = None
              ) -> Dashboard:
    """Everything the dashboard page shows for the scope, with a fixed number of queries.

    The heatmap is built only when ``view`` asks for it and the audience may see names.
    """
    standings = _standings(scope)
    counts = {status: sum(1 for row in standings if row.status == status)
              for status in STATUS_LABELS}
    completion = Completion(counts[AssessmentStatus.AGREED.value],
                            counts[AssessmentStatus.IN_PROGRESS.value], counts[NOT_STARTED])
    hidden = not shown(len(standings), scope.named)
    if hidden:
        return Dashboard(scope, standings, True, completion, [], None)
    counts = _round_counts(scope)
    actions = _action_counts(scope, today or date.today())
    scale = scope.framework.level_values
    challenges = []
    for challenge in scope.framework.challenges:
        now = spread_from_counts(scale, counts.levels.get(challenge.id, {}), len(standings))
        before = None
        if scope.previous is not None:
            counts_before = counts.before.get(challenge.id, {})
            before = visible_spread(
                spread_from_counts(scale, counts_before, sum(counts_before.values())),
                scope.named)
        change = change_from_counts(counts.changes.get(challenge.id, {}))
        challenges.append(ChallengeFigures(
            number=challenge.number,
            challenge_id=challenge.id,
            title=challenge.title,
            spread=visible_spread(now, scope.named),
            previous=before,
            change=change if shown(change.compared, scope.named) else None,
            priorities=counts.priorities.get(challenge.id, 0),
            actions=actions.get(challenge.id, ActionCounts()),
        ))
    heatmap = _heatmap(scope, standings, view) if scope.named and view is not None else None
    result = Dashboard(scope, standings, False, completion, challenges, heatmap)
    result.summaries = _summaries(result)
    return result


def _summaries(board: Dashboard) -> dict[str, str]:
    scope, challenges = board.scope, board.challenges
    titles = [c.title for c in challenges]
    previous = [c.previous.median if c.previous else None for c in challenges]
    return {
        "radar": describe_medians(titles, board.medians,
                                  previous if scope.previous else None,
                                  scope.previous.name if scope.previous else None),
        "distribution": describe_distribution(titles, [c.spread for c in challenges],
                                              scope.level_labels),
        "change": describe_change(titles, [c.change for c in challenges],
                                  scope.previous.name if scope.previous else None),
        "priorities": describe_priorities(titles, [c.priorities for c in challenges]),
    }


def _heatmap(scope: Scope, standings: list[TeamRow], view: HeatmapView) -> HeatmapPage:
    """One page of the heatmap, sorted and filtered as asked; levels only for that page."""
    matching = [row for row in standings if view.status in (None, row.status)]
    ordered = sort_team_rows(matching, view.sort, view.descending)
    pages = max(1, math.ceil(len(ordered) / HEATMAP_PAGE_SIZE))
    page = min(view.page, pages)
    start = (page - 1) * HEATMAP_PAGE_SIZE
    shown_rows = ordered[start:start + HEATMAP_PAGE_SIZE]
    levels = team_levels(scope.round.id, [row.team_id for row in shown_rows], scope.framework)
    return HeatmapPage(
        view=replace(view, page=page),
        rows=[replace(row, levels=levels[row.team_id]) for row in shown_rows],
        total=len(ordered),
        pages=pages,
        first=start + 1,
        summary=describe_heatmap(standings),
    )


def heatmap_view(sort: str | None, direction: str | None, status: str | None,
                 page: str | None) -> HeatmapView:
    """Parse the heatmap's query parameters; FilterError (400) names the one that is wrong."""
    if sort not in (None, "", *SORT_KEYS):
        raise FilterError(400, "Sort the heatmap by team, unit or mean level")
    if direction not in (None, "", "asc", "desc"):
        raise FilterError(400, "Sort the heatmap in ascending or descending order")
    if status not in (None, "", *STATUS_LABELS):
        raise FilterError(400, "Show teams that have agreed, are in progress or have not started")
    if page not in (None, "") and not (
            page.isascii() and page.isdigit() and 0 < len(page) < 7 and int(page) > 0):
        raise FilterError(400, "The page number must be a whole number, 1 or more")
    return HeatmapView(sort=sort or "name", descending=direction == "desc",  # type: ignore[arg-type]
                       status=status or None, page=int(page) if page else 1)


# --- charts of the dashboard ----------------------------------------------------------------


def _chart_title(scope: Scope, what: str) -> str:
    where = f"{scope.organisation}, {scope.unit.name}" if scope.unit else scope.organisation
    return f"{what}: {where}, {scope.round.name}"


def organisation_radar(board: Dashboard) -> RadarChart:
    """Median per challenge with the middle half of teams, and the previous round's median."""
    scope = board.scope
    spreads = [c.spread for c in board.challenges]
    series = [RadarSeries(f"Median, {scope.round.name}", tuple(board.medians), "solid")]
    if scope.previous is not None:
        series.append(RadarSeries(
            f"Median, {scope.previous.name}",
            tuple(c.previous.median if c.previous else None for c in board.challenges), "dashed"))
    band = RadarBand("Middle half of teams",
                     tuple(s.lower_quartile if s else None for s in spreads),
                     tuple(s.upper_quartile if s else None for s in spreads))
    return RadarChart(
        title=_chart_title(scope, "Median level"),
        axis_labels=scope.titles,
        series=tuple(series),
        max_level=scope.framework.max_level,
        level_labels=scope.level_labels,
        bands=(band,),
    )


def distribution_chart(board: Dashboard) -> DistributionChart:
    scope = board.scope
    return DistributionChart(
        title=_chart_title(scope, "Teams at each level"),
        row_labels=scope.titles,
        counts=tuple(c.spread.counts if c.spread else None for c in board.challenges),
        not_rated=tuple(c.spread.not_rated if c.spread else 0 for c in board.challenges),
        levels=scope.framework.level_values,
        level_labels=scope.level_labels,
        hidden_note="Fewer than 3 teams rated this, so it is not shown",
    )


def heatmap_chart(board: Dashboard) -> HeatmapChart:
    """The heatmap page the lead is looking at, as a picture (leads only: it names teams)."""
    if board.heatmap is None:
        raise ValueError("The heatmap names teams, so it is for organisation leads only")
    page = board.heatmap
    title = _chart_title(board.scope, "Levels by team")
    if page.pages > 1:
        title += f" (teams {page.first} to {page.first + len(page.rows) - 1} of {page.total})"
    return HeatmapChart(
        title=title,
        row_labels=tuple(row.team for row in page.rows),
        column_labels=tuple(str(c.number) for c in board.scope.framework.challenges),
        values=tuple(row.levels for row in page.rows),
        levels=board.scope.framework.level_values,
        level_labels=board.scope.level_labels,
    )


# --- trends ---------------------------------------------------------------------------------


@dataclass
class Trends:
    """Medians per challenge across all the organisation's rounds (oldest first), and
    optionally one team's levels in each round."""

    organisation: str
    unit: Unit | None
    named: bool
    rounds: list[Round]
    framework: Framework
    spreads: list[list[Spread | None]]  # per challenge, per round
    team: TeamInfo | None = None
    team_levels: list[list[int | None]] = field(default_factory=list)  # per challenge, round
    summary: str = ""
    team_summary: str = ""

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(f"{c.number}. {c.title}" for c in self.framework.challenges)

    def medians(self) -> list[list[float | None]]:
        return [[s.median if s else None for s in row] for row in self.spreads]


def trends(organisation_id: int, organisation: str, unit: Unit | None, named: bool,
           team: TeamInfo | None = None, framework: Framework | None = None) -> Trends | None:
    """Trends for the organisation (or a unit); None if it has no rounds yet.

    The framework (by default the newest round's) names the challenges; a challenge a round
    did not have simply has no median there.
    """
    rounds = list(reversed(rounds_for(organisation_id)))
    if not rounds:
        return None
    framework = framework or framework_of(rounds[-1])
    levels, _ = level_histograms(unit, [r.id for r in rounds])
    spreads = [
        [visible_spread(spread_from_counts(framework.level_values, counts,
                                           sum(counts.values())), named)
         for counts in (levels.get((r.id, c.id), {}) for r in rounds)]
        for c in framework.challenges
    ]
    result = Trends(organisation, unit, named, rounds, framework, spreads)
    if team is not None:
        by_round = _team_history(team.id, framework)
        result.team = team
        result.team_levels = [[by_round.get(r.id, {}).get(c.id) for r in rounds]
                              for c in framework.challenges]
        result.team_summary = describe_trend([r.name for r in rounds], result.team_levels,
                                             f"{team.name}'s level")
    result.summary = describe_trend([r.name for r in rounds], result.medians())
    return result


def _team_history(team_id: int, framework: Framework) -> dict[int, dict[str, int | None]]:
    """A team's levels in every round: {round id: {challenge id: level}} in one query."""
    history: dict[int, dict[str, int | None]] = defaultdict(dict)
    for round_id, challenge_id, level in db.session.execute(
        select(Assessment.round_id, Rating.challenge_id, Rating.level)
        .join(Rating, Rating.assessment_id == Assessment.id)
        .where(Assessment.team_id == team_id,
               Rating.challenge_id.in_(framework.challenge_ids))
    ):
        history[round_id][challenge_id] = level
    return history


def trend_chart(result: Trends) -> TrendChart:
    """Small multiples of the median per challenge across rounds, with the middle half."""
    where = f"{result.organisation}, {result.unit.name}" if result.unit else result.organisation
    quartiles = [[(s.lower_quartile, s.upper_quartile) if s else (None, None) for s in row]
                 for row in result.spreads]
    return TrendChart(
        title=f"Median level by round: {where}",
        panel_titles=result.titles,
        round_labels=tuple(r.name for r in result.rounds),
        lines=(TrendLine("Median", _tuples(result.medians())),),
        levels=result.framework.level_values,
        band_lower=_tuples([[low for low, _ in row] for row in quartiles]),
        band_upper=_tuples([[high for _, high in row] for row in quartiles]),
    )


def team_trend_chart(result: Trends) -> TrendChart:
    """One team's levels across rounds beside the organisation median (leads only)."""
    if result.team is None:
        raise ValueError("Choose a team to see its levels across rounds")
    return TrendChart(
        title=f"{result.team.name}: levels by round",
        panel_titles=result.titles,
        round_labels=tuple(r.name for r in result.rounds),
        lines=(TrendLine(result.team.name, _tuples(result.team_levels)),
               TrendLine(f"{result.organisation} median", _tuples(result.medians()), "dotted")),
        levels=result.framework.level_values,
    )


def _tuples(rows: list[list[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(row) for row in rows)


# --- compare --------------------------------------------------------------------------------

COMPARE_STYLES = ("solid", "dashed", "dashdot", "longdash", "dashdotdot", "loosedash")


@dataclass
class Comparison:
    """Two to six teams' levels in a round beside the organisation median."""

    round: Round
    organisation: str
    framework: Framework
    teams: list[TeamInfo]
    levels: list[tuple[int | None, ...]]  # per team, per challenge
    medians: list[float | None]
    summary: str

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(f"{c.number}. {c.title}" for c in self.framework.challenges)


def organisation_medians(round_: Round, framework: Framework) -> list[Spread]:
    """The whole organisation's spread per challenge in the round (one query)."""
    levels, _ = level_histograms(None, [round_.id])
    return [spread_from_counts(framework.level_values, counts, sum(counts.values()))
            for counts in (levels.get((round_.id, c.id), {}) for c in framework.challenges)]


def compare(round_: Round, teams: Sequence[Team]) -> Comparison:
    """The teams (2 to 6 of the round's organisation; the caller checks) on one radar."""
    framework = framework_of(round_)
    infos = [TeamInfo(t.id, t.name, "") for t in teams]
    levels = team_levels(round_.id, [t.id for t in teams], framework)
    medians = [s.median for s in organisation_medians(round_, framework)]
    team_rows = [levels[t.id] for t in teams]
    return Comparison(round_, round_.organisation.name, framework, infos, team_rows, medians,
                      describe_comparison([t.name for t in infos], team_rows, medians))


def compare_radar(result: Comparison) -> RadarChart:
    series = [RadarSeries(team.name, levels, style)
              for team, levels, style in zip(result.teams, result.levels, COMPARE_STYLES,
                                             strict=False)]
    series.append(RadarSeries("Organisation median", tuple(result.medians), "dotted"))
    return RadarChart(
        title=f"Teams compared: {result.round.name}",
        axis_labels=result.titles,
        series=tuple(series),
        max_level=result.framework.max_level,
        level_labels=tuple(level.label for level in result.framework.levels),
    )


# --- the team page: the team against the organisation median ---------------------------------


@dataclass
class Versus:
    """A team's levels beside the organisation's spread in the same round.

    The spreads follow the small-group rule for everyone, because the team page is seen by
    facilitators, who must not learn a colleague's ratings from a median of two teams.
    """

    spreads: list[Spread | None]
    summary: str


def versus_organisation(summary: TeamSummary) -> Versus:
    spreads = [visible_spread(s, named=False)
               for s in organisation_medians(summary.round, summary.framework)]
    medians = [s.median if s else None for s in spreads]
    return Versus(spreads, describe_versus(summary.team.name,
                                           [row.level for row in summary.rows], medians))


def versus_radar(summary: TeamSummary, versus: Versus) -> RadarChart:
    spreads = versus.spreads
    return RadarChart(
        title=f"{summary.team.name} and the organisation: {summary.round.name}",
        axis_labels=tuple(f"{row.number}. {row.title}" for row in summary.rows),
        series=(
            RadarSeries(summary.team.name, tuple(row.level for row in summary.rows), "solid"),
            RadarSeries("Organisation median", tuple(s.median if s else None for s in spreads),
                        "dotted"),
        ),
        max_level=summary.framework.max_level,
        level_labels=tuple(level.label for level in summary.framework.levels),
        bands=(RadarBand("Middle half of teams",
                         tuple(s.lower_quartile if s else None for s in spreads),
                         tuple(s.upper_quartile if s else None for s in spreads), "dotted"),),
    )
