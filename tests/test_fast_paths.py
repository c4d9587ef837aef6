"""The loader's fast paths for large columns give exactly what the general paths give.

A million-row CSV column of ids is checked for repeats by sorting, and a column of ISO
times is parsed by one Arrow cast; the general paths (hashing every cell, parsing each
distinct cell) are what the fast ones must equal, cell for cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import evalkit
from evalkit.data._dates import _all_iso, _parse_dates, as_datetime
from evalkit.data._distinct import _repeating, on_distinct, repeated_keys


def arrow_text(values: list[str | None]) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string())))


def repeating_by_hashing(values: list[str | None], where: np.ndarray) -> np.ndarray:
    """The positions in ``where`` whose cell repeats among ``where``: the general way."""
    at = pd.Series(values, dtype=object).iloc[where].fillna("\0missing")
    return np.flatnonzero(at.duplicated(keep=False).to_numpy())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.sampled_from(["A1", "A2", "A3", "", "甲", "A10"])), max_size=40
    ),
    st.data(),
)
def test_repeats_found_by_sorting_equal_those_found_by_hashing(values, data):
    where = np.array(
        sorted(data.draw(st.sets(st.integers(0, max(len(values) - 1, 0)), max_size=len(values))))
        if values
        else [],
        dtype=np.int64,
    )
    array = pa.array(values, type=pa.large_string())
    found = _repeating(array, where)
    assert found.tolist() == repeating_by_hashing(values, where).tolist()


def test_a_missing_cell_repeats_only_another_missing_one():
    # rows 0..4: A1, missing, A2, missing, A1 -> A1 repeats (0, 4) and missing repeats (1, 3)
    array = pa.array(["A1", None, "A2", None, "A1"], type=pa.large_string())
    assert _repeating(array, np.arange(5)).tolist() == [0, 1, 3, 4]
    # one missing cell alone does not repeat: rows 0, 1, 2 -> only nothing
    assert _repeating(array, np.arange(3)).tolist() == []


def test_repeated_ids_in_a_long_column_are_found_by_sorting_as_by_hashing():
    # 30,000 short ids (sorted, not hashed, above 10,000 rows), of which rows 5 and 29,999
    # share A000005 and rows 7 and 8 are both missing: repeats at 5, 7, 8 and 29,999
    ids = [f"A{i:06d}" for i in range(30_000)]
    ids[29_999] = "A000005"
    ids[7] = ids[8] = None
    where, codes = repeated_keys([arrow_text(ids)])
    assert where.tolist() == [5, 7, 8, 29_999]
    assert codes.tolist() == [0, 1, 1, 0]  # numbered in order of first appearance


ISO_CELLS = [
    "2025-03-05",
    "2025-03-05 14:30",
    "2025-03-05T14:30:59",
    "2025-03-05T14:30:59.999999999",  # the fraction is dropped: 14:30:59
    "1969-12-31 23:59:59.5",  # before 1970 too: 23:59:59, not 1970-01-01
    "2024-02-29 08:00",
    None,
]


def test_an_iso_column_is_parsed_at_once_as_cell_by_cell():
    text = arrow_text(ISO_CELLS * 3)
    fast = _all_iso(text)
    assert fast is not None
    general = on_distinct(text, _parse_dates, costly=True).astype("datetime64[ns]")
    pd.testing.assert_series_equal(fast, general)
    assert fast[3] == pd.Timestamp("2025-03-05 14:30:59")
    assert fast[4] == pd.Timestamp("1969-12-31 23:59:59")
    assert pd.isna(fast[6])


@pytest.mark.parametrize(
    "odd",
    [
        "2025/3/5",  # not ISO: the general parser reads it
        "2025-02-29",  # no such day: an error on the cell
        "2025-03-05 24:00",  # hour 24: the general parser decides
        "2025-03-05T14",  # an hour alone: Arrow reads it, the ISO pattern does not
        "2025-03-05 14:30:00,5",  # a decimal comma
        "2025年3月5日",
    ],
)
def test_a_column_with_one_other_cell_goes_the_general_way(odd):
    text = arrow_text([*ISO_CELLS, odd])
    assert _all_iso(text) is None
    parsed, bad = as_datetime(text)
    general = on_distinct(text, _parse_dates, costly=True).astype("datetime64[ns]")
    pd.testing.assert_series_equal(parsed, general)
    assert bad.tolist() == (text.notna() & general.isna()).tolist()


def test_a_repeated_english_header_among_ascii_ids_and_times_is_still_found():
    # Long columns of distinct ASCII cells (ids, times) are looked at only where a cell's
    # first character begins a spelling of the header (s for submission_id ...). Among
    # 100,000 records, row 50,002 repeats the English header in those two columns only
    # (its other cells are empty): both its cells are header spellings, so it is no record.
    n = 100_000
    minutes = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.arange(n), unit="min")
    submissions = pd.DataFrame(
        {
            "submission_id": [str(1_000_000 + i) for i in range(n)],
            "units": ["城关镇"] * n,
            "title": [f"春耕{i}" for i in range(n)],
            "submitted_at": minutes.strftime("%Y-%m-%d %H:%M").tolist(),
        }
    )
    header = pd.DataFrame({"submission_id": ["submission_id"], "submitted_at": ["submitted_at"]})
    submissions = pd.concat([submissions[:50_000], header, submissions[50_000:]])
    ds = evalkit.load_frames(
        units=pd.DataFrame({"unit": ["城关镇"], "group": ["乡镇组"]}),
        submissions=submissions,
        adoptions=pd.DataFrame(
            {"submission_id": ["1000001"], "level": ["市级"], "adopted_at": ["2025-03-09"]}
        ),  # fmt: skip
    )
    assert len(ds.submissions) == n
    found = ds.issues[ds.issues["message"].str.contains("repeated header row")]
    assert found[["table", "row"]].values.tolist() == [["submissions", 50_002]]
