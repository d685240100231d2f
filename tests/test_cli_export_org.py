"""`flask export-org`: each organisation's workbook and ratings CSV for a round, from the
command line, with clear errors for unknown names."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

from flask import Flask
from openpyxl import load_workbook

from assessment.extensions import db
from assessment.models import Organisation, Round, Team

from .builders import World, make_assessment


def rate_north(world: World, extra_teams: int = 0) -> None:
    north = db.session.get(Organisation, world.org_id)
    teams = [db.session.get(Team, world.team_id), db.session.get(Team, world.second_team_id)]
    teams += [Team(organisation=north, name=f"Extra team {n}") for n in range(extra_teams)]
    db.session.add_all(teams)
    for team in teams:
        make_assessment(team, db.session.get(Round, world.round_id), {"interactions": 2})
    db.session.commit()


def test_export_org_writes_a_workbook_and_a_csv_per_organisation(app: Flask, runner, world,
                                                                 tmp_path: Path):
    with app.app_context():
        rate_north(world)
    result = runner.invoke(args=["export-org", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(Path(line) for line in result.output.split())
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "north-trust/north-trust-ratings.csv",
        "north-trust/north-trust-spring-2027-organisation.xlsx",
        "south-trust/south-trust-ratings.csv",
        "south-trust/south-trust-spring-2027-organisation.xlsx",
    ]
    book = load_workbook(tmp_path / "north-trust/north-trust-spring-2027-organisation.xlsx")
    assert {row[0] for row in book["Matrix"].iter_rows(min_row=2, values_only=True)} == {
        "Riverside CMHT", "Aurora Ward"}
    with open(tmp_path / "north-trust/north-trust-ratings.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert {row["team"] for row in rows} == {"Riverside CMHT", "Aurora Ward"}


def test_export_org_takes_a_round_and_an_organisation_by_name(app, runner, world, tmp_path):
    with app.app_context():
        rate_north(world)
    result = runner.invoke(args=["export-org", "--round", "autumn 2026", "--org", "north trust",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [Path(line).name for line in result.output.split()] == [
        "north-trust-autumn-2026-organisation.xlsx", "north-trust-ratings.csv"]


def test_unknown_names_are_clear_errors(runner, world, tmp_path):
    for args, message in ((["--round", "Winter 1999"], "There is no round called 'Winter 1999'"),
                          (["--org", "Nowhere Trust"],
                           "There is no organisation called 'Nowhere Trust'")):
        result = runner.invoke(args=["export-org", "--out", str(tmp_path), *args])
        assert result.exit_code != 0
        assert message in result.output
    assert not any(tmp_path.iterdir())


def test_hiding_team_names_needs_three_teams_and_then_names_none(app, runner, world, tmp_path):
    args = ["export-org", "--org", "North Trust", "--hide-team-names", "--out", str(tmp_path)]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "Fewer than 3 teams" in result.output
    with app.app_context():
        rate_north(world, extra_teams=1)
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    for path in map(Path, result.output.split()):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                text = "".join(archive.read(n).decode() for n in archive.namelist())
        else:
            text = path.read_text()
        for name in ("Riverside CMHT", "Aurora Ward", "Extra team 0"):
            assert name not in text, (path, name)
