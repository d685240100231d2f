"""Pure workshop logic: join codes, vote summaries, and the rules that keep voters anonymous."""

from __future__ import annotations

import itertools

import pytest

from assessment.votes import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    NOT_SURE,
    Perspective,
    describe_spread,
    format_join_code,
    format_median,
    new_join_code,
    normalise_join_code,
    parse_vote,
    split_by_perspective,
    summarise,
    summarise_votes,
)

LEVELS = (1, 2, 3, 4)
LABELS = {1: "Not yet started", 2: "Engagement", 3: "Development", 4: "Transformation"}
S, P, U, C, OTHER = (Perspective.STAFF, Perspective.PEER_WORKER, Perspective.SERVICE_USER,
                 Perspective.CARER, Perspective.OTHER)


def test_the_code_alphabet_has_no_look_alikes():
    assert not set("0O1IL") & set(JOIN_CODE_ALPHABET)
    assert len(set(JOIN_CODE_ALPHABET)) == len(JOIN_CODE_ALPHABET) == 31


def test_new_codes_use_the_alphabet_and_differ():
    codes = {new_join_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == JOIN_CODE_LENGTH and set(c) <= set(JOIN_CODE_ALPHABET) for c in codes)


@pytest.mark.parametrize("typed, stored", [
    ("ABC234", "ABC234"), ("abc 234", "ABC234"), (" a-b-c 2 3 4 ", "ABC234"),
    ("ABC23", None), ("ABC2345", None), ("ABC23O", None), ("ABC231", None), ("", None),
    (None, None), ("ÄBC234", None),
])
def test_typed_codes_are_normalised_or_refused(typed, stored):
    assert normalise_join_code(typed) == stored


def test_codes_are_shown_in_two_groups_of_three():
    assert format_join_code("ABC234") == "ABC 234"


@pytest.mark.parametrize("raw, expected", [
    ("1", (True, 1)), ("4", (True, 4)), (NOT_SURE, (True, None)), ("0", (False, None)),
    ("5", (False, None)), ("-1", (False, None)), ("2.0", (False, None)), ("", (False, None)),
    (None, (False, None)), ("٣", (False, None)),
])
def test_a_vote_is_a_level_on_the_scale_or_not_sure(raw, expected):
    assert parse_vote(raw, LEVELS) == expected


def test_a_summary_counts_each_level_and_not_sure_apart():
    summary = summarise_votes(LEVELS, [2, 3, 3, None, 4, 3])
    assert summary.counts == (0, 1, 3, 1)
    assert (summary.not_sure, summary.rated, summary.voters) == (1, 5, 6)
    assert summary.median == 3
    assert (summary.lowest, summary.highest, summary.span) == (2, 4, 3)
    assert summary.differ_widely
    assert (summary.bar(3), summary.bar(1), summary.bar(0)) == (100, 33, 0)


@pytest.mark.parametrize("votes, median, span, wide", [
    ([2, 2, 2], 2, 1, False),
    ([2, 3], 2.5, 2, False),
    ([1, 3], 2, 3, True),
    ([1, 4, 4, 4], 4, 4, True),
    ([None, None], None, 0, False),
    ([], None, 0, False),
])
def test_median_and_spread_leave_not_sure_out(votes, median, span, wide):
    summary = summarise_votes(LEVELS, votes)
    assert (summary.median, summary.span, summary.differ_widely) == (median, span, wide)


def test_kept_counts_off_the_scale_are_ignored():
    summary = summarise(LEVELS, {1: 2, 7: 5, None: 1})
    assert summary.counts == (2, 0, 0, 0)
    assert summary.voters == 3


def test_median_and_spread_in_plain_words():
    label = LABELS.__getitem__
    assert format_median(3, label) == "3 (Development)"
    assert format_median(2.5, label) == "2.5 (between Engagement and Development)"
    assert format_median(None, label) == "No level chosen"
    assert describe_spread(summarise_votes(LEVELS, [3, 3]), label) == (
        "Everyone who chose a level chose 3 (Development).")
    assert describe_spread(summarise_votes(LEVELS, [1, 3, None]), label) == (
        "Votes run from 1 (Not yet started) to 3 (Development), across 3 levels.")
    assert describe_spread(summarise_votes(LEVELS, [None]), label) == "Nobody chose a level."


def labels(groups) -> dict[str, int]:
    return {group.label: group.summary.voters for group in groups}


def test_perspectives_of_three_or_more_are_shown_and_the_rest_folded_into_other():
    votes = [(3, S)] * 4 + [(2, U)] * 3 + [(1, C)] * 2 + [(None, P)] + [(4, OTHER)]
    groups = split_by_perspective(LEVELS, votes)
    assert labels(groups) == {"Staff": 4, "Person using services": 3, "Other": 4}
    other = groups[-1].summary
    assert other.counts == (2, 0, 0, 1) and other.not_sure == 1


def test_an_other_group_of_one_or_two_takes_in_the_smallest_shown_group():
    # Two carers on their own could be worked out from the totals: fold the smallest group.
    votes = [(3, S)] * 5 + [(2, U)] * 3 + [(1, C)] * 2
    assert labels(split_by_perspective(LEVELS, votes)) == {"Staff": 5, "Other": 5}


def test_no_split_when_only_one_group_could_be_shown():
    assert split_by_perspective(LEVELS, [(3, S)] * 6) == []
    assert split_by_perspective(LEVELS, [(3, S)] * 3 + [(2, C)] * 2) == []
    assert split_by_perspective(LEVELS, [(3, C), (2, U), (1, OTHER)]) == []
    assert split_by_perspective(LEVELS, []) == []


def test_nobody_in_a_shown_group_is_alone():
    """Whatever the mix, every group shown has at least three voters."""
    people = list(Perspective)
    for sizes in itertools.product(range(5), repeat=len(people)):
        votes = [(2, p) for p, n in zip(people, sizes, strict=True) for _ in range(n)]
        assert all(g.summary.voters >= 3 for g in split_by_perspective(LEVELS, votes)), sizes
