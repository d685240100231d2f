"""The organisation's downloads: the workbook, the tidy CSV, and `flask export-org`.

Data comes from the same queries as the dashboard (services.dashboard), so the file and the
page agree, and each export runs a fixed number of queries whatever the number of teams.
A viewer's files hold aggregates only: the matrix, the actions and the per-team CSV rows are
never even loaded for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select

from ..aggregates import SMALL_GROUP, spread_from_counts, visible_spread
from ..excel import is_overdue
from ..extensions import db
from ..frameworks import Framework, get_framework
from ..models import Action, Assessment, Organisation, Rating, Round, Team, Unit
from ..org_csv import Value, write_csv
from ..org_excel import MatrixRow, OrgWorkbook, TeamAction, build_org_workbook, org_filename
from ..text import slug
from .dashboard import (
    ALL_UNITS,
    STATUS_LABELS,
    Dashboard,
    FilterError,
    Scope,
    dashboard,
    level_histograms,
    make_scope,
    team_levels,
    trends,
)
from .exports import ExportError, action_order, action_row, write_atomically
from .organisation import current_round, rounds_for

SMALL_GROUP_MESSAGE = (
    f"Fewer than {SMALL_GROUP} teams are in this group, so its results are not shown apart. "
    "They are included in the organisation's figures."
)


def _board(scope: Scope) -> Dashboard:
    board = dashboard(scope)
    if board.hidden:
        raise FilterError(404, SMALL_GROUP_MESSAGE)
    return board


def org_workbook(scope: Scope, now: datetime | None = None) -> OrgWorkbook:
    """What the organisation workbook shows for the scope; FilterError if it is too small."""
    now = now or datetime.now().astimezone()
    board = _board(scope)
    history = trends(scope.organisation_id, scope.organisation, scope.unit, scope.named,
                     framework=scope.framework)
    assert history is not None  # the scope's own round exists
    medians = history.medians()
    matrix: tuple[MatrixRow, ...] = ()
    actions: tuple[TeamAction, ...] = ()
    if scope.named:
        rows = sorted(board.team_rows, key=lambda r: (r.unit == "", r.unit.casefold(),
                                                      r.team.casefold()))
        levels = team_levels(scope.round.id, [r.team_id for r in rows], scope.framework)
        matrix = tuple(MatrixRow(r.team, r.unit, STATUS_LABELS[r.status], levels[r.team_id],
                                 r.mean) for r in rows)
        actions = tuple(_team_actions(scope, now.date()))
    completion = board.completion
    return OrgWorkbook(
        organisation=scope.organisation,
        scope=scope.label,
        round=scope.round.name,
        previous_round=scope.previous.name if scope.previous else None,
        framework=scope.framework,
        named=scope.named,
        generated_at=now,
        spreads=tuple(c.spread for c in board.challenges),
        priorities=tuple(c.priorities or 0 for c in board.challenges),
        action_counts=tuple(c.actions for c in board.challenges),
        completion=(completion.agreed, completion.in_progress, completion.not_started),
        trend_rounds=tuple(r.name for r in history.rounds),
        trend_medians=tuple(tuple(row[i] for row in medians)
                            for i in range(len(history.rounds))),
        matrix=matrix,
        actions=actions,
    )


def org_workbook_bytes(scope: Scope) -> tuple[str, bytes]:
    """(file name, .xlsx bytes). The read transaction ends before the file is built."""
    data = org_workbook(scope)
    db.session.rollback()
    return (org_filename(data.organisation, data.round,
                         scope.unit.name if scope.unit else "", scope.named),
            build_org_workbook(data))


def _team_actions(scope: Scope, today: date) -> Iterator[TeamAction]:
    """Every action of the teams in scope, by team, then challenge and due date (one query)."""
    query = (
        select(Action, Team.name, Unit.name)
        .join(Team, Team.id == Action.team_id)
        .outerjoin(Unit, Unit.id == Team.unit_id)
        .where(Team.organisation_id == scope.organisation_id)
    )
    if scope.unit is not None:
        query = query.where(Team.unit_id == scope.unit.id)
    challenges = {c.id: c for c in scope.framework.challenges}
    rows = [(team, unit or "", action_row(action, challenges))
            for action, team, unit in db.session.execute(query)]
    rows.sort(key=lambda item: (item[0].casefold(), item[0], *action_order(item[2])))
    for team, unit, row in rows:
        yield TeamAction(team, unit, row, is_overdue(row, today))


# --- tidy CSV -------------------------------------------------------------------------------

TEAM_COLUMNS = ("round", "round_starts_on", "team", "unit", "challenge_number", "challenge_id",
                "challenge", "level", "level_label", "target", "priority", "assessment_status")


def csv_filename(organisation: str, unit: Unit | None, named: bool) -> str:
    parts = [slug(organisation, "organisation", 40)]
    if unit is not None:
        parts.append(slug(unit.name, "unit", 30))
    return "-".join(parts) + ("-ratings.csv" if named else "-medians.csv")


def tidy_csv(organisation_id: int, organisation: str, unit: Unit | None, named: bool
             ) -> tuple[str, str]:
    """(file name, CSV text) over every round of the organisation (or unit).

    Leads get one row per team, round and challenge; everyone else one row per round and
    challenge with the spread of teams, small groups left blank.
    """
    if not named:
        text = _aggregate_csv(organisation_id, unit)
    else:
        text = write_csv(TEAM_COLUMNS, _team_rows(organisation_id, unit))
    return csv_filename(organisation, unit, named), text


def _team_rows(organisation_id: int, unit: Unit | None) -> Iterator[Sequence[Value]]:
    query = (
        select(Round.name, Round.starts_on, Round.framework_key, Team.name, Unit.name,
               Rating.challenge_id, Rating.level, Rating.target, Rating.priority,
               Assessment.status)
        .select_from(Rating)
        .join(Assessment, Assessment.id == Rating.assessment_id)
        .join(Round, Round.id == Assessment.round_id)
        .join(Team, Team.id == Assessment.team_id)
        .outerjoin(Unit, Unit.id == Team.unit_id)
        .where(Team.organisation_id == organisation_id)
        .order_by(Round.starts_on, Round.id, Team.name, Team.id, Rating.id)
    )
    if unit is not None:
        query = query.where(Team.unit_id == unit.id)
    for (round_name, starts_on, key, team, unit_name, challenge_id, level, target, priority,
         status) in db.session.execute(query):
        framework = get_framework(key)
        number, title = _challenge(framework, challenge_id)
        yield (round_name, starts_on.isoformat(), team, unit_name or "", number, challenge_id,
               title, level, framework.level_label(level) if level else "", target,
               bool(priority), STATUS_LABELS[status.value])


def _challenge(framework: Framework, challenge_id: str) -> tuple[int | None, str]:
    try:
        challenge = framework.challenge(challenge_id)
    except KeyError:
        return None, challenge_id
    return challenge.number, challenge.title


def _aggregate_csv(organisation_id: int, unit: Unit | None) -> str:
    rounds = list(reversed(rounds_for(organisation_id)))
    levels, priorities = level_histograms(unit, [r.id for r in rounds])
    scale = max((get_framework(r.framework_key) for r in rounds),
                key=lambda f: len(f.levels), default=None)
    level_columns = [f"teams_at_level_{lv.value}" for lv in scale.levels] if scale else []
    header = ("round", "round_starts_on", "teams", "challenge_number", "challenge_id",
              "challenge", "teams_rated", "median", "lower_quartile", "upper_quartile",
              *level_columns, "teams_choosing_as_priority", "note")
    rows: list[Sequence[Value]] = []
    scope_label = unit.name if unit else ALL_UNITS
    for round_ in rounds:
        framework = get_framework(round_.framework_key)
        for challenge in framework.challenges:
            counts = levels.get((round_.id, challenge.id), {})
            spread = visible_spread(
                spread_from_counts(framework.level_values, counts, sum(counts.values())),
                named=False)
            first = (round_.name, round_.starts_on.isoformat(), scope_label, challenge.number,
                     challenge.id, challenge.title)
            if spread is None:
                rows.append((*first, *[None] * (4 + len(level_columns)), None,
                             f"Fewer than {SMALL_GROUP} teams rated this"))
                continue
            padded = [*spread.counts, *[None] * (len(level_columns) - len(spread.counts))]
            rows.append((*first, spread.rated, spread.median, spread.lower_quartile,
                         spread.upper_quartile, *padded,
                         priorities.get((round_.id, challenge.id), 0), ""))
    return write_csv(header, rows)


# --- flask export-org -----------------------------------------------------------------------


@dataclass(frozen=True)
class OrgExport:
    """The files written for one organisation."""

    organisation: str
    paths: tuple[Path, ...]


def export_organisations(out_dir: Path, round_name: str | None, organisation_name: str | None,
                         named: bool = True) -> list[OrgExport]:
    """Write each organisation's workbook and CSV for its named (or current) round.

    Files go in a folder per organisation. ExportError when the organisation or round does
    not exist; organisations without rounds are skipped.
    """
    query = select(Organisation).order_by(Organisation.name)
    if organisation_name is not None:
        query = query.where(func.lower(Organisation.name) == organisation_name.strip().lower())
    organisations = list(db.session.scalars(query))
    if organisation_name is not None and not organisations:
        raise ExportError(f"There is no organisation called '{organisation_name}'")
    written = []
    for organisation in organisations:
        round_ = _round_named(organisation, round_name)
        if round_ is None:
            continue
        folder = out_dir / slug(organisation.name, "organisation")
        try:
            workbook_name, workbook = org_workbook_bytes(make_scope(round_, None, named))
        except FilterError as error:
            raise ExportError(f"{organisation.name}: {error.message}") from error
        csv_name, text = tidy_csv(organisation.id, organisation.name, None, named)
        db.session.rollback()  # no read transaction open while writing files
        written.append(OrgExport(organisation.name, (
            write_atomically(folder / workbook_name, workbook),
            write_atomically(folder / csv_name, text.encode("utf-8")),
        )))
    if round_name is not None and not written:
        raise ExportError(f"There is no round called '{round_name}'")
    return written


def _round_named(organisation: Organisation, round_name: str | None) -> Round | None:
    if round_name is None:
        return current_round(organisation.id)
    return db.session.scalar(select(Round).where(
        Round.organisation_id == organisation.id,
        func.lower(Round.name) == round_name.strip().lower()))

