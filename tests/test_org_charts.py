"""The organisation's charts from plain data: heatmap, distribution, trend small multiples and
the radar's band. Same guarantees as the radar: safe text, deterministic, cached, no leaks."""

from __future__ import annotations

import gc

import matplotlib
import pytest
from matplotlib.figure import Figure

from assessment import charts
from assessment.charts import ChartCache, RadarBand, RadarChart, RadarSeries, chart_etag
from assessment.org_charts import (
    NOT_RATED_LABEL,
    SHADES,
    DistributionChart,
    HeatmapChart,
    TrendChart,
    TrendLine,
    level_shade,
)

LEVELS = (1, 2, 3, 4)
LABELS = ("Not yet started", "Engagement", "Development", "Transformation")
HOSTILE = "Team $x^$ <script>alert(1)</script> & co"


def heatmap(name: str = "Riverside") -> HeatmapChart:
    return HeatmapChart("Levels by team", (name, "Aurora Ward"), ("1", "2", "3"),
                        ((1, None, 4), (2, 3, None)), LEVELS, LABELS)


def distribution(counts=((1, 2, 0, 1), None, (0, 0, 3, 3))) -> DistributionChart:
    return DistributionChart("Teams at each level", ("1. A", "2. B", "3. C"), counts, (1, 0, 2),
                             LEVELS, LABELS)


def trend(title: str = "Median level by round") -> TrendChart:
    return TrendChart(title, ("1. A", "2. B", "3. C"), ("Spring 2026", "Autumn 2026"),
                      (TrendLine("Median", ((1, 2), (2, None), (3, 3))),),
                      LEVELS, ((1, 1), (1.5, None), (2, 3)), ((2, 3), (2.5, None), (3, 4)))


def texts(figure: Figure) -> list[str]:
    found = [t.get_text() for t in figure.findobj(matplotlib.text.Text)]
    return [t for t in found if t]


def test_shades_run_from_lightest_to_darkest_whatever_the_scale():
    assert [level_shade(v, LEVELS) for v in LEVELS] == [0, 1, 3, 4]
    assert level_shade(1, (1, 2)) == 0 and level_shade(2, (1, 2)) == len(SHADES) - 1
    assert [level_shade(v, (1, 2, 3, 4, 5)) for v in (1, 2, 3, 4, 5)] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("chart", [heatmap(), distribution(), trend()],
                         ids=["heatmap", "distribution", "trend"])
def test_each_chart_renders_png_and_deterministic_svg(chart):
    png = chart.render("png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = chart.render("svg")
    assert "<svg" in svg and svg == chart.render("svg")


def test_heatmap_cells_show_their_numbers_and_say_not_rated_in_the_key():
    with matplotlib.rc_context(charts._RC):
        words = texts(heatmap().draw())
    assert {"1", "4", "2", "3"} <= set(words)
    assert NOT_RATED_LABEL in words
    assert "Riverside" in words


def test_distribution_labels_segments_with_counts_and_notes_hidden_rows():
    with matplotlib.rc_context(charts._RC):
        words = texts(distribution().draw())
    assert "Too few teams rated this to show" in words
    assert {"2", "3"} <= set(words)


def test_trend_chart_has_a_panel_per_challenge_and_one_legend():
    with matplotlib.rc_context(charts._RC):
        figure = trend().draw()
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(visible) == 3
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["Median",
                                                                     "Middle half of teams"]


def test_hostile_text_is_drawn_literally_in_every_chart():
    for chart in (heatmap(HOSTILE), trend(HOSTILE),
                  DistributionChart(HOSTILE, (HOSTILE,), ((1, 0, 0, 0),), (0,), LEVELS,
                                    (HOSTILE, "b", "c", "d"))):
        assert chart.render("png").startswith(b"\x89PNG")
        assert "<script>" not in chart.render("svg")


def test_radar_band_draws_under_the_lines_and_joins_the_legend():
    chart = RadarChart("Median", ("A", "B", "C"), (RadarSeries("Median", (2, 3, None)),), 4,
                       bands=(RadarBand("Middle half of teams", (1, 2, None), (3, 3.5, None)),))
    with matplotlib.rc_context(charts._RC):
        figure = chart.draw()
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["Median",
                                                                     "Middle half of teams"]
    assert figure.axes[0].collections, "the band is a filled area"
    assert chart.render("png").startswith(b"\x89PNG")


@pytest.mark.parametrize(("make", "message"), [
    (lambda: HeatmapChart("t", ("a",), ("1", "2"), ((1,),), LEVELS, LABELS), "each column"),
    (lambda: HeatmapChart("t", ("a",), ("1",), ((7,),), LEVELS, LABELS), "not a level"),
    (lambda: HeatmapChart("t", ("a",), ("1",), ((1,),), LEVELS, ("x",)), "two levels"),
    (lambda: DistributionChart("t", ("a",), ((1, 2),), (0,), LEVELS, LABELS), "each level"),
    (lambda: TrendChart("t", ("a",), ("r1",), (TrendLine("m", ((1, 2),)),), LEVELS),
     "per challenge and round"),
    (lambda: TrendChart("t", ("a",), ("r1",), (TrendLine("m", ((1,),), "bold"),), LEVELS),
     "Unknown line style"),
    (lambda: RadarBand("b", (3,), (2,)), "lower bound above"),
    (lambda: RadarChart("t", ("A", "B"), (), 4, bands=(RadarBand("b", (1,), (2,)),)),
     "each of the axes"),
])
def test_inconsistent_chart_data_is_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_the_cache_keys_every_kind_of_chart_by_its_content():
    cache = ChartCache(max_entries=4)
    first = cache.get_or_render(heatmap(), "png")
    assert cache.get_or_render(heatmap(), "png") is first
    assert cache.get_or_render(heatmap("Other team"), "png") != first
    assert chart_etag(distribution(), "png") != chart_etag(heatmap(), "png")
    assert chart_etag(distribution(((1, 2, 0, 1), None, (0, 0, 3, 3))), "png") == \
        chart_etag(distribution(((1.0, 2, 0, 1), None, (0, 0, 3, 3))), "png")
    assert len(cache) == 2


def test_no_figures_are_left_behind():
    for chart in (heatmap(), distribution(), trend()):
        chart.render("png")
    gc.collect()
    assert not any(isinstance(o, Figure) for o in gc.get_objects())
