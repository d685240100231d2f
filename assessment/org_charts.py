"""Pure charts of the organisation as a whole: the heatmap of teams by challenges, how teams
spread over the levels, and medians across rounds as small multiples.

Same footing as the radar in charts.py: frozen dataclasses of plain data, drawn with the
Figure API inside charts' render lock and settings (mathtext off), cached by content hash in
charts.chart_cache. Colours come from one sequential blue ramp that reads the same to people
with any common colour-vision deficiency, and every cell or segment also carries its number,
so colour is never the only way to read a value. "Not rated" is hatched, never a shade.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from .charts import BAND_ALPHA, GRID_COLOUR, LOOKS, MUTED_COLOUR, TEXT_COLOUR, Chart, wrap

# Light to dark blue (ColorBrewer "Blues", which is safe for colour-blind readers). The text
# drawn on each shade is chosen for at least 4.5:1 contrast.
SHADES = ("#eaf2fb", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
SHADE_TEXT = (TEXT_COLOUR, TEXT_COLOUR, TEXT_COLOUR, "#ffffff", "#ffffff")
NOT_RATED_HATCH = "////"
NOT_RATED_LABEL = "Not rated"

_WIDTH_INCHES = 10.0
_ROW_INCHES = 0.28  # per team in the heatmap
_BAR_INCHES = 0.42  # per challenge in the distribution
_PANEL_INCHES = 2.3  # per row of small multiples
_TEAM_LABEL_WIDTH = 40  # characters of a team name in the heatmap before it is cut short
_CHALLENGE_LABEL_WIDTH = 34


def level_shade(level: int, levels: tuple[int, ...]) -> int:
    """Index into SHADES for a level: the scale's ends get the lightest and darkest shades,
    whatever the number of levels, so the ramp means the same on every framework."""
    if len(levels) < 2:
        return len(SHADES) - 1
    position = (levels.index(level)) / (len(levels) - 1)
    return round(position * (len(SHADES) - 1))


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _title(fig: Figure, text: str) -> None:
    fig.suptitle(wrap(text, 90), fontsize=13, fontweight="bold", color=TEXT_COLOUR)


def _level_key(levels: tuple[int, ...], labels: tuple[str, ...]) -> list[Patch]:
    """Legend entries for the shades of the scale and for "not rated"."""
    handles = [
        Patch(facecolor=SHADES[level_shade(level, levels)], edgecolor=GRID_COLOUR,
              label=f"{level} {label}")
        for level, label in zip(levels, labels, strict=True)
    ]
    handles.append(Patch(facecolor="white", edgecolor=MUTED_COLOUR, hatch=NOT_RATED_HATCH,
                         label=NOT_RATED_LABEL))
    return handles


def _check_scale(levels: tuple[int, ...], labels: tuple[str, ...]) -> None:
    if len(levels) < 2 or len(levels) != len(labels):
        raise ValueError("A chart needs at least two levels, each with a label")


@dataclass(frozen=True)
class HeatmapChart(Chart):
    """Teams (rows) by challenges (columns), each cell shaded by level and showing it.

    ``values[row][column]`` is a level of ``levels`` or None for "not rated".
    """

    title: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    values: tuple[tuple[int | None, ...], ...]
    levels: tuple[int, ...]
    level_labels: tuple[str, ...]

    def __post_init__(self) -> None:
        _check_scale(self.levels, self.level_labels)
        if len(self.values) != len(self.row_labels):
            raise ValueError("The heatmap needs a row of values for each row label")
        for row in self.values:
            if len(row) != len(self.column_labels):
                raise ValueError("Each heatmap row needs a value for each column")
            if any(value is not None and value not in self.levels for value in row):
                raise ValueError("A heatmap value is not a level of the scale")

    def draw(self) -> Figure:
        rows, columns = len(self.row_labels), len(self.column_labels)
        fig = Figure(figsize=(_WIDTH_INCHES, 2.4 + max(rows, 1) * _ROW_INCHES),
                     facecolor="white", layout="constrained")
        _title(fig, self.title)
        ax = fig.add_subplot()
        shades = [[math.nan if v is None else level_shade(v, self.levels) for v in row]
                  for row in self.values] or [[math.nan] * columns]
        ax.pcolormesh(shades, cmap=ListedColormap(SHADES), vmin=-0.5,
                      vmax=len(SHADES) - 0.5, edgecolors="white", linewidth=1.5)
        blanks = [Rectangle((c, r), 1, 1) for r, row in enumerate(self.values)
                  for c, value in enumerate(row) if value is None]
        ax.add_collection(PatchCollection(blanks, facecolor="white", edgecolor=GRID_COLOUR,
                                          hatch=NOT_RATED_HATCH, linewidth=0.5))
        for r, row in enumerate(self.values):
            for c, value in enumerate(row):
                if value is not None:
                    ax.text(c + 0.5, r + 0.5, str(value), ha="center", va="center",
                            fontsize=9, color=SHADE_TEXT[level_shade(value, self.levels)])
        ax.set_xlim(0, columns)
        ax.set_ylim(max(rows, 1), 0)  # first team at the top, as in the table
        ax.set_xticks([c + 0.5 for c in range(columns)], self.column_labels)
        ax.xaxis.tick_top()
        ax.set_yticks([r + 0.5 for r in range(rows)],
                      [_shorten(label, _TEAM_LABEL_WIDTH) for label in self.row_labels])
        ax.tick_params(length=0, labelsize=9, labelcolor=TEXT_COLOUR)
        for spine in ax.spines.values():
            spine.set_visible(False)
        fig.legend(handles=_level_key(self.levels, self.level_labels), loc="outside lower center",
                   ncols=len(self.levels) + 1, frameon=False, fontsize=9)
        return fig


@dataclass(frozen=True)
class DistributionChart(Chart):
    """For each challenge, how many teams are at each level and how many are not rated.

    ``counts[row]`` follows ``levels``; a row of None is a challenge too few teams rated to
    show, drawn as a note instead of a bar.
    """

    title: str
    row_labels: tuple[str, ...]
    counts: tuple[tuple[int, ...] | None, ...]
    not_rated: tuple[int, ...]
    levels: tuple[int, ...]
    level_labels: tuple[str, ...]
    hidden_note: str = "Too few teams rated this to show"

    def __post_init__(self) -> None:
        _check_scale(self.levels, self.level_labels)
        if not len(self.row_labels) == len(self.counts) == len(self.not_rated):
            raise ValueError("The distribution needs counts for each challenge")
        for row in self.counts:
            if row is not None and (len(row) != len(self.levels) or min(row) < 0):
                raise ValueError("Each challenge needs a count of teams for each level")

    def draw(self) -> Figure:
        rows = len(self.row_labels)
        fig = Figure(figsize=(_WIDTH_INCHES, 1.9 + rows * _BAR_INCHES), facecolor="white",
                     layout="constrained")
        _title(fig, self.title)
        ax = fig.add_subplot()
        totals = [sum(row) + blank if row is not None else 0
                  for row, blank in zip(self.counts, self.not_rated, strict=True)]
        widest = max(totals, default=0) or 1
        for r, (row, blank) in enumerate(zip(self.counts, self.not_rated, strict=True)):
            if row is None:
                ax.text(0, r, self.hidden_note, va="center", fontsize=10.5, color=MUTED_COLOUR,
                        style="italic")
                continue
            left = 0
            for level, count in zip(self.levels, row, strict=True):
                shade = level_shade(level, self.levels)
                self._segment(ax, r, left, count, SHADES[shade], SHADE_TEXT[shade], widest)
                left += count
            self._segment(ax, r, left, blank, "white", TEXT_COLOUR, widest, hatch=True)
        ax.set_yticks(range(rows), [wrap(label, _CHALLENGE_LABEL_WIDTH)
                                    for label in self.row_labels])
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_xlim(0, widest)
        ax.set_xlabel("Teams", color=TEXT_COLOUR, fontsize=11)
        ax.tick_params(labelsize=10.5, labelcolor=TEXT_COLOUR, length=0)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
        ax.set_axisbelow(True)
        for name in ("top", "right", "left"):
            ax.spines[name].set_visible(False)
        fig.legend(handles=_level_key(self.levels, self.level_labels), loc="outside lower center",
                   ncols=len(self.levels) + 1, frameon=False, fontsize=10.5)
        return fig

    @staticmethod
    def _segment(ax: Axes, row: int, left: int, count: int, fill: str, text: str, widest: int,
                 hatch: bool = False) -> None:
        """One level's part of a bar, labelled with its count when there is room for it."""
        if not count:
            return
        ax.barh(row, count, left=left, height=0.7, color=fill, edgecolor=GRID_COLOUR if hatch
                else "white", hatch=NOT_RATED_HATCH if hatch else None, linewidth=0.8)
        if count / widest >= 0.035:
            ax.text(left + count / 2, row, str(count), ha="center", va="center", fontsize=10,
                    color=text, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1}
                    if hatch else None)


@dataclass(frozen=True)
class TrendLine:
    """One line in every panel of a trend chart: a value per round, None where unknown."""

    name: str
    values: tuple[tuple[float | None, ...], ...]  # per panel, a value per round
    style: str = "solid"


@dataclass(frozen=True)
class TrendChart(Chart):
    """Small multiples: a panel per challenge with levels across rounds, oldest first.

    One panel per challenge keeps ten lines from tangling, and reads without telling colours
    apart. ``band`` (optional) shades the middle half of teams behind the first line.
    """

    title: str
    panel_titles: tuple[str, ...]
    round_labels: tuple[str, ...]
    lines: tuple[TrendLine, ...]
    levels: tuple[int, ...]
    band_lower: tuple[tuple[float | None, ...], ...] = ()
    band_upper: tuple[tuple[float | None, ...], ...] = ()
    band_name: str = "Middle half of teams"

    def __post_init__(self) -> None:
        if not self.panel_titles or not self.round_labels:
            raise ValueError("A trend chart needs at least one challenge and one round")
        for line in self.lines:
            if line.style not in LOOKS:
                raise ValueError(f"Unknown line style {line.style!r}")
            if len(line.values) != len(self.panel_titles) or any(
                len(values) != len(self.round_labels) for values in line.values
            ):
                raise ValueError(f"Line {line.name!r} needs a value per challenge and round")
        if len(self.band_lower) != len(self.band_upper):
            raise ValueError("The band needs both bounds")

    def draw(self) -> Figure:
        panels = len(self.panel_titles)
        rows = math.ceil(panels / 2)
        fig = Figure(figsize=(_WIDTH_INCHES, 1.4 + rows * _PANEL_INCHES), facecolor="white",
                     layout="constrained")
        _title(fig, self.title)
        axes = fig.subplots(rows, 2, sharex=True, sharey=True, squeeze=False).flat
        x = list(range(len(self.round_labels)))
        for index, ax in enumerate(axes):
            if index >= panels:
                ax.set_visible(False)
                continue
            if self.band_lower:
                lower = [math.nan if v is None else v for v in self.band_lower[index]]
                upper = [math.nan if v is None else v for v in self.band_upper[index]]
                ax.fill_between(x, lower, upper, color=LOOKS["solid"].colour, alpha=BAND_ALPHA,
                                linewidth=0)
            for line in self.lines:
                look = LOOKS[line.style]
                ax.plot(x, [math.nan if v is None else v for v in line.values[index]],
                        color=look.colour, linestyle=look.linestyle, marker=look.marker,
                        markersize=5, linewidth=2)
            ax.set_title(wrap(self.panel_titles[index], 48), fontsize=9.5, loc="left",
                         color=TEXT_COLOUR)
            ax.set_ylim(self.levels[0] - 0.3, self.levels[-1] + 0.3)
            ax.set_yticks(list(self.levels))
            ax.grid(color=GRID_COLOUR, linewidth=0.6)
            ax.tick_params(labelsize=8.5, labelcolor=TEXT_COLOUR, length=0)
            for name in ("top", "right"):
                ax.spines[name].set_visible(False)
        for ax in fig.axes:
            ax.set_xticks(x, [wrap(label, 8) for label in self.round_labels])
        handles: list = list(fig.axes[0].lines)
        names = [line.name for line in self.lines]
        if self.band_lower:
            handles.append(Patch(facecolor=LOOKS["solid"].colour, alpha=BAND_ALPHA * 2))
            names.append(self.band_name)
        fig.legend(handles, names, loc="outside lower center", ncols=len(names), frameon=False,
                   fontsize=9.5)
        return fig
