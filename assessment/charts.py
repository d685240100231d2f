"""Pure chart rendering: plain chart data in, PNG bytes or SVG text out.

This module holds what every chart shares (the render lock and settings, the palette, the
content-hash cache) and the radar; org_charts.py adds the organisation's other charts on the
same footing. A chart is a frozen dataclass with a ``draw()`` method returning a Figure.

Imports neither Flask nor the database, so charts are tested with plain data and any view,
export or CLI command can draw the same picture. matplotlib is used only through the
object-oriented ``Figure`` API on the Agg canvas: pyplot keeps every figure in a global
registry until it is closed, which leaks memory in a long-running server (reliability.md 2.11).

Every render runs inside one lock and one ``rc_context``. The lock is there because matplotlib
is not thread-safe and the style settings are process-wide (without it, the eight-thread test
in tests/test_charts.py got wrong bytes in two runs out of three); the context switches mathtext off
(``text.parse_math``) so a team called "Team $x^$" is drawn literally instead of raising
``ValueError`` inside ``savefig`` (reliability.md 2.2), and fixes ``svg.hashsalt`` so equal data
gives byte-identical SVG, which the cache and ETags rely on.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Literal, overload

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

ChartFormat = Literal["png", "svg"]

# Bump when the drawing code changes, so cached charts and browsers' ETags are not reused.
_LAYOUT_REVISION = 2
_RENDER_VERSION = f"{_LAYOUT_REVISION}/matplotlib-{matplotlib.__version__}"

_FIGURE_SIZE_INCHES = (7.0, 7.0)
_AXIS_LABEL_WIDTH = 18  # characters per line for challenge names around the radar
_LEGEND_LABEL_WIDTH = 32
_TITLE_WIDTH = 60
_MARGIN = 0.03  # of the figure, kept clear on every side
_GAP_PX = 14  # between the title, the radar with its labels, and the legend
_LABEL_PAD_PX = 12  # between the outer ring and a challenge name
_MIN_RADIUS_PX = 40  # below this a radar is unreadable anyway, so let labels overflow

_RC = {
    "text.parse_math": False,
    "text.usetex": False,
    "svg.hashsalt": "recovery-assessment",
    "svg.fonttype": "path",
    # Arial is the NHS fallback for Frutiger; Liberation Sans has Arial's metrics; DejaVu Sans
    # is always present and covers most scripts, and matplotlib falls back glyph by glyph.
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Liberation Sans", "DejaVu Sans"],
    "font.size": 10,
    "axes.unicode_minus": False,
}
_RENDER_LOCK = threading.Lock()

TEXT_COLOUR = "#212b32"  # NHS text colour
GRID_COLOUR = "#aeb7bd"  # NHS grey 3: visible rings that stay behind the data
MUTED_COLOUR = "#4c6272"  # NHS dark grey: secondary text such as keys and tick labels
BAND_ALPHA = 0.18  # a band's fill: light enough that the lines over it stay readable


@dataclass(frozen=True)
class _Look:
    """How one series is drawn: colour, dash pattern and marker all differ between looks, so
    series stay distinguishable in greyscale print and for people who cannot tell the colours
    apart. Colours pass 3:1 contrast against white (WCAG 1.4.11)."""

    colour: str
    linestyle: str | tuple[int, tuple[int, ...]]
    marker: str


LOOKS: dict[str, _Look] = {
    "solid": _Look("#005eb8", "solid", "o"),  # NHS blue: the current rating
    "dashed": _Look("#d55e00", "dashed", "s"),  # Okabe-Ito vermillion: a comparison
    "dotted": _Look("#4c6272", "dotted", "D"),  # NHS dark grey: targets, medians
    "dashdot": _Look("#330072", "dashdot", "^"),  # NHS purple: a fourth series
    # Up to six teams beside the organisation median on the compare radar.
    "longdash": _Look("#007f3b", (0, (9, 3)), "v"),  # NHS green
    "dashdotdot": _Look("#8a1538", (0, (6, 2, 1, 2, 1, 2)), "P"),  # NHS dark pink
    "loosedash": _Look("#7a5c00", (0, (4, 4)), "X"),  # dark ochre
}


@dataclass(frozen=True)
class RadarSeries:
    """One line on a radar, e.g. this round's agreed levels or the targets.

    ``None`` means "not rated". Such a point is left out and the line is broken on both sides
    of it, rather than drawn at 0, which would read as "rated at the lowest level". A rated
    point whose neighbours are both unrated shows as a marker on its own.
    ``style`` names an entry of ``LOOKS``.
    """

    name: str
    values: tuple[float | None, ...]
    style: str = "solid"

    def __post_init__(self) -> None:
        if self.style not in LOOKS:
            raise ValueError(f"Unknown series style {self.style!r}; use one of {sorted(LOOKS)}")
        for value in self.values:
            if value is not None and not math.isfinite(value):
                raise ValueError(f"Series {self.name!r} has a non-finite value {value!r}")


@dataclass(frozen=True)
class RadarBand:
    """A shaded range on a radar, e.g. the middle half of teams (lower to upper quartile).

    Where either bound is ``None`` (too few teams to show) the band is left open there.
    """

    name: str
    lower: tuple[float | None, ...]
    upper: tuple[float | None, ...]
    style: str = "solid"

    def __post_init__(self) -> None:
        if self.style not in LOOKS:
            raise ValueError(f"Unknown band style {self.style!r}; use one of {sorted(LOOKS)}")
        if len(self.lower) != len(self.upper):
            raise ValueError(f"Band {self.name!r} has bounds of different lengths")
        for low, high in zip(self.lower, self.upper, strict=True):
            if (low is None) != (high is None) or (low is not None and low > high):
                raise ValueError(f"Band {self.name!r} has a lower bound above its upper bound")


class Chart:
    """What every chart dataclass shares: a title, and it draws a Figure on request."""

    title: str

    def draw(self) -> Figure:
        raise NotImplementedError

    def render(self, fmt: ChartFormat) -> bytes | str:
        return render_figure(self.draw, fmt)


@dataclass(frozen=True)
class RadarChart(Chart):
    """Everything a radar shows, as plain data: equal data always gives the same picture.

    ``level_labels`` (one per level, lowest first) are explained in a line under the legend
    rather than on the rings, where long words would cross the data.
    """

    title: str
    axis_labels: tuple[str, ...]
    series: tuple[RadarSeries, ...]
    max_level: int
    level_labels: tuple[str, ...] = ()
    bands: tuple[RadarBand, ...] = ()

    def __post_init__(self) -> None:
        if not self.axis_labels:
            raise ValueError("A radar needs at least one axis")
        if self.max_level < 1:
            raise ValueError(f"max_level must be at least 1, not {self.max_level}")
        if self.level_labels and len(self.level_labels) != self.max_level:
            raise ValueError(
                f"Expected {self.max_level} level labels, got {len(self.level_labels)}"
            )
        styles = [s.style for s in self.series]
        if len(set(styles)) != len(styles):
            raise ValueError(f"Each series needs its own style so they can be told apart: {styles}")
        for s in self.series:
            if len(s.values) != len(self.axis_labels):
                raise ValueError(
                    f"Series {s.name!r} has {len(s.values)} values for {len(self.axis_labels)} axes"
                )
            if any(v is not None and not 0 <= v <= self.max_level for v in s.values):
                raise ValueError(f"Series {s.name!r} has a value outside 0..{self.max_level}")
        for band in self.bands:
            if len(band.lower) != len(self.axis_labels):
                raise ValueError(f"Band {band.name!r} needs a value for each of the axes")

    def draw(self) -> Figure:
        return _draw_radar(self)

    def render(self, fmt: ChartFormat) -> bytes | str:
        # Through the module-level names, which tests replace to count renders.
        return render_radar_png(self) if fmt == "png" else render_radar_svg(self)


def wrap(text: str, width: int) -> str:
    """Break text into lines of at most ``width`` characters; an empty string stays empty."""
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


def _alignment(dx: float, dy: float) -> tuple[str, str]:
    """Anchor a label on the side facing the chart so multi-line labels grow outwards."""
    ha = "left" if dx > 0.1 else "right" if dx < -0.1 else "center"
    va = "bottom" if dy > 0.1 else "top" if dy < -0.1 else "center"
    return ha, va


def _fit_circle(labels: list[tuple[float, float, Bbox]], space: Bbox) -> tuple[float, float, float]:
    """Centre and radius (pixels) of the largest radar whose labels all fit inside ``space``.

    Frameworks are editable data, so challenge names can be any length: measuring them beats
    a fixed layout that cuts off the first long one. Each label sits at ``radius + pad`` along
    its spoke, so the extent of the whole drawing grows linearly with the radius and the
    largest radius that fits is found by bisection.
    """

    def extent(radius: float) -> tuple[float, float, float, float]:
        reach = radius + _LABEL_PAD_PX
        x0 = min([-radius] + [reach * dx + box.x0 for dx, _, box in labels])
        x1 = max([radius] + [reach * dx + box.x1 for dx, _, box in labels])
        y0 = min([-radius] + [reach * dy + box.y0 for _, dy, box in labels])
        y1 = max([radius] + [reach * dy + box.y1 for _, dy, box in labels])
        return x0, x1, y0, y1

    def fits(radius: float) -> bool:
        x0, x1, y0, y1 = extent(radius)
        return x1 - x0 <= space.width and y1 - y0 <= space.height

    low, high = _MIN_RADIUS_PX, min(space.width, space.height) / 2
    for _ in range(30):
        middle = (low + high) / 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    x0, x1, y0, y1 = extent(low)
    centre_x = space.x0 + (space.width - (x1 - x0)) / 2 - x0
    centre_y = space.y0 + (space.height - (y1 - y0)) / 2 - y0
    return centre_x, centre_y, low


def _add_key(fig: Figure, ax: Axes, chart: RadarChart, renderer: RendererAgg) -> float:
    """Put the legend and the level names under the chart; return the pixel height they use.

    The legend uses one row when the names fit across the figure, otherwise fewer columns.
    Handles and names are passed explicitly: matplotlib would silently drop a series whose
    name starts with an underscore.
    """
    top = fig.bbox.height * _MARGIN
    if chart.level_labels:
        key = "   ".join(f"{i} {label}" for i, label in enumerate(chart.level_labels, start=1))
        levels = fig.text(
            0.5,
            _MARGIN,
            wrap(f"Levels: {key}", 110),
            ha="center",
            va="bottom",
            fontsize=8.5,
            color=MUTED_COLOUR,
        )
        top = levels.get_window_extent(renderer).y1 + _GAP_PX / 2
    if not chart.series and not chart.bands:
        return top
    handles = [*ax.lines, *(Patch(facecolor=LOOKS[band.style].colour, alpha=BAND_ALPHA * 2,
                                  edgecolor="none") for band in chart.bands)]
    names = [*(s.name for s in chart.series), *(band.name for band in chart.bands)]
    available = fig.bbox.width * (1 - 2 * _MARGIN)
    ncols = len(handles)
    while True:
        legend = fig.legend(
            handles,
            [wrap(name, _LEGEND_LABEL_WIDTH) for name in names],
            loc="lower center",
            bbox_to_anchor=(0.5, top / fig.bbox.height),
            ncols=ncols,
            frameon=False,
            fontsize=10,
            handlelength=3.2,
            labelcolor=TEXT_COLOUR,
            borderaxespad=0,
        )
        box = legend.get_window_extent(renderer)
        if box.width <= available or ncols == 1:
            return box.y1
        legend.remove()
        ncols = min(ncols - 1, 2)


def _draw_radar(chart: RadarChart) -> Figure:
    """Build the radar figure; callers render it inside the lock and ``_RC`` settings."""
    fig = Figure(figsize=_FIGURE_SIZE_INCHES, facecolor="white")
    renderer = FigureCanvasAgg(fig).get_renderer()
    width, height = fig.bbox.width, fig.bbox.height

    title = fig.suptitle(
        wrap(chart.title, _TITLE_WIDTH),
        x=0.5,
        y=1 - _MARGIN,
        va="top",
        fontsize=13,
        fontweight="bold",
        color=TEXT_COLOUR,
    )

    ax = fig.add_axes((0.2, 0.2, 0.6, 0.6), projection="polar")  # placed properly below
    ax.set_theta_offset(math.pi / 2)  # first challenge at 12 o'clock
    ax.set_theta_direction(-1)  # then clockwise, the way people read a clock face
    n = len(chart.axis_labels)
    angles = [2 * math.pi * i / n for i in range(n)]
    ax.set_xticks(angles, [""] * n)
    ax.set_ylim(0, chart.max_level)
    levels = range(1, chart.max_level + 1)
    ax.set_yticks(list(levels), [str(level) for level in levels], fontsize=8, color=MUTED_COLOUR)
    ax.set_rlabel_position(180 / n)  # level numbers between the first two spokes
    ax.grid(color=GRID_COLOUR, linewidth=0.8)
    ax.spines["polar"].set_color(GRID_COLOUR)

    closed_angles = [*angles, angles[0]]
    for band in chart.bands:
        lower = [math.nan if v is None else float(v) for v in band.lower]
        upper = [math.nan if v is None else float(v) for v in band.upper]
        ax.fill_between(closed_angles, [*lower, lower[0]], [*upper, upper[0]],
                        color=LOOKS[band.style].colour, alpha=BAND_ALPHA, linewidth=0,
                        zorder=2)
    for s in chart.series:
        look = LOOKS[s.style]
        values = [math.nan if v is None else float(v) for v in s.values]
        ax.plot(
            closed_angles,
            [*values, values[0]],
            color=look.colour,
            linestyle=look.linestyle,
            linewidth=2.2,
            marker=look.marker,
            markersize=6,
            clip_on=False,
            zorder=3,
        )

    # Challenge names are figure texts, measured where they are anchored at the origin and
    # then moved out along their spokes once the radius is known.
    labels = []
    for angle, label in zip(angles, chart.axis_labels, strict=True):
        dx, dy = math.sin(angle), math.cos(angle)  # clockwise from 12 o'clock
        ha, va = _alignment(dx, dy)
        text = fig.text(
            0,
            0,
            wrap(label, _AXIS_LABEL_WIDTH),
            ha=ha,
            va=va,
            fontsize=9.5,
            color=TEXT_COLOUR,
            linespacing=1.15,
        )
        labels.append((dx, dy, text))

    margin = width * _MARGIN
    space = Bbox.from_extents(
        margin,
        _add_key(fig, ax, chart, renderer) + _GAP_PX,
        width - margin,
        title.get_window_extent(renderer).y0 - _GAP_PX,
    )
    centre_x, centre_y, radius = _fit_circle(
        [(dx, dy, t.get_window_extent(renderer)) for dx, dy, t in labels], space
    )
    reach = radius + _LABEL_PAD_PX
    for dx, dy, text in labels:
        text.set_position(((centre_x + reach * dx) / width, (centre_y + reach * dy) / height))
    ax.set_position(
        (
            (centre_x - radius) / width,
            (centre_y - radius) / height,
            2 * radius / width,
            2 * radius / height,
        )
    )
    return fig


@overload
def render_figure(draw: Callable[[], Figure], fmt: Literal["png"], dpi: int = 100) -> bytes: ...


@overload
def render_figure(draw: Callable[[], Figure], fmt: Literal["svg"], dpi: int = 100) -> str: ...


def render_figure(draw: Callable[[], Figure], fmt: ChartFormat, dpi: int = 100) -> bytes | str:
    """Build a figure with ``draw`` and save it, inside the render lock and settings.

    SVG text is byte-identical for equal data: the timestamp is left out (Date None) and text
    is drawn as paths, so the picture does not depend on the browser's fonts; matplotlib
    repeats each string in an XML comment with ``<``, ``>`` and ``&`` escaped.
    """
    buffer: io.BytesIO | io.StringIO = io.BytesIO() if fmt == "png" else io.StringIO()
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        if fmt == "png":
            draw().savefig(buffer, format="png", dpi=dpi)
        else:
            draw().savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def render_radar_png(chart: RadarChart, dpi: int = 100) -> bytes:
    """Draw ``chart`` as a PNG (7 x 7 inches, so 700 px square at the default dpi)."""
    return render_figure(chart.draw, "png", dpi)


def render_radar_svg(chart: RadarChart) -> str:
    """Draw ``chart`` as SVG text, byte-identical for equal data."""
    return render_figure(chart.draw, "svg")


def _plain(value: object) -> object:
    """Numbers as floats so that 3 and 3.0 hash alike; containers walked; bools kept."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise TypeError(f"Chart data cannot hold {type(value).__name__}")


def _canonical(chart: Chart, fmt: ChartFormat) -> str:
    """A stable text form of everything that changes the picture, the chart's kind included."""
    return json.dumps(
        {
            "renderer": _RENDER_VERSION,
            "format": fmt,
            "kind": type(chart).__name__,
            "data": _plain(asdict(chart)),  # type: ignore[call-overload]
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def chart_etag(chart: Chart, fmt: ChartFormat) -> str:
    """The content hash of a chart in one format: the cache key, and an ETag for the view."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"Unknown chart format {fmt!r}")
    return hashlib.sha256(_canonical(chart, fmt).encode("utf-8")).hexdigest()


class ChartCache:
    """A thread-safe LRU of rendered charts keyed by content hash.

    Keying on the data rather than on an assessment id means a changed rating is a new key,
    so nothing needs invalidating; the entry limit bounds memory. Rendering happens outside
    the cache lock so a hit is never held up by a render; two threads missing on the same key
    at once may both render it, which costs time but not correctness (renders are
    deterministic).
    """

    def __init__(self, max_entries: int = 256) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, bytes | str] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @overload
    def get_or_render(self, chart: Chart, fmt: Literal["png"]) -> bytes: ...

    @overload
    def get_or_render(self, chart: Chart, fmt: Literal["svg"]) -> str: ...

    def get_or_render(self, chart: Chart, fmt: ChartFormat) -> bytes | str:
        """Return the cached rendering of ``chart``, drawing and storing it on a miss."""
        key = chart_etag(chart, fmt)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        rendered = chart.render(fmt)
        with self._lock:
            self._entries[key] = rendered
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return rendered


chart_cache = ChartCache()
