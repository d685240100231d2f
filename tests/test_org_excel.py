"""The organisation workbook and the tidy CSV from plain data: sheets, a colour scale and a
native line chart, filterable tables, nothing that runs as a formula, no team in a viewer's."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from assessment.aggregates import ActionCounts, spread_of
from assessment.excel import ActionRow
from assessment.frameworks import default_framework
from assessment.org_csv import csv_value, write_csv
from assessment.org_excel import (
    HIDDEN_NOTE,
    MatrixRow,
    OrgWorkbook,
    TeamAction,
    build_org_workbook,
    org_filename,
)

FRAMEWORK = default_framework()
N = len(FRAMEWORK.challenges)
LEVELS = FRAMEWORK.level_values
FORMULA_TEAM = "=HYPERLINK(\"http://example.invalid\",\"Open\")"


def action(title: str = "Peer worker at ward rounds") -> ActionRow:
    return ActionRow(8, "Workforce", title, "+44 call the college", "@lead", "-", date(2027, 1, 1),
                     date(2027, 2, 1), "In progress", "Measure", "Review")


def data(named: bool = True) -> OrgWorkbook:
    spreads = tuple(spread_of(LEVELS, [1, 2, 3, None]) if i else None for i in range(N))
    matrix = (MatrixRow(FORMULA_TEAM, "Adult services", "Agreed", (1,) * (N - 1) + (None,), 1.0),
              MatrixRow("Aurora Ward", "", "In progress", (None,) * N, None))
    return OrgWorkbook(
        organisation="North Trust", scope="All units", round="Spring 2027",
        previous_round="Autumn 2026", framework=FRAMEWORK, named=named,
        generated_at=datetime(2027, 3, 1, 9, 30),
        spreads=spreads, priorities=(2,) * N,
        action_counts=(ActionCounts(3, 1, 2),) * N, completion=(1, 1, 1),
        trend_rounds=("Autumn 2026", "Spring 2027"),
        trend_medians=((1.5,) * N, (2.0,) * (N - 1) + (None,)),
        matrix=matrix if named else (),
        actions=(TeamAction(FORMULA_TEAM, "Adult services", action("=1+1"), True),
                 TeamAction("Aurora Ward", "", action(), False)) if named else (),
    )


def chart_parts(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist()
                       if name.startswith("xl/charts/"))


def all_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace")
                       for name in archive.namelist())


def test_a_leads_workbook_has_every_sheet_with_the_teams():
    content = build_org_workbook(data())
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["About", "Matrix", "Distribution", "Trend", "Actions",
                               "Completion"]
    matrix = book["Matrix"]
    assert [c.value for c in matrix[1]][:4] == ["Team", "Unit", "Status",
                                                f"1. {FRAMEWORK.challenges[0].title}"]
    assert matrix["A2"].value == FORMULA_TEAM and matrix["A2"].data_type == "s"
    assert matrix["A2"].quotePrefix
    assert matrix["B3"].value == "No unit"
    assert matrix.cell(row=2, column=3 + N).value is None  # not rated is blank, never 0
    assert matrix.cell(row=2, column=4 + N).value == 1.0
    assert "Matrix" in matrix.tables and matrix.tables["Matrix"].autoFilter is not None


def test_the_matrix_is_shaded_by_a_colour_scale_and_greys_not_rated():
    matrix = load_workbook(io.BytesIO(build_org_workbook(data())))["Matrix"]
    rules = [rule for rng in matrix.conditional_formatting for rule in rng.rules]
    assert {rule.type for rule in rules} == {"colorScale", "expression"}
    scale = next(rule for rule in rules if rule.type == "colorScale").colorScale
    assert [float(v.val) for v in scale.cfvo] == [1, 2.5, 4]


def test_the_trend_sheet_has_a_native_line_chart_over_the_medians():
    content = build_org_workbook(data())
    assert "lineChart" in chart_parts(content)
    trend = load_workbook(io.BytesIO(content))["Trend"]
    assert [trend["A2"].value, trend["B2"].value, trend["B3"].value] == ["Autumn 2026", 1.5, 2.0]
    assert trend.cell(row=3, column=1 + N).value is None


def test_actions_are_one_filterable_table_and_user_text_never_becomes_a_formula():
    actions = load_workbook(io.BytesIO(build_org_workbook(data())))["Actions"]
    assert [c.value for c in actions[1]][:4] == ["Team", "Unit", "Challenge", "Action"]
    assert actions["D2"].value == "=1+1" and actions["D2"].data_type == "s"
    assert actions["K2"].value == "Overdue" and actions["K3"].value is None
    for cell in (actions["E2"], actions["F2"], actions["G2"]):  # + @ - at the start
        assert cell.data_type == "s" and cell.quotePrefix
    assert actions["H2"].value == datetime(2027, 1, 1)
    assert "Actions" in actions.tables
    assert all(c.data_type != "f" for row in actions.iter_rows() for c in row)


def test_the_distribution_notes_hidden_challenges():
    sheet = load_workbook(io.BytesIO(build_org_workbook(data())))["Distribution"]
    note_column = sheet.max_column
    assert sheet.cell(row=2, column=note_column).value == HIDDEN_NOTE
    assert sheet.cell(row=2, column=2).value is None
    assert [sheet.cell(row=3, column=c).value for c in range(2, 6)] == [3, 2, 1.5, 2.5]


def test_a_viewers_workbook_holds_aggregates_and_no_team_at_all():
    content = build_org_workbook(data(named=False))
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["About", "Distribution", "Trend", "Actions", "Completion"]
    assert [c.value for c in book["Actions"][1]] == ["Challenge", "Open actions",
                                                     "Of which overdue", "Done"]
    text = all_text(content)
    assert "Aurora Ward" not in text and "HYPERLINK" not in text
    assert "Groups of fewer than 3 teams are not shown" in text


def test_a_viewers_workbook_cannot_be_given_teams():
    with pytest.raises(ValueError, match="cannot hold teams"):
        OrgWorkbook(**{**data().__dict__, "named": False})


def test_file_names_are_safe_ascii():
    assert org_filename("North Trust", "Spring 2027", "", True) == \
        "north-trust-spring-2027-organisation.xlsx"
    assert org_filename("Ysbyty – Tîm", "Gwanwyn/2027", "Uned ../x", False) == \
        "ysbyty-tim-gwanwyn-2027-uned-x-organisation-summary.xlsx"


@pytest.mark.parametrize("text", ["=1+1", "+44", "-3", "@SUM(A1)", "\tx", "\rx", "\nx",
                                  "  =1+1"])
def test_csv_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert csv_value(text) == "'" + text


def test_csv_keeps_numbers_blanks_and_ordinary_text():
    assert [csv_value(v) for v in (3, 2.5, None, True, False, "Aurora Ward", "")] == \
        [3, 2.5, "", "yes", "no", "Aurora Ward", ""]
    text = write_csv(("team", "level"), [(FORMULA_TEAM, 3), ("A, B \"quoted\"", None)])
    assert list(csv.reader(io.StringIO(text))) == [
        ["team", "level"], ["'" + FORMULA_TEAM, "3"], ['A, B "quoted"', ""]]
