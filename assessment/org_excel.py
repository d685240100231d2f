"""Pure spreadsheet rendering of an organisation's round: the workbook a lead takes to the board
or to an action-planning day.

With team names (leads): Matrix (teams by challenges under a colour scale that shows each
number), Distribution, Trend (medians by round with Excel's own line chart), Actions (every
team's actions as one filterable table) and Completion. Without them (viewers): the same
aggregates and nothing that names a team or carries a team's free text.

Built with excel.py's helpers, so every string goes through safe_cell and no user text can
become a formula. Per-cell styling is kept to headers: a thousand teams and five thousand
actions must write in about the time bare openpyxl takes for the same cells (make bench).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .aggregates import SMALL_GROUP, ActionCounts, Spread
from .excel import (
    BOLD,
    CENTRE,
    DATE_FORMAT,
    TITLE_FONT,
    WRAP,
    WRAP_LEFT,
    ActionRow,
    add_table,
    fit_columns,
    print_setup,
    put,
    write_headers,
)
from .frameworks import Framework
from .text import slug

MEAN_FORMAT = "0.0"
MEDIAN_FORMAT = "0.##"
# The same light-to-dark blue as the charts, stopping at a shade on which black text reads.
_SCALE = ("EAF2FB", "9ECAE1", "4292C6")
# Hatched, not a shade, so "not rated" never reads as a low level; the cell is also blank.
_NOT_RATED_FILL = PatternFill(fill_type="lightUp", fgColor="768692", bgColor="FFFFFF")
_MARKERS = ("circle", "square", "triangle", "diamond", "x", "star", "plus", "dash", "dot")
HIDDEN_NOTE = f"Fewer than {SMALL_GROUP} teams rated this, so it is not shown"


@dataclass(frozen=True)
class MatrixRow:
    """One team's line in the Matrix and Completion sheets."""

    team: str
    unit: str
    status: str
    levels: tuple[int | None, ...]
    mean: float | None

    @property
    def rated(self) -> int:
        return sum(1 for level in self.levels if level is not None)


@dataclass(frozen=True)
class TeamAction:
    """An action with the team it belongs to, for the organisation's one table of actions."""

    team: str
    unit: str
    action: ActionRow
    overdue: bool


@dataclass(frozen=True)
class OrgWorkbook:
    """Everything the organisation workbook holds; built by services.org_exports.

    ``named`` False means a viewer's file: ``matrix`` and ``actions`` must then be empty, and
    ``spreads`` already have small groups hidden (None).
    """

    organisation: str
    scope: str  # "All units" or the unit's name
    round: str
    previous_round: str | None
    framework: Framework
    named: bool
    generated_at: datetime
    spreads: tuple[Spread | None, ...]  # per challenge, this round
    priorities: tuple[int, ...]  # per challenge, teams choosing it as a priority
    action_counts: tuple[ActionCounts, ...]  # per challenge
    completion: tuple[int, int, int]  # agreed, in progress, not started
    trend_rounds: tuple[str, ...]  # oldest first
    trend_medians: tuple[tuple[float | None, ...], ...]  # per round, per challenge
    matrix: tuple[MatrixRow, ...] = ()
    actions: tuple[TeamAction, ...] = ()

    def __post_init__(self) -> None:
        if not self.named and (self.matrix or self.actions):
            raise ValueError("A workbook without team names cannot hold teams' rows")

    @property
    def challenge_labels(self) -> tuple[str, ...]:
        return tuple(f"{c.number}. {c.title}" for c in self.framework.challenges)


def org_filename(organisation: str, round_: str, scope: str, named: bool) -> str:
    """'<organisation>-<round>[-<unit>]-organisation[-summary].xlsx', in safe ASCII."""
    parts = [slug(organisation, "organisation", 40), slug(round_, "round", 30)]
    if scope:
        parts.append(slug(scope, "unit", 30))
    return "-".join(parts) + ("-organisation.xlsx" if named else "-organisation-summary.xlsx")


def build_org_workbook(data: OrgWorkbook) -> bytes:
    """The workbook as .xlsx bytes; sheets as described in the module docstring."""
    workbook = Workbook()
    about = workbook.active
    about.title = "About"
    _write_about(about, data)
    if data.named:
        _write_matrix(workbook.create_sheet("Matrix"), data)
    _write_distribution(workbook.create_sheet("Distribution"), data)
    _write_trend(workbook.create_sheet("Trend"), data)
    _write_actions(workbook.create_sheet("Actions"), data)
    _write_completion(workbook.create_sheet("Completion"), data)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_about(ws: Worksheet, data: OrgWorkbook) -> None:
    put(ws, 1, 1, "Recovery self-assessment: organisation summary", font=TITLE_FONT)
    details: list[tuple[str, str | datetime]] = [
        ("Organisation", data.organisation),
        ("Teams", data.scope),
        ("Round", data.round),
        ("Previous round", data.previous_round or "None"),
        ("Framework", f"{data.framework.name}, version {data.framework.version}"),
        ("Made on", data.generated_at),
        ("Not rated", "A blank level means the team has not rated that challenge. "
                      "It is not a level of zero."),
        ("Medians", "The median is the middle team's level; the quartiles bound the middle "
                    "half of teams. Only rated teams count."),
    ]
    if not data.named:
        details.append(("Team names", "This file holds figures for groups of teams only. "
                                      f"Groups of fewer than {SMALL_GROUP} teams are not shown."))
    for row, (label, value) in enumerate(details, start=3):
        put(ws, row, 1, label, font=BOLD, alignment=WRAP)
        put(ws, row, 2, value, alignment=WRAP_LEFT)
    first = 4 + len(details)
    write_headers(ws, first, ("Level", "Meaning"))
    for row, level in enumerate(data.framework.levels, start=first + 1):
        put(ws, row, 1, level.value)
        put(ws, row, 2, level.label)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90
    print_setup(ws)


def _write_matrix(ws: Worksheet, data: OrgWorkbook) -> None:
    """Teams by challenges; Excel's colour scale shades the levels and blanks are grey."""
    challenges = len(data.framework.challenges)
    write_headers(ws, 1, ("Team", "Unit", "Status", *data.challenge_labels, "Mean level"))
    for row, item in enumerate(data.matrix, start=2):
        for column, value in enumerate((item.team, item.unit or "No unit", item.status),
                                       start=1):
            put(ws, row, column, value)
        for column, level in enumerate(item.levels, start=4):
            put(ws, row, column, level, alignment=CENTRE)
        put(ws, row, 4 + challenges, item.mean, number_format=MEAN_FORMAT)
    last = 1 + max(len(data.matrix), 1)
    add_table(ws, "Matrix", 1, last, 4 + challenges)
    first_level, last_level = get_column_letter(4), get_column_letter(3 + challenges)
    levels = f"{first_level}2:{last_level}{last}"
    lowest, highest = data.framework.min_level, data.framework.max_level
    ws.conditional_formatting.add(levels, FormulaRule(formula=[f"ISBLANK({first_level}2)"],
                                                      fill=_NOT_RATED_FILL))
    ws.conditional_formatting.add(levels, ColorScaleRule(
        start_type="num", start_value=lowest, start_color=_SCALE[0],
        mid_type="num", mid_value=(lowest + highest) / 2, mid_color=_SCALE[1],
        end_type="num", end_value=highest, end_color=_SCALE[2]))
    ws.freeze_panes = "B2"
    fit_columns(ws, 2, {1: (14, 40), 2: (10, 30), 3: (11, 12)})
    for column in range(4, 5 + challenges):
        ws.column_dimensions[get_column_letter(column)].width = 11
    ws.row_dimensions[1].height = 95  # the challenge names wrap to six lines in the header
    print_setup(ws, title_row=1)


def _write_distribution(ws: Worksheet, data: OrgWorkbook) -> None:
    """Per challenge: teams rated, median, quartiles, teams at each level, priorities."""
    levels = [f"{level.value}. {level.label}" for level in data.framework.levels]
    headers = ("Challenge", "Teams rated", "Median", "Lower quartile", "Upper quartile",
               *levels, "Not rated", "Chosen as a priority", "Note")
    write_headers(ws, 1, headers)
    for row, (label, spread, priorities) in enumerate(
        zip(data.challenge_labels, data.spreads, data.priorities, strict=True), start=2
    ):
        put(ws, row, 1, label)
        put(ws, row, len(headers) - 1, priorities)
        if spread is None:
            put(ws, row, len(headers), HIDDEN_NOTE)
            continue
        values = (spread.rated, spread.median, spread.lower_quartile, spread.upper_quartile,
                  *spread.counts, spread.not_rated)
        for column, value in enumerate(values, start=2):
            put(ws, row, column, value, number_format=MEDIAN_FORMAT if 3 <= column <= 5 else None)
    add_table(ws, "Distribution", 1, 1 + len(data.spreads), len(headers))
    fit_columns(ws, 1, {1: (24, 48), len(headers): (6, 50)})
    for column in range(2, len(headers)):  # room for "Transformation" without breaking it
        ws.column_dimensions[get_column_letter(column)].width = 15
    ws.row_dimensions[1].height = 45
    print_setup(ws, title_row=1)


def _write_trend(ws: Worksheet, data: OrgWorkbook) -> None:
    """Medians by round (oldest first) with a native line chart, a line per challenge."""
    write_headers(ws, 1, ("Round", *data.challenge_labels))
    for row, (name, medians) in enumerate(zip(data.trend_rounds, data.trend_medians,
                                              strict=True), start=2):
        put(ws, row, 1, name)
        for column, median in enumerate(medians, start=2):
            put(ws, row, column, median, number_format=MEDIAN_FORMAT)
    last = 1 + len(data.trend_rounds)
    add_table(ws, "Trend", 1, last, 1 + len(data.challenge_labels))
    fit_columns(ws, 1, {1: (12, 30)})
    ws.row_dimensions[1].height = 75
    for column in range(2, 2 + len(data.challenge_labels)):
        ws.column_dimensions[get_column_letter(column)].width = 13
    ws.add_chart(_line_chart(ws, data, last), f"A{last + 3}")
    print_setup(ws, pages_high=1)


def _line_chart(ws: Worksheet, data: OrgWorkbook, last: int) -> LineChart:
    chart = LineChart()
    chart.title = "Median level by round"
    chart.y_axis.title = "Median level"
    chart.width, chart.height = 26, 14  # centimetres
    chart.legend.position = "b"
    chart.display_blanks = "gap"  # a hidden median is a gap, never a drop to zero
    chart.add_data(Reference(ws, min_col=2, max_col=1 + len(data.challenge_labels), min_row=1,
                             max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    for index, series in enumerate(chart.series):
        series.marker.symbol = _MARKERS[index % len(_MARKERS)]
        series.marker.size = 7
        series.smooth = False
    # openpyxl 3.1 marks axes as deleted unless told otherwise, which hides them in Excel.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.scaling.min = data.framework.min_level
    chart.y_axis.scaling.max = data.framework.max_level
    chart.y_axis.majorUnit = 1
    return chart


_ACTION_HEADERS = ("Team", "Unit", "Challenge", "Action", "Description", "Lead",
                   "People involved (co-production)", "Start", "Due", "Status", "Overdue",
                   "Measure of success", "Review note")


def _write_actions(ws: Worksheet, data: OrgWorkbook) -> None:
    """Leads: every action as one filterable table. Viewers: counts per challenge."""
    if not data.named:
        _write_action_counts(ws, data)
        return
    write_headers(ws, 1, _ACTION_HEADERS)
    for row, item in enumerate(data.actions, start=2):
        action = item.action
        values = (item.team, item.unit or "No unit",
                  f"{action.challenge_number}. {action.challenge_title}"
                  if action.challenge_number else action.challenge_title,
                  action.title, action.description, action.lead, action.coproduction,
                  action.starts_on, action.due_on, action.status,
                  "Overdue" if item.overdue else None, action.success_measure,
                  action.review_note)
        for column, value in enumerate(values, start=1):
            put(ws, row, column, value,
                number_format=DATE_FORMAT if isinstance(value, date) else None)
    add_table(ws, "Actions", 1, 1 + max(len(data.actions), 1), len(_ACTION_HEADERS))
    ws.freeze_panes = "A2"
    widths = {1: 24, 2: 20, 3: 28, 4: 32, 5: 40, 6: 16, 7: 24, 8: 12, 9: 12, 10: 12, 11: 10,
              12: 30, 13: 30}
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    print_setup(ws, title_row=1)


def _write_action_counts(ws: Worksheet, data: OrgWorkbook) -> None:
    write_headers(ws, 1, ("Challenge", "Open actions", "Of which overdue", "Done"))
    for row, (label, counts) in enumerate(zip(data.challenge_labels, data.action_counts,
                                              strict=True), start=2):
        for column, value in enumerate((label, counts.open, counts.overdue, counts.done),
                                       start=1):
            put(ws, row, column, value)
    add_table(ws, "ActionCounts", 1, 1 + len(data.action_counts), 4)
    fit_columns(ws, 1, {1: (24, 48), 2: (14, 16), 3: (16, 18), 4: (8, 10)})
    print_setup(ws, title_row=1)


def _write_completion(ws: Worksheet, data: OrgWorkbook) -> None:
    """How far teams got in the round: counts, then (leads) each team."""
    agreed, in_progress, not_started = data.completion
    counts: Sequence[tuple[str, int]] = (("Agreed", agreed), ("In progress", in_progress),
                                         ("Not started", not_started),
                                         ("Teams", agreed + in_progress + not_started))
    write_headers(ws, 1, ("Status", "Teams"))
    for row, (label, count) in enumerate(counts, start=2):
        put(ws, row, 1, label, font=BOLD if label == "Teams" else None)
        put(ws, row, 2, count)
    widths = {1: (16, 40), 2: (10, 30)}
    if data.named:
        first = 3 + len(counts)
        write_headers(ws, first, ("Team", "Unit", "Status", "Challenges rated", "Mean level"))
        for row, item in enumerate(data.matrix, start=first + 1):
            for column, value in enumerate((item.team, item.unit or "No unit", item.status,
                                            item.rated), start=1):
                put(ws, row, column, value)
            put(ws, row, 5, item.mean, number_format=MEAN_FORMAT)
        add_table(ws, "Completion", first, first + max(len(data.matrix), 1), 5)
        widths |= {3: (12, 14), 4: (10, 18), 5: (10, 12)}
    fit_columns(ws, 1, widths)
    print_setup(ws)
