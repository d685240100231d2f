"""Pure spreadsheet rendering: a team's round and action plan as an .xlsx workbook.

Takes plain data (TeamPlan) and returns bytes, importing neither Flask nor the database, so
the same numbers reach the page and the file and the workbook can be tested without an app.

The file is meant to be worked in, not only read: the action plan is an Excel table with
drop-down lists, date cells and an overdue highlight that recalculates as people edit it.
Everything typed by users goes through safe_cell(), so no text can become a live formula
(reliability.md section 2.1) and no pasted control character can break the export.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import RadarChart, Reference, Series
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .frameworks import Framework
from .scoring import ChallengeRow
from .text import slug, strip_illegal
from .votes import VoteSummary

EXCEL_CELL_LIMIT = 32_767
STATUS_LABELS = ("Not started", "In progress", "Done", "Stopped")
OPEN_STATUS_LABELS = ("Not started", "In progress")
# Blank rows inside the action table, and rows below it that keep the drop-downs and the
# overdue highlight, so a team can add actions without breaking the sheet.
BLANK_ACTION_ROWS = 15
EXTRA_VALIDATED_ROWS = 500

DATE_FORMAT = "d mmm yyyy"
DATETIME_FORMAT = "d mmm yyyy hh:mm"
CHANGE_FORMAT = "+0;-0;0"
MAX_ROW_HEIGHT = 409  # points; Excel's limit
LINE_HEIGHT = 15  # points per line of 11 pt text

# Excel and LibreOffice read a cell starting with one of these as a formula when it is edited.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n")

BOLD = Font(bold=True)
# Set on the cells as well as by the table style, which LibreOffice does not draw.
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill(start_color="005EB8", end_color="005EB8", fill_type="solid")
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
_LEFT = Alignment(horizontal="left")  # dates too, in label/value blocks
WRAP_LEFT = Alignment(wrap_text=True, vertical="top", horizontal="left")
CENTRE = Alignment(horizontal="center", vertical="top")
_TABLE_STYLE = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
_OVERDUE_FILL = PatternFill(start_color="F9D6D5", end_color="F9D6D5", fill_type="solid")
_OVERDUE_FONT = Font(color="8A1538", bold=True)

# NHS palette: blue for this round, grey for the previous one, green for the target.
_SERIES_STYLE = {
    "This round": ("005EB8", "solid", "circle"),
    "Previous round": ("768692", "sysDash", "square"),
    "Target": ("007F3B", "dash", "triangle"),
}


@dataclass(frozen=True)
class ActionRow:
    """One action of the team's plan, as the workbook shows it (status as its label)."""

    challenge_number: int  # 0 when the challenge is not in this round's framework
    challenge_title: str
    title: str
    description: str
    lead: str
    coproduction: str
    starts_on: date | None
    due_on: date | None
    status: str
    success_measure: str
    review_note: str


@dataclass(frozen=True)
class TeamPlan:
    """Everything one team's workbook holds; built by services.exports from the database."""

    organisation: str
    team: str
    unit: str
    round: str
    framework: Framework
    rows: list[ChallengeRow]
    actions: list[ActionRow]
    previous_round: str | None
    generated_at: datetime
    today: date
    # Vote counts kept from the team's live workshops, by challenge id; empty when none ran.
    workshop: Mapping[str, VoteSummary] = field(default_factory=dict)

    @property
    def overdue_count(self) -> int:
        return sum(1 for action in self.actions if is_overdue(action, self.today))


def is_overdue(action: ActionRow, today: date) -> bool:
    """Past its due date and still open: the same rule as the sheet's highlight formula."""
    return (
        action.due_on is not None
        and action.due_on < today
        and action.status in OPEN_STATUS_LABELS
    )


def clean_cell_text(value: str) -> str:
    """Text that XML and Excel accept: line breaks normalised, illegal characters dropped."""
    return strip_illegal(value)[:EXCEL_CELL_LIMIT]


def safe_cell(cell: Cell, value: str) -> Cell:
    """Write text so that it is always shown as typed and never run as a formula.

    openpyxl turns a string starting with '=' into a live formula, and Excel re-parses a
    cell starting with = + - @ or a tab/line break when someone edits it. So the cell is
    always a string cell, and quotePrefix (Excel's own "this is text" flag, not a visible
    apostrophe) is set when the first non-space character is one of those triggers.
    """
    text = clean_cell_text(value)
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet read this text as a formula? (first non-space character)"""
    stripped = text.lstrip(" ")
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


def plan_filename(team: str, round: str) -> str:
    """'<team>-<round>-action-plan.xlsx' in lower-case ASCII, safe in any file system."""
    return f"{slug(team, 'team')}-{slug(round, 'round')}-action-plan.xlsx"


def build_team_workbook(plan: TeamPlan) -> bytes:
    """The team's workbook: Summary (with radar chart), Action plan, Evidence, Workshop (only
    when the team voted in a live workshop), About."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    actions = workbook.create_sheet("Action plan")
    evidence = workbook.create_sheet("Evidence")
    if plan.workshop:
        _write_workshop(workbook.create_sheet("Workshop"), plan)
    about = workbook.create_sheet("About")
    lists = workbook.create_sheet("Lists")
    challenge_list = _write_lists(lists, plan.framework)
    _write_summary(summary, plan)
    _write_actions(actions, plan, challenge_list)
    _write_evidence(evidence, plan.rows)
    _write_about(about, plan)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- cells and layout -----------------------------------------------------------------------


def put(
    ws: Worksheet,
    row: int,
    column: int,
    value: str | int | date | datetime | None,
    font: Font | None = None,
    alignment: Alignment | None = None,
    number_format: str | None = None,
) -> Cell:
    """Write one cell; every string, ours or the user's, goes through safe_cell."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        safe_cell(cell, value)
    elif isinstance(value, datetime):
        cell.value = _wall_clock(value)
        cell.number_format = DATETIME_FORMAT
    else:
        cell.value = value
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _wall_clock(moment: datetime) -> datetime:
    """Excel has no time zones: keep the clock time the caller chose, drop the zone."""
    return moment.replace(tzinfo=None)


def write_headers(ws: Worksheet, row: int, headers: Iterable[str]) -> None:
    for column, header in enumerate(headers, start=1):
        cell = put(ws, row, column, header, font=_HEADER_FONT, alignment=WRAP)
        cell.fill = _HEADER_FILL


def add_table(ws: Worksheet, name: str, first_row: int, last_row: int, columns: int) -> None:
    """An Excel table (filter buttons, banded rows) over a header row and its data."""
    ref = f"A{first_row}:{get_column_letter(columns)}{last_row}"
    table = Table(displayName=name, ref=ref, tableStyleInfo=_TABLE_STYLE)
    ws.add_table(table)


def _text_width(value: object) -> int:
    """Characters of the longest line the value shows."""
    if value is None:
        return 0
    if isinstance(value, date):
        return 16 if isinstance(value, datetime) else 11
    return max(len(line) for line in str(value).split("\n"))


def fit_columns(
    ws: Worksheet, first_row: int, widths: dict[int, tuple[int, int]]
) -> dict[int, int]:
    """Size each column to its longest line within (minimum, maximum); returns the widths."""
    fitted: dict[int, int] = {}
    for column, (minimum, maximum) in widths.items():
        longest = max(
            (_text_width(cells[0].value) for cells in ws.iter_rows(
                min_row=first_row, min_col=column, max_col=column)),
            default=0,
        )
        fitted[column] = min(max(longest + 2, minimum), maximum)
        ws.column_dimensions[get_column_letter(column)].width = fitted[column]
    return fitted


def _lines_needed(value: object, width: float) -> int:
    """Lines a wrapped cell takes at this column width (about 1.2 characters per unit)."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(1, int(width * 1.2))
    return sum(max(1, math.ceil(len(line) / per_line)) for line in value.split("\n"))


def _fit_rows(ws: Worksheet, first_row: int, last_row: int, widths: dict[int, float]) -> None:
    """Set row heights for wrapped text: Excel does not grow rows of a generated file itself."""
    for row in range(first_row, last_row + 1):
        lines = max(
            _lines_needed(ws.cell(row=row, column=column).value, width)
            for column, width in widths.items()
        )
        if lines > 1:
            ws.row_dimensions[row].height = min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT)


def print_setup(ws: Worksheet, title_row: int | None = None, pages_high: int = 0) -> None:
    """A4 landscape, one page wide (pages_high 0: as many pages as it needs), header repeated."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages_high
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "&A, page &P of &N"
    if title_row is not None:
        ws.print_title_rows = f"{title_row}:{title_row}"


def challenge_label(number: int, title: str) -> str:
    return f"{number}. {title}" if number else title


# --- sheets ---------------------------------------------------------------------------------


def _write_lists(ws: Worksheet, framework: Framework) -> str:
    """Hidden sheet with the challenge drop-down's choices; returns the range to refer to.

    An inline list is limited to 255 characters and splits on commas, and challenge titles
    (which a trust may edit) easily break both, so the list lives in cells instead.
    """
    ws.sheet_state = "hidden"
    for row, challenge in enumerate(framework.challenges, start=1):
        put(ws, row, 1, challenge_label(challenge.number, challenge.title))
    return f"Lists!$A$1:$A${len(framework.challenges)}"


def _write_summary(ws: Worksheet, plan: TeamPlan) -> None:
    put(ws, 1, 1, "Recovery self-assessment: team summary", font=TITLE_FONT)
    details: list[tuple[str, str | datetime]] = [
        ("Organisation", plan.organisation),
        ("Team", plan.team),
        ("Unit", plan.unit or "No unit"),
        ("Round", plan.round),
        ("Previous round", plan.previous_round or "None"),
        ("Framework", f"{plan.framework.name}, version {plan.framework.version}"),
        ("Made on", plan.generated_at),
        ("Actions", f"{len(plan.actions)} in the plan, {plan.overdue_count} overdue "
                    f"on {plan.today.day} {plan.today:%B %Y}"),
    ]
    for row, (label, value) in enumerate(details, start=3):
        put(ws, row, 1, label, font=BOLD)
        put(ws, row, 2, value, alignment=_LEFT)

    header_row = 3 + len(details) + 1
    write_headers(ws, header_row, ("No.", "Challenge", "Level", "Level label", "Previous level",
                              "Change", "Target", "Priority"))
    for row, item in enumerate(plan.rows, start=header_row + 1):
        put(ws, row, 1, item.number, alignment=CENTRE)
        put(ws, row, 2, item.title, alignment=TOP)
        put(ws, row, 3, item.level, alignment=CENTRE)  # None stays blank: never a zero
        put(ws, row, 4, item.level_label, alignment=TOP)
        put(ws, row, 5, item.previous, alignment=CENTRE)
        put(ws, row, 6, item.change, alignment=CENTRE, number_format=CHANGE_FORMAT)
        put(ws, row, 7, item.target, alignment=CENTRE)
        put(ws, row, 8, "Yes" if item.priority else None, alignment=CENTRE)
    last_row = header_row + len(plan.rows)
    add_table(ws, "Ratings", header_row, last_row, 8)
    fit_columns(ws, 3, {1: (6, 16), 2: (20, 60), 3: (7, 8), 4: (12, 20), 5: (9, 16),
                         6: (8, 9), 7: (8, 9), 8: (9, 10)})
    ws.add_chart(_radar_chart(ws, plan, header_row, last_row), f"B{last_row + 2}")
    print_setup(ws, pages_high=1)  # the table and its chart belong on one page


def _radar_chart(ws: Worksheet, plan: TeamPlan, header_row: int, last_row: int) -> RadarChart:
    """Excel's own radar chart over the summary table, so it follows edits to the levels."""
    chart = RadarChart()
    chart.type = "marker"
    chart.title = "Levels by challenge"
    chart.width, chart.height = 22, 14  # centimetres
    chart.legend.position = "b"
    series_columns = {"This round": 3, "Previous round": 5, "Target": 7}
    if not plan.previous_round:
        del series_columns["Previous round"]
    for title, column in series_columns.items():
        values = Reference(ws, min_col=column, min_row=header_row + 1, max_row=last_row)
        series = Series(values, title=title)
        colour, dash, symbol = _SERIES_STYLE[title]
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.width = 28575  # 2.25 pt in EMU
        series.graphicalProperties.line.dashStyle = dash
        series.marker.symbol = symbol
        series.marker.size = 7
        series.marker.graphicalProperties.solidFill = colour
        series.marker.graphicalProperties.line.solidFill = colour
        chart.series.append(series)
    chart.set_categories(Reference(ws, min_col=2, min_row=header_row + 1, max_row=last_row))
    # openpyxl 3.1 marks axes as deleted unless told otherwise, which hides them in Excel.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = plan.framework.max_level
    chart.y_axis.majorUnit = 1
    return chart


_ACTION_HEADERS = (
    "Challenge", "Action", "Description", "Lead", "People involved (co-production)",
    "Start", "Due", "Status", "Overdue", "Measure of success", "Review note",
)
_WRAPPED_ACTION_COLUMNS = {1, 2, 3, 4, 5, 10, 11}
_DATE_COLUMNS = (6, 7)


def _overdue_condition(row: int) -> str:
    """Due date passed and status open; TODAY() keeps it right as days pass and rows change."""
    statuses = ",".join(f'$H{row}="{label}"' for label in OPEN_STATUS_LABELS)
    return f'AND(ISNUMBER($G{row}),$G{row}<TODAY(),OR({statuses}))'


def _write_actions(ws: Worksheet, plan: TeamPlan, challenge_list: str) -> None:
    write_headers(ws, 1, _ACTION_HEADERS)
    last_row = 1 + len(plan.actions) + BLANK_ACTION_ROWS
    for row, action in enumerate(plan.actions, start=2):
        values = (
            challenge_label(action.challenge_number, action.challenge_title), action.title,
            action.description, action.lead, action.coproduction, action.starts_on,
            action.due_on, action.status, None, action.success_measure, action.review_note,
        )
        for column, value in enumerate(values, start=1):
            put(ws, row, column, value)
    for row in range(2, last_row + 1):
        for column in range(1, len(_ACTION_HEADERS) + 1):
            cell = ws.cell(row=row, column=column)
            if column in _DATE_COLUMNS:
                cell.alignment = CENTRE
                cell.number_format = DATE_FORMAT
            else:
                cell.alignment = WRAP if column in _WRAPPED_ACTION_COLUMNS else TOP
        # App-made formula: says "Overdue" in words, so the highlight is not colour alone.
        ws.cell(row=row, column=9).value = f'=IF({_overdue_condition(row)},"Overdue","")'
    add_table(ws, "ActionPlan", 1, last_row, len(_ACTION_HEADERS))
    ws.freeze_panes = "A2"

    validated = last_row + EXTRA_VALIDATED_ROWS
    challenge = DataValidation(type="list", formula1=challenge_list, allow_blank=True,
                               error="Choose a challenge from the list", errorTitle="Challenge")
    status = DataValidation(type="list", formula1=f'"{",".join(STATUS_LABELS)}"',
                            allow_blank=True, error="Choose a status from the list",
                            errorTitle="Status")
    dates = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                           formula2="DATE(2100,12,31)", allow_blank=True,
                           error="Enter a date, for example 31/03/2027", errorTitle="Date")
    for validation, ref in ((challenge, f"A2:A{validated}"), (status, f"H2:H{validated}"),
                            (dates, f"F2:G{validated}")):
        validation.showErrorMessage = True
        validation.add(ref)
        ws.add_data_validation(validation)
    ws.conditional_formatting.add(
        f"A2:K{validated}",
        FormulaRule(formula=[_overdue_condition(2)], fill=_OVERDUE_FILL, font=_OVERDUE_FONT),
    )

    widths = fit_columns(ws, 1, {1: (14, 24), 2: (14, 26), 3: (14, 34), 4: (8, 16),
                                  5: (16, 22), 6: (12, 12), 7: (12, 12), 8: (12, 12),
                                  9: (10, 10), 10: (14, 24), 11: (14, 28)})
    _fit_rows(ws, 1, 1, widths)
    _fit_rows(ws, 2, 1 + len(plan.actions), {c: widths[c] for c in _WRAPPED_ACTION_COLUMNS})
    print_setup(ws, title_row=1)


def _write_evidence(ws: Worksheet, rows: list[ChallengeRow]) -> None:
    write_headers(ws, 1, ("No.", "Challenge", "Level", "Level label", "Evidence"))
    for row, item in enumerate(rows, start=2):
        put(ws, row, 1, item.number, alignment=CENTRE)
        put(ws, row, 2, item.title, alignment=TOP)
        put(ws, row, 3, item.level, alignment=CENTRE)
        put(ws, row, 4, item.level_label, alignment=TOP)
        put(ws, row, 5, item.evidence, alignment=WRAP)
    add_table(ws, "EvidenceNotes", 1, 1 + len(rows), 5)
    ws.freeze_panes = "A2"
    widths = fit_columns(ws, 1, {1: (6, 6), 2: (20, 50), 3: (7, 7), 4: (12, 20), 5: (40, 90)})
    _fit_rows(ws, 2, 1 + len(rows), {5: widths[5]})
    print_setup(ws, title_row=1)


def _write_about(ws: Worksheet, plan: TeamPlan) -> None:
    framework = plan.framework
    level_columns = len(framework.levels)
    put(ws, 1, 1, "About this file", font=TITLE_FONT)
    details: list[tuple[str, str | datetime]] = [
        ("Framework", framework.name),
        ("Version", framework.version),
        ("Attribution", framework.attribution or "None given"),
        ("Made on", plan.generated_at),
        ("Not rated", "A blank level means the team has not rated that challenge yet. "
                      "It is not a level of zero."),
    ]
    for row, (label, value) in enumerate(details, start=3):
        put(ws, row, 1, label, font=BOLD, alignment=TOP)
        put(ws, row, 2, value, alignment=WRAP_LEFT)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=1 + level_columns)

    header_row = 3 + len(details) + 1
    write_headers(ws, header_row,
                  ["Challenge"] + [f"{lv.value}. {lv.label}" for lv in framework.levels])
    for row, challenge in enumerate(framework.challenges, start=header_row + 1):
        put(ws, row, 1, challenge_label(challenge.number, challenge.title), alignment=WRAP)
        for column, level in enumerate(framework.levels, start=2):
            put(ws, row, column, challenge.descriptors[level.value], alignment=WRAP)
    last_row = header_row + len(framework.challenges)
    add_table(ws, "Descriptors", header_row, last_row, 1 + level_columns)
    widths = {1: 30.0} | {column: 34.0 for column in range(2, 2 + level_columns)}
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    _fit_rows(ws, header_row + 1, last_row, widths)
    merged_width = {2: sum(widths.values()) - widths[1]}
    _fit_rows(ws, 3, 2 + len(details), merged_width)
    print_setup(ws, title_row=header_row)


def _write_workshop(ws: Worksheet, plan: TeamPlan) -> None:
    """How the team voted before agreeing: counts per level, median and spread beside the
    agreed level. Counts only, so the sheet holds no personal data."""
    framework = plan.framework
    put(ws, 1, 1, "Live workshop votes", font=TITLE_FONT)
    put(ws, 2, 1, "Anonymous votes cast before the team agreed each level. Only the number of "
                  "votes for each level is kept: no names or other personal data.")
    header_row = 4
    level_headers = [f"{level.value}. {level.label}" for level in framework.levels]
    write_headers(ws, header_row, ["No.", "Challenge", *level_headers, "Not sure", "Votes",
                                   "Median", "Lowest", "Highest", "Levels spanned",
                                   "Views differ widely", "Agreed level"])
    for row, item in enumerate(plan.rows, start=header_row + 1):
        put(ws, row, 1, item.number, alignment=CENTRE)
        put(ws, row, 2, item.title, alignment=TOP)
        votes = plan.workshop.get(item.challenge_id)
        if votes is not None:
            numbers = [*votes.counts, votes.not_sure, votes.voters]
            for column, number in enumerate(numbers, start=3):
                put(ws, row, column, number, alignment=CENTRE)
            column = 3 + len(numbers)
            ws.cell(row=row, column=column, value=votes.median).alignment = CENTRE
            put(ws, row, column + 1, votes.lowest, alignment=CENTRE)
            put(ws, row, column + 2, votes.highest, alignment=CENTRE)
            put(ws, row, column + 3, votes.span, alignment=CENTRE)
            put(ws, row, column + 4, "Yes" if votes.differ_widely else "No", alignment=CENTRE)
        put(ws, row, 10 + len(framework.levels), item.level, alignment=CENTRE)
    columns = 10 + len(framework.levels)
    add_table(ws, "WorkshopVotes", header_row, header_row + len(plan.rows), columns)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)
    fit_columns(ws, header_row, {1: (6, 6), 2: (20, 50)}
                | {column: (9, 16) for column in range(3, columns + 1)})
    print_setup(ws, title_row=header_row)
