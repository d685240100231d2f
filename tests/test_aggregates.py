"""Aggregates over teams from plain data: quartiles from histograms, the small-group rule,
change, sorting the heatmap, and the one-sentence summaries."""

from __future__ import annotations

import random
import statistics

import pytest

from assessment.aggregates import (
    SMALL_GROUP,
    Change,
    Spread,
    TeamRow,
    change_from_counts,
    compare_to_median,
    describe_change,
    describe_comparison,
    describe_distribution,
    describe_heatmap,
    describe_medians,
    describe_priorities,
    describe_trend,
    describe_versus,
    format_level,
    quantile,
    shown,
    sort_team_rows,
    spread_from_counts,
    spread_of,
    visible_spread,
)

LEVELS = (1, 2, 3, 4)
TITLES = ("Interactions", "Learning", "College")


@pytest.mark.parametrize("seed", range(25))
def test_quartiles_from_a_histogram_match_the_statistics_module(seed):
    rng = random.Random(seed)
    values = [rng.choice(LEVELS) for _ in range(rng.randint(2, 60))]
    spread = spread_of(LEVELS, values)
    lower, middle, upper = statistics.quantiles(values, n=4, method="inclusive")
    assert spread.median == pytest.approx(statistics.median(values))
    assert spread.median == pytest.approx(middle)
    assert spread.lower_quartile == pytest.approx(lower)
    assert spread.upper_quartile == pytest.approx(upper)
    assert spread.counts == tuple(values.count(level) for level in LEVELS)


def test_not_rated_is_counted_apart_and_never_as_a_level():
    spread = spread_of(LEVELS, [None, 4, None, 2, 3])
    assert (spread.rated, spread.not_rated, spread.teams) == (3, 2, 5)
    assert spread.median == 3
    assert spread.counts == (0, 1, 1, 1)


def test_an_empty_group_has_no_median():
    spread = spread_of(LEVELS, [None, None])
    assert spread.median is None and spread.lower_quartile is None and spread.most_common is None
    assert quantile(LEVELS, (0, 0, 0, 0), 0.5) is None


def test_a_histogram_with_more_teams_than_ratings_counts_the_rest_as_not_rated():
    spread = spread_from_counts(LEVELS, {2: 3, 9: 5}, teams=10)  # 9 is not on the scale
    assert spread.counts == (0, 3, 0, 0)
    assert spread.not_rated == 7


def test_the_median_of_two_middle_levels_is_between_them():
    assert spread_of(LEVELS, [2, 3]).median == 2.5
    assert format_level(2.5) == "2.5"
    assert format_level(3.0) == "3"
    assert format_level(2 + 1 / 3) == "2.33"
    assert format_level(None) == "–"


def test_small_groups_are_hidden_from_aggregate_audiences_only():
    two = spread_of(LEVELS, [1, 4])
    three = spread_of(LEVELS, [1, 4, 2])
    assert SMALL_GROUP == 3
    assert visible_spread(two, named=False) is None
    assert visible_spread(two, named=True) is two
    assert visible_spread(three, named=False) is three
    assert not shown(2, named=False) and shown(3, named=False) and shown(0, named=True)


def test_change_counts_come_from_directions():
    change = change_from_counts({1: 4, 0: 2, -1: 1})
    assert change == Change(up=4, same=2, down=1)
    assert change.compared == 7
    assert change_from_counts({}) == Change()


def row(team: str, unit: str = "", mean: float | None = None, team_id: int = 0) -> TeamRow:
    return TeamRow(team_id or hash(team) % 1000, team, unit, "agreed", mean, 0)


def test_sorting_by_name_ignores_case():
    rows = [row("beta"), row("Alpha"), row("gamma")]
    assert [r.team for r in sort_team_rows(rows, "name", False)] == ["Alpha", "beta", "gamma"]
    assert [r.team for r in sort_team_rows(rows, "name", True)] == ["gamma", "beta", "Alpha"]


def test_sorting_by_unit_keeps_names_in_order_and_teams_without_a_unit_last():
    rows = [row("B", "North"), row("A", "South"), row("C", ""), row("A2", "North")]
    assert [r.team for r in sort_team_rows(rows, "unit", False)] == ["A2", "B", "A", "C"]


def test_sorting_by_mean_puts_teams_with_nothing_rated_last_both_ways():
    rows = [row("Low", mean=1.5), row("None"), row("High", mean=3.2), row("Mid", mean=2.0)]
    assert [r.team for r in sort_team_rows(rows, "mean", False)] == ["Low", "Mid", "High", "None"]
    assert [r.team for r in sort_team_rows(rows, "mean", True)] == ["High", "Mid", "Low", "None"]


def test_summaries_name_the_extremes_and_the_direction():
    text = describe_medians(TITLES, [3, 1, 2], [2, 1, 3], "Autumn 2026")
    assert text == ("The median team is highest on 'Interactions' (3) and lowest on 'Learning' "
                    "(1); since Autumn 2026 the median rose on 1 challenge, stayed the same on 1 "
                    "and fell on 1.")
    assert "every challenge" in describe_medians(TITLES, [2, 2, None])
    assert "Too few teams" in describe_medians(TITLES, [None, None, None])


def test_summaries_count_instead_of_listing_many_challenges():
    titles = tuple(f"C{i}" for i in range(6))
    assert "lowest on 5 challenges (1)" in describe_medians(titles, [3, 1, 1, 1, 1, 1])


def test_distribution_summary_says_where_most_teams_are():
    spreads: list[Spread | None] = [spread_of(LEVELS, [2, 2, 1]), spread_of(LEVELS, [2, 3, 2]),
                                    None]
    text = describe_distribution(TITLES, spreads, ("Not yet", "Engagement", "Dev", "Transf"))
    assert text.startswith("On 2 of 2 challenges most teams are at level 2 (Engagement)")
    assert "'Interactions' has the most teams at level 1 (1 of 3)" in text


def test_change_priorities_heatmap_trend_and_comparison_summaries():
    assert "first round" in describe_change(TITLES, [None] * 3, None)
    text = describe_change(TITLES, [Change(3, 1, 0), Change(1, 1, 2), None], "Spring")
    assert text == ("Since Spring, teams moved up a level or more 4 times and down 2 times; "
                    "'Interactions' improved most.")
    assert describe_priorities(TITLES, [2, 5, 5]) == (
        "Teams most often chose 'Learning' and 'College' as a priority (5 teams each).")
    assert describe_priorities(TITLES, [0, 0, 0]) == "No team has chosen a priority yet."
    rows = [row("A", mean=1.5), row("B"), row("C", mean=3.25)]
    assert describe_heatmap(rows) == ("2 of 3 teams have rated at least one challenge; their "
                                      "mean levels range from 1.5 to 3.25.")
    assert describe_trend(["R1", "R2", "R3"], [[1, 2, 3], [2, None, 2], [3, 2, None]]) == (
        "From R1 to R3 the median rose on 1 challenge, stayed the same on 1 and fell on 1.")
    assert compare_to_median([3, 2, None, 1], [2, 2, 2, None]) == (1, 1, 0)
    assert describe_versus("Riverside", [3, 2, 1], [2, 2, 2]) == (
        "Riverside is above the organisation median on 1 challenge, level with it on 1 and "
        "below it on 1.")
    assert describe_comparison(["A", "B"], [[3, 3, 3], [1, None, 2]], [2, 2, 2]) == (
        "Challenges above the organisation median: A on 3 of 3; B on 0 of 2.")
