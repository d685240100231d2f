"""Exporting action plans: gathering the data (services.exports) and `flask export-plan`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import event

from assessment.excel import STATUS_LABELS
from assessment.extensions import db
from assessment.models import ActionStatus, Organisation, Round, Team, Unit
from assessment.services.exports import ExportError, export_plans, plan_exports, team_plan

from .builders import World, make_action, make_assessment

NORTH = "north-trust"
SOUTH = "south-trust"


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def add_ratings_and_actions(world: World) -> None:
    """Riverside: rated in both North rounds, four actions out of challenge order."""
    team = db.session.get(Team, world.team_id)
    make_assessment(team, db.session.get(Round, world.previous_round_id),
                    {"interactions": 1, "workforce": 2})
    make_assessment(team, db.session.get(Round, world.round_id),
                    {"interactions": 2, "workforce": 2, "risk_safety": 3})
    make_action(team, "Peer support network", challenge_id="workforce",
                due_on=date(2027, 9, 1))
    make_action(team, "No due date yet", challenge_id="interactions")
    make_action(team, "Hope in every review", challenge_id="interactions",
                due_on=date(2027, 6, 1), status=ActionStatus.NOT_STARTED)
    make_action(team, "Earlier workforce action", challenge_id="workforce",
                due_on=date(2027, 4, 1), status=ActionStatus.DONE)
    db.session.commit()


def test_action_status_labels_match_the_workbook_drop_down() -> None:
    assert tuple(status.label for status in ActionStatus) == STATUS_LABELS


def test_team_plan_holds_ratings_previous_round_and_ordered_actions(
    app: Flask, world: World
) -> None:
    with app.app_context():
        add_ratings_and_actions(world)
        plan = team_plan(db.session.get(Team, world.team_id),
                         db.session.get(Round, world.round_id))
    assert (plan.organisation, plan.team, plan.unit, plan.round, plan.previous_round) == (
        "North Trust", "Riverside CMHT", "Adult community services", "Spring 2027",
        "Autumn 2026")
    by_id = {row.challenge_id: row for row in plan.rows}
    assert (by_id["interactions"].level, by_id["interactions"].previous) == (2, 1)
    assert by_id["interactions"].change == 1
    assert by_id["risk_safety"].previous is None
    assert by_id["recovery_college"].level is None
    assert [(a.challenge_number, a.title) for a in plan.actions] == [
        (1, "Hope in every review"), (1, "No due date yet"),
        (8, "Earlier workforce action"), (8, "Peer support network")]
    assert plan.actions[0].status == "Not started"
    assert plan.actions[2].challenge_title == "Workforce and peer support"


def test_export_writes_a_workbook_per_team_in_a_folder_per_organisation(
    app: Flask, world: World, tmp_path: Path
) -> None:
    with app.app_context():
        add_ratings_and_actions(world)
        paths = export_plans(tmp_path, None, None)
    assert [path.relative_to(tmp_path).as_posix() for path in paths] == [
        f"{NORTH}/aurora-ward-spring-2027-action-plan.xlsx",
        f"{NORTH}/riverside-cmht-spring-2027-action-plan.xlsx",
        f"{SOUTH}/harbour-crisis-team-spring-2027-action-plan.xlsx",
    ]
    workbook = load_workbook(BytesIO(paths[1].read_bytes()))
    assert workbook["Summary"]["B4"].value == "Riverside CMHT"
    assert workbook["Action plan"]["B2"].value == "Hope in every review"
    assert not list(tmp_path.rglob("*.tmp"))


def test_export_narrowed_to_a_team_or_a_round(app: Flask, world: World, tmp_path: Path) -> None:
    with app.app_context():
        one_team = export_plans(tmp_path, "  riverside cmht ", None)
        autumn = export_plans(tmp_path, None, "Autumn 2026")
        both = export_plans(tmp_path, "Aurora Ward", "autumn 2026")
        north_only = export_plans(tmp_path, None, None, organisation_id=world.org_id)
    assert [p.name for p in one_team] == ["riverside-cmht-spring-2027-action-plan.xlsx"]
    assert [p.name for p in autumn] == ["aurora-ward-autumn-2026-action-plan.xlsx",
                                        "riverside-cmht-autumn-2026-action-plan.xlsx"]
    assert [p.name for p in both] == ["aurora-ward-autumn-2026-action-plan.xlsx"]
    assert {p.parent.name for p in north_only} == {NORTH}


@pytest.mark.parametrize(
    ("team", "round_", "message"),
    [
        ("Nowhere Team", None, "There is no team called 'Nowhere Team'"),
        (None, "Winter 1999", "There is no round called 'Winter 1999'"),
        ("Harbour Crisis Team", "Autumn 2026",
         "There is no round called 'Autumn 2026' for team 'Harbour Crisis Team'"),
    ],
)
def test_unknown_names_raise_a_clear_error(
    app: Flask, world: World, tmp_path: Path, team: str | None, round_: str | None,
    message: str,
) -> None:
    with app.app_context(), pytest.raises(ExportError) as raised:
        export_plans(tmp_path, team, round_)
    assert str(raised.value) == message
    assert not any(tmp_path.iterdir())


def test_the_same_file_name_from_two_teams_is_not_overwritten(
    app: Flask, world: World, tmp_path: Path
) -> None:
    with app.app_context():
        north = db.session.get(Organisation, world.org_id)
        db.session.add_all([Team(organisation=north, name="A&B team"),
                            Team(organisation=north, name="A+B team")])
        db.session.commit()
        paths = export_plans(tmp_path, None, None, organisation_id=world.org_id)
    names = sorted(p.name for p in paths)
    assert "a-b-team-spring-2027-action-plan.xlsx" in names
    assert "a-b-team-spring-2027-action-plan-2.xlsx" in names
    assert len(set(paths)) == len(paths) == 4


def test_export_takes_the_same_number_of_queries_for_more_teams(
    app: Flask, world: World, tmp_path: Path
) -> None:
    with app.app_context():
        add_ratings_and_actions(world)
        db.session.expunge_all()
        with counted_queries() as few:
            plan_exports(tmp_path, None, None)
        north = db.session.get(Organisation, world.org_id)
        current = db.session.get(Round, world.round_id)
        previous = db.session.get(Round, world.previous_round_id)
        for number in range(8):
            unit = Unit(organisation=north, name=f"Extra unit {number}")
            team = Team(organisation=north, unit=unit, name=f"Extra team {number}")
            make_assessment(team, current, {"interactions": 3})
            make_assessment(team, previous, {"interactions": 2})
            make_action(team, f"Action {number}")
        db.session.commit()
        db.session.expunge_all()
        with counted_queries() as many:
            exports = plan_exports(tmp_path, None, None)
        assert not db.session().in_transaction()  # no lock held while the files are written
    assert len(exports) == 11
    assert len(many) == len(few)


def test_formula_like_team_name_is_safe_in_file_name_and_cells(
    app: Flask, world: World, tmp_path: Path
) -> None:
    with app.app_context():
        db.session.get(Team, world.team_id).name = '=HYPERLINK("http://x")'
        db.session.commit()
        [path] = export_plans(tmp_path, '=HYPERLINK("http://x")', None)
    assert path.name == "hyperlink-http-x-spring-2027-action-plan.xlsx"
    cell = load_workbook(path)["Summary"]["B4"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("http://x")', "s", True)


def test_cli_writes_to_the_exports_folder_and_prints_paths(app: Flask, world: World) -> None:
    result = app.test_cli_runner().invoke(args=["export-plan"])
    assert result.exit_code == 0, result.output
    exports = Path(app.config["EXPORTS_DIR"])
    printed = result.stdout.splitlines()
    assert printed == [
        str(exports / NORTH / "aurora-ward-spring-2027-action-plan.xlsx"),
        str(exports / NORTH / "riverside-cmht-spring-2027-action-plan.xlsx"),
        str(exports / SOUTH / "harbour-crisis-team-spring-2027-action-plan.xlsx"),
    ]
    assert all(Path(line).is_file() for line in printed)
    assert "Writing action plans" in result.stderr


def test_cli_with_out_team_and_round(app: Flask, world: World, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=[
        "export-plan", "--out", str(tmp_path / "plans"), "--team", "Riverside CMHT",
        "--round", "Autumn 2026"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        str(tmp_path / "plans" / NORTH / "riverside-cmht-autumn-2026-action-plan.xlsx")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "Nowhere"], "Error: There is no team called 'Nowhere'"),
        (["--round", "Winter 1999"], "Error: There is no round called 'Winter 1999'"),
    ],
)
def test_cli_bad_name_is_a_plain_error(
    app: Flask, world: World, args: list[str], message: str
) -> None:
    result = app.test_cli_runner().invoke(args=["export-plan", *args])
    assert result.exit_code == 1
    assert result.stderr.strip() == message
    assert "Traceback" not in result.output


def test_cli_with_no_rounds_says_so(app: Flask) -> None:
    with app.app_context():
        db.session.add(Organisation(name="Empty Trust"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["export-plan"])
    assert result.exit_code == 0
    assert "Nothing to export" in result.stderr and result.stdout == ""
