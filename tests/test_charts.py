"""Radar charts from plain data: safe with hostile text, deterministic, bounded in memory."""

from __future__ import annotations

import ast
import gc
import os
import struct
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path

import matplotlib
import pytest
import yaml
from matplotlib.figure import Figure

from assessment import charts
from assessment.charts import (
    ChartCache,
    RadarChart,
    RadarSeries,
    chart_etag,
    render_radar_png,
    render_radar_svg,
)

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK = ROOT / "assessment" / "frameworks" / "imroc-ten-challenges.yaml"


def ten_challenges(*, title: str = "Community team: Spring 2027", first_series: str = "Agreed"):
    """The default framework's ten challenges with three series, one of them partly unrated."""
    framework = yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))["framework"]
    return RadarChart(
        title=title,
        axis_labels=tuple(f"{c['number']}. {c['title']}" for c in framework["challenges"]),
        series=(
            RadarSeries(first_series, (2, 3, 1, 2, None, 3, 2, 4, 1, 2)),
            RadarSeries("Autumn 2026", (1, 2, 1, 1, 2, 2, 2, 3, 1, 1), "dashed"),
            RadarSeries("Target", (3, 3, 2, 3, 3, 4, 3, 4, 2, 3), "dotted"),
        ),
        max_level=4,
        level_labels=tuple(level["label"] for level in framework["scale"]["levels"]),
    )


def small_chart(level: float = 2) -> RadarChart:
    return RadarChart("Small", ("A", "B", "C"), (RadarSeries("Now", (level, 1, None)),), 4)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which always comes first."""
    return struct.unpack(">II", png[16:24])


def live_figures() -> int:
    gc.collect()
    return sum(isinstance(o, Figure) for o in gc.get_objects())


def test_charts_module_imports_neither_the_web_stack_nor_pyplot():
    tree = ast.parse((ROOT / "assessment" / "charts.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    roots = {name.split(".")[0] for name in imported}
    assert not roots & {"flask", "flask_sqlalchemy", "flask_login", "sqlalchemy"}
    assert not any(name.startswith("matplotlib.pyplot") for name in imported)


def test_png_is_a_png_of_the_expected_size():
    png = render_radar_png(ten_challenges())
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert 20_000 < len(png) < 1_000_000
    assert png_size(png) == (700, 700)
    assert png_size(render_radar_png(small_chart(), dpi=150)) == (1050, 1050)


def test_svg_is_svg_without_script_and_deterministic():
    chart = ten_challenges()
    svg = render_radar_svg(chart)
    assert "<svg" in svg
    assert "<script" not in svg.lower()
    assert "<dc:date>" not in svg  # a timestamp would make every render differ
    assert render_radar_svg(ten_challenges()) == svg
    # the render's settings apply only inside the render, not to the whole process
    assert matplotlib.rcParams["svg.hashsalt"] != charts._RC["svg.hashsalt"]


@pytest.mark.parametrize(
    "hostile",
    ["Team $x^$", "50% $$", "<script>alert(1)</script>", r"$\frac{1}{$", "a & b -- c", ""],
)
def test_hostile_text_is_drawn_literally(hostile):
    chart = RadarChart(
        title=hostile,
        axis_labels=(hostile, "B", "C"),
        series=(RadarSeries(hostile, (1, 2, 3)),),
        max_level=4,
        level_labels=(hostile, "2", "3", "4"),
    )
    assert render_radar_png(chart).startswith(b"\x89PNG")
    svg = render_radar_svg(chart)
    assert "<script" not in svg.lower()
    if hostile.startswith("<script>"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


def test_series_names_are_shown_even_when_matplotlib_would_hide_them():
    chart = RadarChart("t", ("A", "B", "C"), (RadarSeries("_draft round", (1, 2, 3)),), 4)
    with matplotlib.rc_context(charts._RC):
        figure = charts._draw_radar(chart)
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["_draft round"]


def test_unrated_points_break_the_line_instead_of_dropping_to_zero():
    chart = ten_challenges()
    with matplotlib.rc_context(charts._RC):
        figure = charts._draw_radar(chart)
    line = figure.axes[0].lines[0]
    values = list(line.get_ydata())
    assert len(values) == 11  # closed back to the first challenge
    assert values[4] != values[4]  # NaN: matplotlib leaves a gap there
    assert 0 not in values

    nothing_rated = RadarChart("None yet", ("A", "B", "C"), (RadarSeries("Now", (None,) * 3),), 4)
    assert render_radar_png(nothing_rated).startswith(b"\x89PNG")
    assert "<svg" in render_radar_svg(nothing_rated)


def test_labels_title_and_legend_stay_inside_the_figure_without_overlapping():
    chart = ten_challenges(
        title="Early Intervention in Psychosis Service (South Locality): Spring 2027 review",
        first_series="Spring 2027 agreed ratings after the second workshop",
    )
    with matplotlib.rc_context(charts._RC):
        figure = charts._draw_radar(chart)
        renderer = figure.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in figure.texts if t.get_text()]
        boxes.append(figure.legends[0].get_window_extent(renderer))
    assert len(boxes) == 10 + 1 + 1 + 1  # challenges, level key, title, legend
    for box in boxes:
        assert figure.bbox.x0 <= box.x0 and box.x1 <= figure.bbox.x1
        assert figure.bbox.y0 <= box.y0 and box.y1 <= figure.bbox.y1
    for i, box in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert not box.overlaps(other)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"series": (RadarSeries("x", (1, 2)),)}, "2 values for 3 axes"),
        ({"series": (RadarSeries("x", (1, 2, 5)),)}, "outside 0..4"),
        ({"series": (RadarSeries("x", (1, 2, 3)), RadarSeries("y", (1, 2, 3)))}, "own style"),
        ({"level_labels": ("one",)}, "Expected 4 level labels"),
        ({"max_level": 0}, "at least 1"),
        ({"axis_labels": ()}, "at least one axis"),
    ],
)
def test_inconsistent_chart_data_is_refused(kwargs, message):
    data = {"title": "t", "axis_labels": ("A", "B", "C"), "series": (), "max_level": 4}
    with pytest.raises(ValueError, match=message):
        RadarChart(**(data | kwargs))


@pytest.mark.parametrize(("values", "style"), [((float("nan"),), "solid"), ((1,), "bold")])
def test_bad_series_is_refused(values, style):
    with pytest.raises(ValueError):
        RadarSeries("x", values, style)


def test_no_pyplot_and_no_live_figures_after_fifty_renders():
    script = (
        "import sys\n"
        "from assessment.charts import RadarChart, RadarSeries, render_radar_png\n"
        "chart = RadarChart('t', ('A', 'B', 'C'), (RadarSeries('s', (1, None, 3)),), 4)\n"
        "for _ in range(50):\n"
        "    render_radar_png(chart)\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    env = os.environ | {"MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_rendering_does_not_keep_figures_or_memory():
    chart = ten_challenges()
    render_radar_png(chart)  # warm font and text-layout caches
    before = live_figures()
    tracemalloc.start()
    try:
        baseline = tracemalloc.take_snapshot()
        for _ in range(3):
            render_radar_png(chart)
            render_radar_svg(chart)
        gc.collect()
        changes = tracemalloc.take_snapshot().compare_to(baseline, "filename")
        growth = sum(change.size_diff for change in changes)
    finally:
        tracemalloc.stop()
    assert live_figures() == before
    # One leaked 7x7 in figure holds well over 1 MB (its Agg buffer alone is 2 MB at 100 dpi).
    assert growth < 1_000_000, growth


def test_cache_returns_identical_output_for_equal_data_and_new_output_for_changes():
    cache = ChartCache()
    first = cache.get_or_render(small_chart(2), "png")
    assert cache.get_or_render(small_chart(2.0), "png") is first  # 2 and 2.0 are the same data
    assert render_radar_png(small_chart(2)) == first
    changed = cache.get_or_render(small_chart(3), "png")
    assert changed != first
    svg = cache.get_or_render(small_chart(2), "svg")
    assert isinstance(svg, str) and svg == render_radar_svg(small_chart(2))
    assert len(cache) == 3


def test_etag_is_a_content_hash_per_format():
    etag = chart_etag(small_chart(2), "png")
    assert len(etag) == 64 and int(etag, 16) >= 0
    assert chart_etag(small_chart(2.0), "png") == etag
    assert chart_etag(small_chart(3), "png") != etag
    assert chart_etag(small_chart(2), "svg") != etag
    with pytest.raises(ValueError):
        chart_etag(small_chart(2), "gif")  # type: ignore[arg-type]


def test_cache_is_a_bounded_lru(monkeypatch):
    rendered = []

    def fake_png(chart, dpi=100):
        rendered.append(chart.series[0].values[0])
        return b"png"

    monkeypatch.setattr(charts, "render_radar_png", fake_png)
    cache = ChartCache(max_entries=3)
    for level in (1, 2, 3):
        cache.get_or_render(small_chart(level), "png")
    cache.get_or_render(small_chart(1), "png")  # a hit: 1 becomes the most recently used
    cache.get_or_render(small_chart(4), "png")  # evicts 2, the least recently used
    assert len(cache) == 3
    cache.get_or_render(small_chart(1), "png")
    cache.get_or_render(small_chart(2), "png")
    assert rendered == [1, 2, 3, 4, 2]
    assert len(cache) == 3


def test_cache_is_safe_with_eight_threads_rendering_at_once():
    charts_to_draw = [small_chart(level) for level in (1, 2, 3, 4)]
    expected = {
        (i, fmt): (render_radar_png(c) if fmt == "png" else render_radar_svg(c))
        for i, c in enumerate(charts_to_draw)
        for fmt in ("png", "svg")
    }
    cache = ChartCache(max_entries=5)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            start.wait()
            for step in range(8):
                i = (offset + step) % len(charts_to_draw)
                fmt = "png" if (offset + step) % 2 else "svg"
                assert cache.get_or_render(charts_to_draw[i], fmt) == expected[(i, fmt)]
                assert len(cache) <= 5
        except BaseException as error:  # collected so the main thread can fail the test
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(cache) <= 5
