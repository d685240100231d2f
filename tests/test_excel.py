"""The team workbook, built from plain data: layout, Excel features and safety of user text."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from assessment import excel
from assessment.excel import (
    EXCEL_CELL_LIMIT,
    STATUS_LABELS,
    ActionRow,
    TeamPlan,
    build_team_workbook,
    plan_filename,
)
from assessment.frameworks import DEFAULT_FRAMEWORK_ID, Framework, load_frameworks
from assessment.scoring import RatingValue, challenge_rows

TODAY = date(2027, 3, 15)
TRIGGERS = ['=HYPERLINK("http://x")', "+1", "-2", "@x", "\tx", " =1+1", "\nx"]


@pytest.fixture(scope="module")
def framework() -> Framework:
    return next(f for f in load_frameworks().values() if f.id == DEFAULT_FRAMEWORK_ID)


def action(framework: Framework, number: int = 1, **fields: object) -> ActionRow:
    values: dict[str, object] = {
        "challenge_number": number,
        "challenge_title": framework.challenges[number - 1].title,
        "title": "Peer-led welcome group",
        "description": "Fortnightly group run with peer workers",
        "lead": "Sam",
        "coproduction": "Peer workers and carers",
        "starts_on": date(2027, 1, 10),
        "due_on": date(2027, 6, 30),
        "status": "In progress",
        "success_measure": "Half of new people attend",
        "review_note": "",
    }
    values.update(fields)
    return ActionRow(**values)  # type: ignore[arg-type]


def make_plan(framework: Framework, **overrides: object) -> TeamPlan:
    """Levels 1..4 with challenge 4 not rated, a previous round and two actions."""
    ids = framework.challenge_ids
    current = {
        challenge_id: RatingValue(
            level=None if index == 3 else index % 4 + 1,
            target=4,
            evidence=f"Evidence for challenge {index + 1}",
            priority=index < 2,
        )
        for index, challenge_id in enumerate(ids)
    }
    previous = {challenge_id: RatingValue(level=1) for challenge_id in ids}
    plan = TeamPlan(
        organisation="Northshire NHS Foundation Trust",
        team="Crisis team",
        unit="Adult community",
        round="Spring 2027",
        framework=framework,
        rows=challenge_rows(framework, current, previous),
        actions=[
            action(framework, 1, due_on=TODAY - timedelta(days=1), status="Not started"),
            action(framework, 2, title="Recovery college taster", status="Done"),
        ],
        previous_round="Autumn 2026",
        generated_at=datetime(2027, 3, 15, 9, 30, tzinfo=UTC),
        today=TODAY,
    )
    return replace(plan, **overrides)  # type: ignore[arg-type]


def reopen(plan: TeamPlan) -> Workbook:
    return load_workbook(BytesIO(build_team_workbook(plan)))


def column(ws, letter: str, first: int, last: int) -> list[object]:
    return [ws[f"{letter}{row}"].value for row in range(first, last + 1)]


def test_sheets(framework: Framework) -> None:
    workbook = reopen(make_plan(framework))
    assert workbook.sheetnames == ["Summary", "Action plan", "Evidence", "About", "Lists"]
    assert workbook["Lists"].sheet_state == "hidden"
    assert workbook.active.title == "Summary"


def test_summary_shows_levels_and_leaves_not_rated_blank(framework: Framework) -> None:
    ws = reopen(make_plan(framework))["Summary"]
    assert [ws.cell(row=r, column=2).value for r in range(3, 7)] == [
        "Northshire NHS Foundation Trust", "Crisis team", "Adult community", "Spring 2027"]
    assert ws["B9"].value == datetime(2027, 3, 15, 9, 30)
    assert ws["B10"].value == "2 in the plan, 1 overdue on 15 March 2027"
    header = [cell.value for cell in ws[12]]
    assert header[:8] == ["No.", "Challenge", "Level", "Level label", "Previous level",
                          "Change", "Target", "Priority"]
    assert [cell.value for cell in ws[13]][:8] == [
        1, "Day-to-day interactions", 1, "Not yet started", 1, 0, 4, "Yes"]
    assert [cell.value for cell in ws[14]][:8] == [
        2, framework.challenges[1].title, 2, "Engagement", 1, 1, 4, "Yes"]
    not_rated = [cell.value for cell in ws[16]][:8]
    assert not_rated == [4, "Leadership and culture", None, "Not rated", 1, None, 4, None]
    assert column(ws, "C", 13, 22).count(None) == 1  # "Not rated" is blank, never 0
    assert 0 not in column(ws, "C", 13, 22)
    assert "Ratings" in ws.tables
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_radar_chart_is_native_with_a_series_per_round_and_target(framework: Framework) -> None:
    with zipfile.ZipFile(BytesIO(build_team_workbook(make_plan(framework)))) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "radarChart" in chart
    for title in ("This round", "Previous round", "Target"):
        assert f"<v>{title}</v>" in chart
    assert "'Summary'!$C$13:$C$22" in chart and "'Summary'!$B$13:$B$22" in chart
    assert '<max val="4" />' in chart and '<min val="0" />' in chart


def test_radar_chart_without_a_previous_round(framework: Framework) -> None:
    plan = make_plan(framework, previous_round=None,
                     rows=challenge_rows(framework, {}, None))
    with zipfile.ZipFile(BytesIO(build_team_workbook(plan))) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "Previous round" not in chart and "<v>This round</v>" in chart
    assert reopen(plan)["Summary"]["B7"].value == "None"


def test_action_plan_is_a_filterable_table_with_frozen_header(framework: Framework) -> None:
    ws = reopen(make_plan(framework))["Action plan"]
    assert [cell.value for cell in ws[1]] == [
        "Challenge", "Action", "Description", "Lead", "People involved (co-production)",
        "Start", "Due", "Status", "Overdue", "Measure of success", "Review note"]
    assert ws["A2"].value == "1. Day-to-day interactions"
    assert ws["A3"].value == f"2. {framework.challenges[1].title}"
    table = ws.tables["ActionPlan"]
    assert table.ref == f"A1:K{3 + excel.BLANK_ACTION_ROWS}"  # room to add actions
    assert table.autoFilter is not None
    assert ws.freeze_panes == "A2"
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.page_setup.fitToWidth == 1
    assert ws.column_dimensions["A"].width >= 14


def test_action_dates_are_date_cells(framework: Framework) -> None:
    ws = reopen(make_plan(framework))["Action plan"]
    start, due = ws["F2"], ws["G2"]
    assert start.is_date and start.value.date() == date(2027, 1, 10)
    assert due.is_date and due.value.date() == TODAY - timedelta(days=1)
    assert start.number_format == excel.DATE_FORMAT
    assert ws["G10"].number_format == excel.DATE_FORMAT  # blank rows are ready for dates


def test_action_plan_drop_down_lists(framework: Framework) -> None:
    workbook = reopen(make_plan(framework))
    ws = workbook["Action plan"]
    lists = {dv.formula1: dv for dv in ws.data_validations.dataValidation}
    status = lists['"Not started,In progress,Done,Stopped"']
    assert status.type == "list" and "H2:H" in str(status.sqref)
    assert STATUS_LABELS == ("Not started", "In progress", "Done", "Stopped")
    challenge = lists["Lists!$A$1:$A$10"]
    assert challenge.type == "list" and "A2:A" in str(challenge.sqref)
    labels = column(workbook["Lists"], "A", 1, 10)
    assert labels == [f"{c.number}. {c.title}" for c in framework.challenges]
    assert len(",".join(labels)) > 255  # why the list is in cells, not inline
    last_validated = int(str(status.sqref).split(":H")[1])
    assert last_validated > 3 + excel.BLANK_ACTION_ROWS
    assert any(dv.type == "date" and "F2:G" in str(dv.sqref) for dv in lists.values())


def test_overdue_actions_are_highlighted_by_a_formula(framework: Framework) -> None:
    ws = reopen(make_plan(framework))["Action plan"]
    rules = [
        (str(formatting.sqref), rule)
        for formatting in ws.conditional_formatting
        for rule in formatting.rules
    ]
    assert len(rules) == 1
    sqref, rule = rules[0]
    assert sqref.startswith("A2:K")
    assert rule.type == "expression"
    assert rule.formula == [
        'AND(ISNUMBER($G2),$G2<TODAY(),OR($H2="Not started",$H2="In progress"))']
    assert rule.dxf.fill is not None
    assert ws["I2"].value == f'=IF({rule.formula[0]},"Overdue","")'
    assert ws["I3"].data_type == "f"


@pytest.mark.parametrize("text", TRIGGERS)
def test_formula_like_text_is_stored_as_literal_text(framework: Framework, text: str) -> None:
    rows = challenge_rows(framework, {framework.challenge_ids[0]: RatingValue(1, evidence=text)})
    plan = make_plan(framework, team=text, unit=text, round=text, organisation=text, rows=rows,
                     actions=[action(framework, 1, title=text, lead=text, review_note=text)])
    workbook = reopen(plan)
    cells = [workbook["Summary"][ref] for ref in ("B3", "B4", "B5", "B6")]
    cells += [workbook["Action plan"][ref] for ref in ("B2", "D2", "K2")]
    cells.append(workbook["Evidence"]["E2"])
    for cell in cells:
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix, cell.coordinate


def test_ordinary_text_has_no_quote_prefix(framework: Framework) -> None:
    workbook = reopen(make_plan(framework))
    assert workbook["Summary"]["B4"].value == "Crisis team"
    assert not workbook["Summary"]["B4"].quotePrefix
    assert not workbook["Action plan"]["B2"].quotePrefix


def test_only_the_overdue_column_holds_formulas(framework: Framework) -> None:
    plan = make_plan(framework, team=TRIGGERS[0],
                     actions=[action(framework, 1, description=t) for t in TRIGGERS])
    workbook = reopen(plan)
    formulas = {
        (ws.title, cell.column_letter)
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    }
    assert formulas == {("Action plan", "I")}


def test_control_characters_do_not_break_the_export(framework: Framework) -> None:
    pasted = "first\x0bsecond\x00\x08\x0c\x1f\x7f end\r\nthird\ud800"
    rows = challenge_rows(framework, {framework.challenge_ids[0]: RatingValue(1, evidence=pasted)})
    plan = make_plan(framework, team="Team\x0bA", rows=rows,
                     actions=[action(framework, 1, description=pasted)])
    workbook = reopen(plan)
    assert workbook["Summary"]["B4"].value == "Team\nA"
    assert workbook["Evidence"]["E2"].value == "first\nsecond\x7f end\nthird"
    assert workbook["Action plan"]["C2"].value == "first\nsecond\x7f end\nthird"


def test_text_is_capped_at_excels_cell_limit(framework: Framework) -> None:
    rows = challenge_rows(
        framework, {framework.challenge_ids[0]: RatingValue(1, evidence="x" * 40_000)})
    ws = reopen(make_plan(framework, rows=rows))["Evidence"]
    assert len(ws["E2"].value) == EXCEL_CELL_LIMIT
    assert ws.row_dimensions[2].height <= 409


def test_evidence_sheet(framework: Framework) -> None:
    ws = reopen(make_plan(framework))["Evidence"]
    assert [cell.value for cell in ws[1]] == [
        "No.", "Challenge", "Level", "Level label", "Evidence"]
    assert [cell.value for cell in ws[2]] == [
        1, "Day-to-day interactions", 1, "Not yet started", "Evidence for challenge 1"]
    assert ws["C5"].value is None and ws["D5"].value == "Not rated"
    assert ws["E2"].alignment.wrap_text


def test_about_sheet_lists_every_descriptor(framework: Framework) -> None:
    ws = reopen(make_plan(framework))["About"]
    assert ws["B3"].value == framework.name
    assert ws["B4"].value == framework.version
    assert ws["B5"].value == framework.attribution
    assert ws["B6"].value == datetime(2027, 3, 15, 9, 30)
    header_row = next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == "Challenge")
    assert [cell.value for cell in ws[header_row]] == ["Challenge"] + [
        f"{level.value}. {level.label}" for level in framework.levels]
    for offset, challenge in enumerate(framework.challenges, start=1):
        row = [cell.value for cell in ws[header_row + offset]]
        assert row == [f"{challenge.number}. {challenge.title}"] + [
            challenge.descriptors[level.value] for level in framework.levels]


def test_empty_plan_builds(framework: Framework) -> None:
    plan = make_plan(framework, rows=challenge_rows(framework, {}), actions=[], unit="",
                     previous_round=None)
    workbook = reopen(plan)
    assert workbook["Summary"]["B5"].value == "No unit"
    assert workbook["Action plan"].tables["ActionPlan"].ref == (
        f"A1:K{1 + excel.BLANK_ACTION_ROWS}")


def test_action_outside_the_framework_keeps_its_title(framework: Framework) -> None:
    plan = make_plan(framework, actions=[action(framework, 1, challenge_number=0,
                                                challenge_title="retired_challenge")])
    assert reopen(plan)["Action plan"]["A2"].value == "retired_challenge"


@pytest.mark.parametrize(
    ("team", "round_", "expected"),
    [
        ("Crisis Team (North)", "Spring 2027", "crisis-team-north-spring-2027-action-plan.xlsx"),
        ("Équipe Café", "Été/2027", "equipe-cafe-ete-2027-action-plan.xlsx"),
        ("../../etc/passwd", "..", "etc-passwd-round-action-plan.xlsx"),
        ("=cmd|' /C calc'!A0", "", "cmd-c-calc-a0-round-action-plan.xlsx"),
        ("心理健康", "春", "team-round-action-plan.xlsx"),
    ],
)
def test_plan_filename(team: str, round_: str, expected: str) -> None:
    assert plan_filename(team, round_) == expected


def test_plan_filename_is_bounded() -> None:
    assert len(plan_filename("a" * 500, "b" * 500)) <= 60 + 1 + 60 + len("-action-plan.xlsx")


def _soffice(tmp_path: Path, source: Path, target: str) -> Path:
    """Convert with a throwaway LibreOffice profile, so parallel test workers do not clash."""
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", target, "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    return tmp_path / f"{source.stem}.{target.split(':')[0]}"


needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")


@needs_soffice
def test_libreoffice_prints_the_workbook(framework: Framework, tmp_path: Path) -> None:
    source = tmp_path / "plan.xlsx"
    source.write_bytes(build_team_workbook(make_plan(framework)))
    pdf = _soffice(tmp_path, source, "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


@needs_soffice
def test_libreoffice_shows_formula_like_text_literally(framework: Framework,
                                                       tmp_path: Path) -> None:
    source = tmp_path / "plan.xlsx"
    source.write_bytes(build_team_workbook(make_plan(framework, team=TRIGGERS[0], unit="=1+1")))
    summary = _soffice(tmp_path, source, "csv").read_text(encoding="utf-8")
    assert '"=HYPERLINK(""http://x"")"' in summary  # the text, not the link it would make
    assert "Unit,=1+1" in summary  # not evaluated to 2
