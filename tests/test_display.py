"""Notebook tables: empty cells read "—" (never NaN, <NA> or None), and the data is untouched."""

import re

import pandas as pd

from evalkit.outputs.display import EMPTY, display_table


def _cells(frame: pd.DataFrame, **kwargs) -> list[str]:
    return re.findall(r"<td[^>]*>([^<]*)</td>", display_table(frame, **kwargs).to_html())


def test_every_kind_of_missing_value_shows_as_a_dash():
    frame = pd.DataFrame(
        {
            "单位": ["城关镇", None],
            "报送数": [12.0, float("nan")],
            "组别": pd.array(["乡镇组", pd.NA], dtype="string"),
            "名次": pd.array([3, None], dtype="Int64"),
            "报送时间": pd.to_datetime(["2025-03-01", None]),
        }
    )
    assert _cells(frame) == ["城关镇", "12", "乡镇组", "3", "2025-03-01"] + [EMPTY] * 5


def test_float_columns_show_the_decimals_they_need_and_times_to_the_minute():
    frame = pd.DataFrame(
        {
            "得分": [351.26, 30.0],
            "采用率": [0.5, 0.125],
            "报送时间": pd.to_datetime(["2025-03-01 08:30:59", "2025-03-02 00:00:00"]),
        }
    )
    assert _cells(frame) == [
        "351.26",
        "0.500",
        "2025-03-01 08:30",
        "30.00",
        "0.125",
        "2025-03-02 00:00",
    ]
    assert _cells(frame, decimals=1) == [
        "351.3",
        "0.5",
        "2025-03-01 08:30",
        "30.0",
        "0.1",
        "2025-03-02 00:00",
    ]


def test_the_frame_is_not_changed_and_a_meaningful_index_is_kept():
    frame = pd.DataFrame({"报送数": [1.0, None]}, index=pd.Index(["紧急", "约稿"], name="类别"))
    before = frame.copy()
    html = display_table(frame).to_html()
    pd.testing.assert_frame_equal(frame, before)
    assert "紧急" in html and "约稿" in html
    assert "<th" in html and ">0<" not in html


def test_row_numbers_are_hidden_even_after_a_sort():
    frame = pd.DataFrame({"单位": ["甲", "乙", "丙"], "报送数": [3, 9, 5]}).sort_values("报送数")
    html = display_table(frame).to_html()
    assert re.findall(r"<th[^>]*>([^<]*)</th>", html) == ["单位", "报送数"]
