"""Pure scoring: rows for pages, charts and workbooks."""

from assessment.frameworks import default_framework
from assessment.scoring import (
    RatingValue,
    challenge_rows,
    change_between,
    describe_change,
    is_complete,
    rated_count,
)


def test_rows_follow_framework_order_and_show_unrated_challenges_as_not_rated():
    framework = default_framework()
    rows = challenge_rows(framework, {"workforce": RatingValue(level=3, target=4, priority=True)})
    assert [r.number for r in rows] == list(range(1, 11))
    workforce = rows[7]
    assert (workforce.level, workforce.level_label, workforce.target) == (3, "Development", 4)
    assert workforce.priority
    assert rows[0].level is None and rows[0].level_label == "Not rated"


def test_change_compares_with_previous_round_only_when_both_are_rated():
    framework = default_framework()
    rows = challenge_rows(
        framework,
        {"interactions": RatingValue(level=3), "involvement": RatingValue(level=1)},
        {"interactions": RatingValue(level=1), "involvement": RatingValue(level=2),
         "workforce": RatingValue(level=2)},
    )
    assert rows[0].change == 2
    assert rows[6].change == -1
    assert rows[7].previous == 2 and rows[7].change is None


def test_change_words():
    assert change_between(None, 2) is None
    assert describe_change(2) == "Up 2"
    assert describe_change(-1) == "Down 1"
    assert describe_change(0) == "No change"
    assert describe_change(None) == ""


def test_complete_only_when_every_challenge_has_a_level():
    framework = default_framework()
    ratings = {c: RatingValue(level=2) for c in framework.challenge_ids}
    assert is_complete(framework, ratings)
    assert rated_count(ratings) == 10
    ratings["workforce"] = RatingValue(level=None, evidence="Still talking")
    assert not is_complete(framework, ratings)
    assert rated_count(ratings) == 9
