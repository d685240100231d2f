"""Action-plan workbooks: gathering a team's round and actions, and writing the files.

Data for a round is loaded in batches (the teams, the round's and the previous round's
assessments with their ratings, the teams' actions), so exporting 3 teams or 300 takes the
same handful of queries per organisation. The numbers come from the same pure pieces as the
team page (previous_round, rating_values, challenge_rows), so page and file always agree.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..excel import ActionRow, TeamPlan, build_team_workbook, plan_filename
from ..extensions import db
from ..frameworks import Challenge, Framework
from ..models import Action, Assessment, Round, Team
from ..scoring import RatingValue, challenge_rows
from ..text import slug
from .assessments import framework_of, rating_values
from .organisation import current_round, previous_round
from .workshops import kept_counts


class ExportError(ValueError):
    """The export asked for a team or round that does not exist; the message names it."""


@dataclass(frozen=True)
class PlannedExport:
    """One workbook to write: its data is gathered, so writing needs no database."""

    plan: TeamPlan
    path: Path

    def write(self) -> Path:
        """Build and write the workbook; a reader never sees a half-written file."""
        return write_atomically(self.path, build_team_workbook(self.plan))


def write_atomically(path: Path, content: bytes) -> Path:
    """Write a file through a temporary file in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def team_plan(team: Team, round_: Round) -> TeamPlan:
    """What the team's workbook for this round shows: ratings, previous round, actions."""
    return _plans_for_round(round_, [team], datetime.now().astimezone())[0]


def export_plans(
    out_dir: Path,
    team_name: str | None,
    round_name: str | None,
    organisation_id: int | None = None,
) -> list[Path]:
    """Write a workbook per team and return the paths; see plan_exports for which ones."""
    return [export.write() for export in plan_exports(out_dir, team_name, round_name,
                                                      organisation_id)]


def plan_exports(
    out_dir: Path,
    team_name: str | None,
    round_name: str | None,
    organisation_id: int | None = None,
) -> list[PlannedExport]:
    """The workbooks to write, one per team, for each organisation's current round.

    team_name and round_name (matched without regard to case) narrow it to one team or pick
    another round; ExportError if nothing has that name. Files go in a folder per
    organisation, since two trusts may well both have a "Crisis team". Organisations
    without rounds are skipped. Split from writing so that a caller can show progress, and
    so that no database transaction is open while the files are written.
    """
    teams_by_organisation = _teams(team_name, organisation_id)
    rounds = _rounds(list(teams_by_organisation), team_name, round_name)
    now = datetime.now().astimezone()
    exports: list[PlannedExport] = []
    taken: set[Path] = set()
    for organisation_id_, teams in teams_by_organisation.items():
        round_ = rounds.get(organisation_id_)
        if round_ is None:
            continue
        folder = out_dir / slug(teams[0].organisation.name, "organisation")
        for plan in _plans_for_round(round_, teams, now):
            path = _free_path(folder / plan_filename(plan.team, plan.round), taken)
            exports.append(PlannedExport(plan, path))
    # Only reads happened, but on SQLite every transaction holds the write lock (BEGIN
    # IMMEDIATE): end it now rather than while the workbooks are being written.
    db.session.rollback()
    return exports


def _teams(team_name: str | None, organisation_id: int | None) -> dict[int, list[Team]]:
    """Teams to export grouped by organisation, in name order (one query with units)."""
    query = select(Team).options(selectinload(Team.unit), selectinload(Team.organisation))
    if organisation_id is not None:
        query = query.where(Team.organisation_id == organisation_id)
    if team_name is not None:
        query = query.where(func.lower(Team.name) == team_name.strip().lower())
    grouped: dict[int, list[Team]] = defaultdict(list)
    for team in db.session.scalars(query.order_by(Team.organisation_id, Team.name, Team.id)):
        grouped[team.organisation_id].append(team)
    if team_name is not None and not grouped:
        raise ExportError(f"There is no team called '{team_name}'")
    return grouped


def _rounds(
    organisation_ids: list[int], team_name: str | None, round_name: str | None
) -> dict[int, Round]:
    """The round to export for each organisation: the named one, or its current round."""
    if round_name is None:
        current = {org: current_round(org) for org in organisation_ids}
        return {org: round_ for org, round_ in current.items() if round_ is not None}
    named = db.session.scalars(
        select(Round).where(
            Round.organisation_id.in_(organisation_ids),
            func.lower(Round.name) == round_name.strip().lower(),
        )
    )
    rounds = {round_.organisation_id: round_ for round_ in named}
    if not rounds:
        whose = f" for team '{team_name}'" if team_name is not None else ""
        raise ExportError(f"There is no round called '{round_name}'{whose}")
    return rounds


def _free_path(path: Path, taken: set[Path]) -> Path:
    """The path, or path-2, path-3 ... when another team's name made the same file name."""
    candidate, number = path, 1
    while candidate in taken:
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    taken.add(candidate)
    return candidate


def _plans_for_round(round_: Round, teams: Sequence[Team], now: datetime) -> list[TeamPlan]:
    """TeamPlans for teams of the round's organisation, with a fixed number of queries."""
    framework = framework_of(round_)
    before = previous_round(round_)
    team_ids = [team.id for team in teams]
    current = _ratings_by_team(round_.id, team_ids)
    previous = _ratings_by_team(before.id, team_ids) if before else {}
    actions = _actions_by_team(team_ids, framework)
    votes = kept_counts(round_, team_ids)
    return [
        TeamPlan(
            organisation=round_.organisation.name,
            team=team.name,
            unit=team.unit.name if team.unit else "",
            round=round_.name,
            framework=framework,
            rows=challenge_rows(framework, current.get(team.id, {}), previous.get(team.id)),
            actions=actions.get(team.id, []),
            previous_round=before.name if before else None,
            generated_at=now,
            today=now.date(),
            workshop=votes.get(team.id, {}),
        )
        for team in teams
    ]


def _ratings_by_team(round_id: int, team_ids: list[int]) -> dict[int, dict[str, RatingValue]]:
    assessments = db.session.scalars(
        select(Assessment)
        .options(selectinload(Assessment.ratings))
        .where(Assessment.round_id == round_id, Assessment.team_id.in_(team_ids))
    )
    return {assessment.team_id: rating_values(assessment) for assessment in assessments}


def _actions_by_team(team_ids: list[int], framework: Framework) -> dict[int, list[ActionRow]]:
    """All the teams' actions (they carry across rounds), by challenge number then due date.

    The number comes from the framework file, so the sorting is done here rather than in SQL.
    An action on a challenge the framework no longer has comes last, under its stored id.
    """
    challenges = {challenge.id: challenge for challenge in framework.challenges}
    grouped: dict[int, list[ActionRow]] = defaultdict(list)
    query = select(Action).where(Action.team_id.in_(team_ids)).order_by(Action.id)
    for action in db.session.scalars(query):
        grouped[action.team_id].append(action_row(action, challenges))
    for rows in grouped.values():
        rows.sort(key=action_order)
    return grouped


def action_row(action: Action, challenges: Mapping[str, Challenge]) -> ActionRow:
    """An action as workbooks show it, its challenge numbered by the round's framework."""
    challenge = challenges.get(action.challenge_id)
    return ActionRow(
        challenge_number=challenge.number if challenge else 0,
        challenge_title=challenge.title if challenge else action.challenge_id,
        title=action.title,
        description=action.description,
        lead=action.lead,
        coproduction=action.coproduction,
        starts_on=action.starts_on,
        due_on=action.due_on,
        status=action.status.label,
        success_measure=action.success_measure,
        review_note=action.review_note,
    )


def action_order(row: ActionRow) -> tuple[float, bool, date]:
    return (row.challenge_number or math.inf, row.due_on is None, row.due_on or date.min)
