"""Golden cases for evalkit.metrics on a tiny dataset whose every figure is counted by hand.

Four units: 城关镇 and 河口镇 (乡镇组), 财政局 and 教育局 (部门组, 教育局 sends nothing).

    id  units        category      event             submitted          due
    S1  城关镇        ordinary      2025-03-05 08:00  2025-03-05 10:00
    S2  城关镇        urgent        2025-09-30 17:00  2025-09-30 18:30             (1.5 h: on time)
    S3  城关镇、河口镇 urgent        2025-06-02 09:00  2025-06-02 12:00             (3 h: late)
    S4  河口镇        commissioned                    2025-04-10 17:00  2025-04-10 18:00 (on time)
    S5  河口镇        commissioned                    2025-05-12 09:00  2025-05-10 18:00 (late)
    S6  财政局        research      2025-09-26 09:00  2025-09-29 09:00             (72 h, 2 workdays)
    S7  财政局        ordinary                        2024-12-30 10:00             (last year)
    S8  城关镇        ordinary      2025-12-29 09:00  2025-12-31 09:00             (48 h, 2 workdays)
    S9  河口镇        commissioned                    2025-08-01 10:00  (none: cannot be judged)

Adoptions: S1 county single 03-06, S1 city combined 03-20 (city instruction); S3 county
single 06-03 (county instruction), S3 county combined 06-04, S3 province brief 06-20;
S6 national single 10-20 (national instruction); S7 city single 2025-01-05; S2 county
single 2026-01-03 (next year). Faults: 城关镇 late 2025-06-02 on S3; 河口镇 commission
missed 2025-07-01; 财政局 false 2025-11-01; 城关镇 omitted 2024-12-01 (last year).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.metrics import (
    compute_metrics,
    lags,
    monthly,
    parse_period,
    period_tag,
    resolve_period,
    wilson_interval,
    workday_lag,
)
from evalkit.scoring.rules import Deadline, Rules

A, B, C, D = "城关镇", "河口镇", "财政局", "教育局"


@pytest.fixture(scope="module")
def tiny():
    units = pd.DataFrame(
        {
            "unit": [A, B, C, D],
            "group": ["乡镇组", "乡镇组", "部门组", "部门组"],
            "class": [None, None, "一类", "一类"],
        }
    )
    submissions = pd.DataFrame(
        [
            ("S1", A, "张三", "t1", "ordinary", "2025-03-05 08:00", "2025-03-05 10:00", None),
            ("S2", A, "王五", "t2", "urgent", "2025-09-30 17:00", "2025-09-30 18:30", None),
            (
                "S3",
                f"{A}、{B}",
                "张三、李四",
                "t3",
                "urgent",
                "2025-06-02 09:00",
                "2025-06-02 12:00",
                None,
            ),
            ("S4", B, "李四", "t4", "commissioned", None, "2025-04-10 17:00", "2025-04-10 18:00"),
            ("S5", B, None, "t5", "commissioned", None, "2025-05-12 09:00", "2025-05-10 18:00"),
            ("S6", C, "赵六", "t6", "research", "2025-09-26 09:00", "2025-09-29 09:00", None),
            ("S7", C, "赵六", "t7", "ordinary", None, "2024-12-30 10:00", None),
            ("S8", A, None, "t8", "ordinary", "2025-12-29 09:00", "2025-12-31 09:00", None),
            ("S9", B, None, "t9", "commissioned", None, "2025-08-01 10:00", None),
        ],
        columns=[
            "submission_id",
            "units",
            "informants",
            "title",
            "category",
            "event_at",
            "submitted_at",
            "due_at",
        ],
    )
    adoptions = pd.DataFrame(
        [
            ("S1", "county", "single", "2025-03-06", None),
            ("S1", "city", "combined", "2025-03-20", "city"),
            ("S3", "county", "single", "2025-06-03", "county"),
            ("S3", "county", "combined", "2025-06-04", None),
            ("S3", "province", "brief", "2025-06-20", None),
            ("S6", "national", "single", "2025-10-20", "national"),
            ("S7", "city", "single", "2025-01-05", None),
            ("S2", "county", "single", "2026-01-03", None),
        ],
        columns=["submission_id", "level", "adoption_type", "adopted_at", "instruction_level"],
    )
    faults = pd.DataFrame(
        [
            (A, "late", "2025-06-02", "S3"),
            (B, "commission_missed", "2025-07-01", None),
            (C, "false", "2025-11-01", None),
            (A, "omitted", "2024-12-01", None),
        ],
        columns=["unit", "kind", "occurred_at", "submission_id"],
    )
    data = evalkit.load_frames(
        units=units, submissions=submissions, adoptions=adoptions, faults=faults
    )
    assert data.errors.empty, data.errors
    return data


def row(frame: pd.DataFrame, **keys) -> pd.Series:
    mask = np.logical_and.reduce([frame[k] == v for k, v in keys.items()])
    assert mask.sum() == 1, keys
    return frame[mask].iloc[0]


# ----------------------------------------------------------------- periods
@pytest.mark.parametrize(
    ("period", "start", "end", "label"),
    [
        ("2025", "2025-01-01", "2026-01-01", "2025年"),
        (2025, "2025-01-01", "2026-01-01", "2025年"),
        ("2025Q2", "2025-04-01", "2025-07-01", "2025年第2季度"),
        ("2025-06", "2025-06-01", "2025-07-01", "2025年6月"),
        (pd.Period("2025-02", freq="M"), "2025-02-01", "2025-03-01", "2025年2月"),
        (("ytd", "2025-06"), "2025-01-01", "2025-07-01", "2025年1-6月"),
        (("ytd", "2025Q3"), "2025-01-01", "2025-10-01", "2025年1-9月"),
        (("2025-03-01", "2025-05-31"), "2025-03-01", "2025-06-01", "2025年3月1日至2025年5月31日"),
        (("2025-03", "2025-05"), "2025-03-01", "2025-06-01", "2025年3月至2025年5月"),
        ("2025H1", "2025-01-01", "2025-07-01", "2025年上半年"),
        ("2025h2", "2025-07-01", "2026-01-01", "2025年下半年"),
        (("ytd", "2025H2"), "2025-01-01", "2026-01-01", "2025年1-12月"),
        (("2025Q1", "2025H2"), "2025-01-01", "2026-01-01", "2025年第1季度至2025年下半年"),
    ],
)
def test_resolve_period(period, start, end, label):
    span = resolve_period(period)
    assert (span.start, span.end, span.label) == (pd.Timestamp(start), pd.Timestamp(end), label)


@pytest.mark.parametrize(
    ("text", "tag"),
    [("2025", "2025"), ("2025H1", "2025H1"), ("2025 h2", "2025H2"), ("2025q3", "2025Q3"),
     ("2025-Q3", "2025Q3"), ("2025-6", "2025-06"), ("2025-12", "2025-12")],
)  # fmt: skip
def test_parse_period_reads_the_four_command_line_forms_and_tags_them_back(text, tag):
    assert period_tag(parse_period(text)) == tag
    assert parse_period(tag) == parse_period(text)


@pytest.mark.parametrize("text", ["2025H3", "2025Q0", "2025-13", "2025-06-01", "25", "H1", ""])
def test_parse_period_refuses_anything_else_naming_the_forms(text):
    with pytest.raises(ValueError, match=r"2025H1\), a quarter \(2025Q3\) or a month \(2025-06\)"):
        parse_period(text)


def test_resolve_period_year_argument_and_english_labels():
    assert resolve_period(year=2024) == resolve_period("2024")
    assert resolve_period("2025H1", lang="en").label == "2025 H1"
    assert resolve_period("2025Q2", lang="en").label == "2025 Q2"
    assert (
        resolve_period(("ytd", "2025-01"), lang="en").label == "2025-01 to 2025-01 (year to date)"
    )
    with pytest.raises(ValueError):
        resolve_period()
    with pytest.raises(ValueError):
        resolve_period(("2025-06", "2025-03"))


# ----------------------------------------------------------------- Wilson
def test_wilson_known_value():
    low, high = wilson_interval(3, 5)
    assert (round(low, 4), round(high, 4)) == (0.2307, 0.8824)


def test_wilson_vectorised_edges():
    low, high = wilson_interval([0, 5, 0, 6], [5, 5, 0, 5])
    # 0/5: low is exactly 0, high = z^2/(n+z^2) = 3.8415/8.8415
    assert low[0] == 0 and high[0] == pytest.approx(3.8414588 / 8.8414588, abs=1e-6)
    assert high[1] == 1 and low[1] == pytest.approx(5 / 8.8414588, abs=1e-6)
    assert np.isnan(low[2:]).all() and np.isnan(high[2:]).all()


# ----------------------------------------------------------------- Chinese calendar
def test_workday_lag_across_national_day_with_swapped_weekend_days():
    event = pd.Series(
        pd.to_datetime(
            ["2025-09-30 17:00", "2025-09-26 09:00", "2025-10-10 09:00", "2025-10-01 09:00", None]
        )
    )
    sent = pd.Series(
        pd.to_datetime(
            [
                "2025-10-09 08:00",
                "2025-09-29 09:00",
                "2025-10-13 09:00",
                "2025-10-08 20:00",
                "2025-10-08 00:00",
            ]
        )
    )
    lag = workday_lag(event, sent)
    # Oct 1-8 are off -> only Oct 9; Sat 27 off, Sun 28 worked, Mon 29 -> 2;
    # Sat Oct 11 worked, Sun 12 off, Mon 13 -> 2; inside the holiday -> 0; missing -> NA
    assert lag.iloc[:4].tolist() == [1, 2, 2, 0]
    assert pd.isna(lag.iloc[4])


# ----------------------------------------------------------------- compute_metrics by unit
def test_unit_rows_cover_every_unit_in_order(tiny):
    m = compute_metrics(tiny, year=2025)
    assert m["unit"].tolist() == [A, B, C, D]
    assert m["group"].astype(str).tolist() == ["乡镇组", "乡镇组", "部门组", "部门组"]


EXPECTED_2025 = {
    A: dict(
        submitted=4,
        adopted=2,
        adopted_county=2,
        adopted_city=1,
        adopted_province=1,
        adopted_national=0,
        adopted_city_up=2,
        adopted_province_up=1,
        adoptions_single=2,
        adoptions_combined=2,
        adoptions_brief=1,
        instructions_county=1,
        instructions_city=1,
        instructions_province=0,
        instructions_national=0,
        urgent=2,
        urgent_late=1,
        commissioned=0,
        commissioned_on_time=0,
        commissioned_late=0,
        commissioned_missed=0,
        faults_late=1,
        faults_omitted=0,
        faults_concealed=0,
        faults_false=0,
        faults_commission_missed=0,
    ),
    B: dict(
        submitted=4,
        adopted=1,
        adopted_county=1,
        adopted_city=0,
        adopted_province=1,
        adopted_national=0,
        adopted_city_up=1,
        adopted_province_up=1,
        adoptions_single=1,
        adoptions_combined=1,
        adoptions_brief=1,
        instructions_county=1,
        instructions_city=0,
        instructions_province=0,
        instructions_national=0,
        urgent=1,
        urgent_late=1,
        commissioned=3,
        commissioned_on_time=1,
        commissioned_late=1,
        commissioned_missed=1,
        faults_late=0,
        faults_omitted=0,
        faults_concealed=0,
        faults_false=0,
        faults_commission_missed=1,
    ),
    C: dict(
        submitted=1,
        adopted=2,
        adopted_county=0,
        adopted_city=1,
        adopted_province=0,
        adopted_national=1,
        adopted_city_up=2,
        adopted_province_up=1,
        adoptions_single=2,
        adoptions_combined=0,
        adoptions_brief=0,
        instructions_county=0,
        instructions_city=0,
        instructions_province=0,
        instructions_national=1,
        urgent=0,
        urgent_late=0,
        commissioned=0,
        commissioned_on_time=0,
        commissioned_late=0,
        commissioned_missed=0,
        faults_late=0,
        faults_omitted=0,
        faults_concealed=0,
        faults_false=1,
        faults_commission_missed=0,
    ),
}


@pytest.mark.parametrize("unit", [A, B, C])
def test_unit_counts_2025(tiny, unit):
    got = row(compute_metrics(tiny, year=2025), unit=unit)
    assert {k: int(got[k]) for k in EXPECTED_2025[unit]} == EXPECTED_2025[unit]


def test_unit_without_records_has_zeros_and_no_rate(tiny):
    got = row(compute_metrics(tiny, year=2025), unit=D)
    counts = got[list(EXPECTED_2025[A])]
    assert (counts == 0).all()
    assert np.isnan(
        got[["rate", "rate_low", "rate_high", "lag_hours_median", "lag_workdays_median"]].astype(
            float
        )
    ).all()


def test_rates_and_wilson(tiny):
    m = compute_metrics(tiny, year=2025).set_index("unit")
    assert m.loc[A, "rate"] == 0.5 and m.loc[B, "rate"] == 0.25
    low, high = wilson_interval(1, 4)
    assert (m.loc[B, "rate_low"], m.loc[B, "rate_high"]) == pytest.approx((low, high))
    assert m.loc[A, "rate_city_up"] == 0.5
    # 财政局: two items adopted in 2025 but one submitted (S7 was sent in 2024): rate 2, no interval
    assert m.loc[C, "rate"] == 2 and np.isnan(m.loc[C, "rate_low"])


def test_lags(tiny):
    m = compute_metrics(tiny, year=2025).set_index("unit")
    # 城关镇 lags 2, 1.5, 3, 48 h: median 2.5; p90 at position 2.7 of the sorted list: 3 + 0.7 * 45
    assert m.loc[A, "lag_hours_median"] == 2.5
    assert m.loc[A, "lag_hours_p90"] == pytest.approx(34.5)
    assert m.loc[A, "lag_workdays_median"] == 0  # 0, 0, 0, 2
    assert m.loc[B, "lag_hours_median"] == 3  # S4 and S5 have no event time
    assert m.loc[C, "lag_hours_median"] == 72 and m.loc[C, "lag_workdays_median"] == 2


def test_periods_select_submissions_and_adoptions_separately(tiny):
    march = compute_metrics(tiny, period="2025-03").set_index("unit")
    assert march.loc[
        A, ["submitted", "adopted", "adopted_county", "adopted_city", "instructions_city"]
    ].tolist() == [1, 1, 1, 1, 1]
    assert march.attrs["period"].label == "2025年3月"
    q2 = compute_metrics(tiny, period="2025Q2").set_index("unit")
    assert q2.loc[
        B, ["submitted", "commissioned", "commissioned_late", "commissioned_missed"]
    ].tolist() == [3, 2, 1, 0]
    last_year = compute_metrics(tiny, year=2024).set_index("unit")
    assert last_year.loc[C, ["submitted", "adopted"]].tolist() == [1, 0]
    assert last_year.loc[A, "faults_omitted"] == 1


def test_default_year_is_latest(tiny):
    assert compute_metrics(tiny).attrs["period"].label == "2025年"


def test_deadlines_settings(tiny):
    relaxed = compute_metrics(tiny, year=2025, deadlines={"urgent": {"hours": 4}}).set_index("unit")
    assert relaxed.loc[A, "urgent_late"] == 0 and relaxed.loc[B, "commissioned_late"] == 1
    # Rules replace the defaults wholesale: here commissioned items get no deadline at all
    rules = Rules.from_dict(
        {"schema_version": 1, "name": "t", "deadlines": {"urgent": {"hours": 1}}}
    )
    tight = compute_metrics(tiny, year=2025, deadlines=rules).set_index("unit")
    assert tight.loc[A, "urgent_late"] == 2  # 1.5 h and 3 h
    assert tight.loc[B, ["commissioned", "commissioned_on_time", "commissioned_late"]].tolist() == [
        3,
        0,
        0,
    ]
    # any object with .deadlines works, Deadline objects or mappings
    grace = SimpleNamespace(deadlines={"commissioned": Deadline(hours=None, due_at=True)})
    assert (
        compute_metrics(tiny, year=2025, deadlines=grace).set_index("unit").loc[A, "urgent_late"]
        == 0
    )


def test_group_counts_joint_item_once(tiny):
    g = compute_metrics(tiny, year=2025, by="group").set_index("group")
    town = g.loc["乡镇组"]
    assert town[
        ["submitted", "adopted", "adoptions_single", "adoptions_combined", "urgent", "urgent_late"]
    ].tolist() == [7, 2, 2, 2, 2, 1]
    assert town[["faults_late", "faults_commission_missed", "commissioned_missed"]].tolist() == [
        1,
        1,
        1,
    ]
    dept = g.loc["部门组"]
    assert dept[["submitted", "adopted", "adopted_national", "faults_false"]].tolist() == [
        1,
        2,
        1,
        1,
    ]


def test_informants(tiny):
    m = compute_metrics(tiny, year=2025, by="informant")
    assert list(zip(m["informant"], m["unit"], strict=True)) == [
        ("张三", A),
        ("李四", A),
        ("王五", A),
        ("李四", B),
        ("赵六", C),
    ]
    zhang = row(m, informant="张三", unit=A)
    assert zhang[
        ["submitted", "adopted", "adopted_province", "urgent_late", "faults_late"]
    ].tolist() == [2, 2, 1, 1, 1]
    li = row(m, informant="李四", unit=B)
    assert li[["submitted", "commissioned_on_time", "faults_commission_missed"]].tolist() == [
        1,
        1,
        0,
    ]
    zhao = row(m, informant="赵六", unit=C)
    assert zhao[["submitted", "adopted", "group"]].tolist() == [1, 2, "部门组"]


def test_inputs_not_mutated(tiny):
    before = tiny.submissions.copy(), tiny.adoptions.copy(), tiny.units.copy()
    compute_metrics(tiny, year=2025, by="group")
    lags(tiny, 2025)
    for old, new in zip(before, (tiny.submissions, tiny.adoptions, tiny.units), strict=True):
        pd.testing.assert_frame_equal(old, new)


# ----------------------------------------------------------------- monthly and lags
def test_monthly(tiny):
    m = monthly(tiny, years=[2025]).set_index(["year", "month"])
    assert len(m) == 12
    assert m["submitted"].tolist() == [0, 0, 1, 1, 1, 1, 0, 1, 2, 0, 0, 1]
    assert m["adopted"].tolist() == [1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0]
    assert m["adopted_city_up"].tolist() == [1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0]
    both = monthly(tiny)
    assert sorted(both["year"].unique()) == [2024, 2025]  # years with submissions
    assert row(both, year=2024, month=12)["submitted"] == 1


def test_lags_table(tiny):
    t = lags(tiny, 2025)
    assert t["submission_id"].tolist() == ["S4", "S5", "S3", "S9", "S2"]
    s3 = row(t, submission_id="S3")
    assert (s3["unit"], s3["lag_hours"], s3["deadline_hours"], s3["late"]) == (A, 3, 2, True)
    s5 = row(t, submission_id="S5")
    assert (
        s5["late"]
        and s5["deadline_at"] == pd.Timestamp("2025-05-10 18:00")
        and math.isnan(s5["lag_hours"])
    )
    assert t["late"].tolist() == [False, True, True, pd.NA, False]  # S9 has no due date
    everything = lags(tiny, 2025, categories=None)
    assert len(everything) == 8 and everything["late"].isna().sum() == 4  # S1, S6, S8, S9


# ----------------------------------------------------------------- instructions as records
def test_instructions_count_per_leader_record_not_per_adoption_row():
    data = evalkit.load_frames(
        units=pd.DataFrame({"unit": ["甲镇", "乙镇"], "group": ["乡镇组", "乡镇组"]}),
        submissions=pd.DataFrame(
            {
                "submission_id": ["S1", "S2", "S3"],
                "units": ["甲镇", "甲镇", "甲镇、乙镇"],
                "title": ["春耕", "防汛", "合报"],
                "submitted_at": ["2025-03-01", "2025-03-02", "2025-03-03"],
            }
        ),
        adoptions=pd.DataFrame(
            {
                "submission_id": ["S1", "S2", "S3"],
                "level": ["city", "county", "county"],
                "adopted_at": ["2025-03-10", "2025-03-11", "2025-03-12"],
                # one adoption row naming two city leaders: two instruction records
                "instruction_level": ["市级", "", ""],
                "instructed_by": ["市长、副市长", "", ""],
            }
        ),
        instructions=pd.DataFrame(
            {
                "submission_id": ["S2", "S2", "S3"],
                "adoption_level": ["县级", "县级", "县级"],
                "leader_level": ["县级", "市委市政府秘书长", "县级"],
                "leader": ["县长", "秘书长", "县长"],
                "instructed_at": ["2025-03-20", "2025-03-21", "2025-04-02"],
            }
        ),
    )
    assert data.errors.empty and data.rejected.empty
    march = compute_metrics(data, period="2025-03").set_index("unit")
    # 甲镇 in March: S1 市长 + 副市长 (2 city records on one adoption row); S2 县长 (county) and
    #   秘书长 (a city tier, counted at the city): city 3, county 1. S3's 县长 is in April.
    assert march.loc["甲镇", ["instructions_county", "instructions_city"]].tolist() == [1, 3]
    assert march.loc["乙镇", ["instructions_county", "instructions_city"]].tolist() == [0, 0]
    april = compute_metrics(data, period="2025-04").set_index("unit")
    # the joint item's instruction counts in full for each of its units, in its own month
    assert april["instructions_county"].to_dict() == {"甲镇": 1, "乙镇": 1}
    assert april.loc["甲镇", "adopted"] == 0  # no adoption in April, the instruction still counts
    year = compute_metrics(data, year=2025).set_index("unit")
    assert year.loc["甲镇", ["instructions_county", "instructions_city"]].tolist() == [2, 3]
