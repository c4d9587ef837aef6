"""The scorer's fast sorts give exactly NumPy's stable orders (the ledgers depend on them)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import make_dataset, make_rules
from hypothesis import given, settings
from hypothesis import strategies as st

import evalkit
from evalkit._paths import SAMPLE_DIR
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._basis import _in_order, _years
from evalkit.scoring.scorer import Scorer

_MINUTE = np.timedelta64(60, "s")


def _keys(draw_ints, n, kinds):
    keys = []
    for kind in kinds:
        values = np.array(draw_ints(n), dtype=np.int64)
        if kind == "time":  # whole minutes, as the sample's times are
            values = np.datetime64("2025-01-01T00:00", "ns") + values * _MINUTE
        elif kind == "bool":
            values = values % 2 == 0
        elif kind == "huge":  # too far apart to fold: NumPy's lexsort does it
            values = values * (2**60)
        keys.append(values)
    return keys


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    n=st.integers(0, 60),
    kinds=st.lists(st.sampled_from(["int", "time", "bool", "huge"]), min_size=1, max_size=5),
    spread=st.sampled_from([3, 1000, 10**9]),
)
def test_lexsort_is_numpys_stable_order(data, n, kinds, spread):
    def ints(k):
        return data.draw(st.lists(st.integers(-spread, spread), min_size=k, max_size=k))

    keys = _keys(ints, n, kinds)
    assert np.array_equal(kit.lexsort(keys), np.lexsort(keys))


def test_lexsort_on_many_ties_and_wide_keys_ranks_what_is_folded():
    rng = np.random.default_rng(7)
    n = 50_000
    keys = (
        rng.permutation(n),  # unique tie-breaker, like adoption ids
        rng.integers(0, 3, n),
        rng.integers(0, 4, n),
        np.datetime64("2024-01-01", "ns") + rng.integers(0, 10**6, n) * _MINUTE,
        rng.integers(0, 10**6, n),
    )
    assert np.array_equal(kit.lexsort(keys), np.lexsort(keys))
    in_order = (np.arange(n), *keys[1:])  # ids rising with the rows: dropped, the sort is stable
    assert np.array_equal(kit.lexsort(in_order), np.lexsort(in_order))
    tied = (rng.integers(0, 5, n), rng.integers(0, 5, n))  # equal keys keep their order
    assert np.array_equal(kit.lexsort(tied), np.lexsort(tied))


@pytest.mark.parametrize(
    "last", [np.array([2**63 + 5, 3], dtype=np.uint64), np.array([2**62 + 1, -(2**62) - 1])]
)
def test_lexsort_keeps_a_falling_last_key(last):
    """Only a last key that rises row by row may stand in for the rows' order (these fall,
    though their difference wraps round to a positive number)."""
    keys = (last, np.zeros(2, dtype=np.int64))
    assert list(kit.lexsort(keys)) == list(np.lexsort(keys)) == [1, 0]


def test_lexsort_with_a_missing_time_sorts_it_last_as_numpy_does():
    at = np.array(["2025-03-01", "NaT", "2025-01-01", "2025-03-01"], dtype="datetime64[ns]")
    keys = (np.array([3, 2, 1, 0]), at)
    assert list(kit.lexsort(keys)) == [2, 3, 0, 1] == list(np.lexsort(keys))


@pytest.mark.parametrize("values", [[5, 1, 5, 0, 1], [3, 2, 1], [], [7]])
def test_stable_argsort_keeps_equal_keys_in_order(values):
    key = np.array(values, dtype=np.int64)
    assert list(kit.stable_argsort(key)) == list(np.argsort(key, kind="stable"))


def test_dense_rank():
    rank, distinct = kit.dense_rank(np.array([40, 10, 40, 30]))
    assert list(rank) == [2, 0, 2, 1] and distinct == 3


def test_years_number_each_calendar_year_in_order():
    at = np.array(
        ["2024-12-31T23:59", "2025-01-01T00:00", "NaT", "2026-07-01", "2025-12-31T23:59"],
        dtype="datetime64[ns]",
    )
    years = _years(at)
    assert years[0] < years[1] == years[4] < years[3]
    assert years[2] not in (years[0], years[1], years[3])  # a missing time is its own year


def test_in_order_finds_runs_of_ids_in_the_submissions_order():
    among = pa.array(["a", "b", "c"], pa.large_string())
    runs = pa.array(["a", "b", "b", "c"], pa.large_string())
    assert list(_in_order(runs, among)) == [0, 1, 1, 2]
    assert _in_order(pa.array(["a", "c", "b"], pa.large_string()), among) is None
    assert _in_order(pa.array(["a", "b"], pa.large_string()), among) is None  # c has no row


def test_scores_do_not_depend_on_the_order_of_the_submissions():
    """Submissions and their units shuffled: the ids are ranked and looked up, not walked in order."""
    dataset = evalkit.load(SAMPLE_DIR)
    shuffled = dataclasses.replace(
        dataset,
        submissions=dataset.submissions.sample(frac=1.0, random_state=3),
        submission_units=dataset.submission_units.sample(frac=1.0, random_state=4),
    )
    for rules in ("default", "provincial-highest"):
        a, b = Scorer(dataset, rules, year=2025), Scorer(shuffled, rules, year=2025)
        pd.testing.assert_frame_equal(a.score(), b.score())
        pd.testing.assert_frame_equal(a.ledger(), b.ledger())


@pytest.mark.parametrize("first", ["S2", "S1"])
def test_a_cap_reached_by_items_sent_at_the_same_minute_goes_by_id(first):
    """Two items of one unit at the same time, 3 points each, capped at 4: S1 (the lower id)
    earns 3 and S2 the 1 left, whichever order the file lists them in."""
    other = "S1" if first == "S2" else "S2"
    ds = make_dataset(
        units=[("甲镇", "乡镇组")],
        items=[(first, "甲镇", "2025-03-01 09:00"), (other, "甲镇", "2025-03-01 09:00")],
    )
    rules = make_rules(submission={"points": 3, "cap": 4})
    ledger = Scorer(ds, rules, year=2025).ledger()
    assert dict(zip(ledger["record"], ledger["points"], strict=True)) == {"S1": 3.0, "S2": 1.0}


@pytest.mark.parametrize("n_edges", [0, 1, 13, 200])
def test_edges_passed_is_searchsorted(n_edges):
    rng = np.random.default_rng(n_edges)
    start = np.datetime64("2025-01-01", "ns")
    edges = np.sort(start + rng.integers(0, 10**6, n_edges) * _MINUTE)
    at = start + rng.integers(-1000, 10**6 + 1000, 5000) * _MINUTE
    at[:3] = edges[:3] if n_edges >= 3 else at[:3]  # a time on an edge counts the edge
    assert np.array_equal(kit.edges_passed(edges, at), np.searchsorted(edges, at, side="right"))
    missing = np.array(["NaT"], dtype="datetime64[ns]")
    assert list(kit.edges_passed(edges, missing)) == [0]
