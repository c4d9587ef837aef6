"""Scoring: golden cases computed by hand, one per rule feature, and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_dataset, make_rules, quick_dataset, random_tables
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from evalkit.scoring.rules import load_rules
from evalkit.scoring.scorer import (
    INFORMANT_COLUMNS,
    LEDGER_COLUMNS,
    POINT_COLUMNS,
    SCORE_COLUMNS,
    Scorer,
    ledger,
    score,
    score_informants,
)

TOWNS = [("甲镇", "乡镇组"), ("乙镇", "乡镇组")]
LEVEL_POINTS = {"points": {"county": 5, "city": 20, "province": 50, "national": 100}}


def by_unit(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("unit")


# ---------------------------------------------------------------------- adoption points


@pytest.fixture
def adopted_twice():
    # S1 of 甲镇 adopted by the county (in 要情快报) and the city (in 专报); 乙镇 sends nothing.
    return make_dataset(
        units=TOWNS,
        items=[("S1", "甲镇", "2025-03-01")],
        adoptions=[
            ("S1", "county", "2025-03-05", "single", "要情快报"),
            ("S1", "city", "2025-04-10", "single", "专报"),
        ],
    )


def test_points_per_level_add_up(adopted_twice):
    result = by_unit(score(adopted_twice, make_rules(adoption=LEVEL_POINTS)))
    # 5 (county) + 20 (city) = 25
    assert result.loc["甲镇", "points_county"] == 5
    assert result.loc["甲镇", "points_city"] == 20
    assert result.loc["甲镇", "score"] == 25
    assert (result.loc["甲镇", "n_items"], result.loc["甲镇", "n_adopted"]) == (1, 1)


def test_unit_without_items_gets_zeros(adopted_twice):
    result = by_unit(score(adopted_twice, make_rules(adoption=LEVEL_POINTS)))
    assert result.loc["乙镇", POINT_COLUMNS].eq(0).all()
    assert (result.loc["乙镇", "score"], result.loc["乙镇", "n_items"]) == (0, 0)
    assert result.loc["乙镇", "rank"] == 2


def test_points_per_outlet_replace_the_level_points(adopted_twice):
    rules = make_rules(adoption={**LEVEL_POINTS, "outlets": {"city": {"专报": 50}}})
    result = by_unit(score(adopted_twice, rules))
    # county 要情快报 has no outlet points: 5; city 专报: 50 instead of 20
    assert result.loc["甲镇", "score"] == 55


def test_type_and_category_factors_multiply():
    ds = make_dataset(
        units=TOWNS,
        items=[("S1", "甲镇", "2025-03-01", "research"), ("S2", "乙镇", "2025-03-01")],
        adoptions=[("S1", "city", "2025-03-05", "combined"), ("S2", "city", "2025-03-05", "brief")],
    )
    rules = make_rules(
        adoption={
            **LEVEL_POINTS,
            "type_factor": {"combined": 0.5, "brief": 0.25},
            "category_factor": {"research": 3},
        }
    )
    result = by_unit(score(ds, rules))
    assert result.loc["甲镇", "score"] == 30  # 20 x 0.5 (combined) x 3 (research)
    assert result.loc["乙镇", "score"] == 5  # 20 x 0.25 (brief) x 1 (ordinary)


@pytest.fixture
def climbing_item():
    # S1: county in March (10), province in May (30), city in June (20, lower than the best so far).
    return make_dataset(
        units=TOWNS,
        items=[("S1", "甲镇", "2025-03-01")],
        adoptions=[
            ("S1", "county", "2025-03-05"),
            ("S1", "province", "2025-05-05"),
            ("S1", "city", "2025-06-05"),
        ],
    )


def test_highest_only_counts_the_best_adoption(climbing_item):
    points = {"points": {"county": 10, "city": 20, "province": 30}}
    highest = make_rules(adoption={**points, "mode": "highest"})
    summed = make_rules(adoption=points)
    assert by_unit(score(climbing_item, summed)).loc["甲镇", "score"] == 60  # 10 + 30 + 20
    year = by_unit(score(climbing_item, highest)).loc["甲镇"]
    assert year["score"] == 30  # only the province
    # credited as the best rises: county 10 in March, +20 in May, +0 in June
    assert (year["points_county"], year["points_province"], year["points_city"]) == (10, 20, 0)


def test_highest_only_months_add_up_to_the_year(climbing_item):
    rules = make_rules(
        adoption={"points": {"county": 10, "city": 20, "province": 30}, "mode": "highest"}
    )
    months = [
        by_unit(score(climbing_item, rules, period=f"2025-{m:02d}")).loc["甲镇", "score"]
        for m in range(1, 13)
    ]
    assert months[2] == 10 and months[4] == 20 and sum(months) == 30


@pytest.fixture
def joint_item():
    # S1 sent jointly by 甲镇 and 乙镇, adopted by the city (20) with a city instruction (10).
    return make_dataset(
        units=[*TOWNS, ("丙乡", "乡镇组")],
        items=[("S1", "甲镇、乙镇", "2025-03-01")],
        adoptions=[("S1", "city", "2025-03-05", "single", None, "city")],
    )


def test_joint_items_credit_each_unit_in_full(joint_item):
    rules = make_rules(adoption=LEVEL_POINTS, instruction={"points": {"city": 10}})
    result = by_unit(score(joint_item, rules))
    assert result.loc["甲镇", "score"] == result.loc["乙镇", "score"] == 30  # 20 + 10 each
    assert result.loc["丙乡", "score"] == 0


def test_joint_items_split_evenly(joint_item):
    rules = make_rules(
        adoption={**LEVEL_POINTS, "joint": "split"}, instruction={"points": {"city": 10}}
    )
    result = by_unit(score(joint_item, rules))
    assert result.loc["甲镇", "points_city"] == 10  # 20 / 2
    assert result.loc["甲镇", "points_instruction"] == 5  # 10 / 2
    assert result.loc["乙镇", "score"] == 15


# ---------------------------------------------------------------------- submissions, instructions


def test_submission_points_with_a_yearly_cap():
    # 甲镇: 4 items in 2025 at 3 points, capped at 10; 1 item in 2024 does not use 2025's cap.
    ds = make_dataset(
        units=TOWNS,
        items=[("S0", "甲镇", "2024-12-20")]
        + [(f"S{k}", "甲镇", f"2025-0{k}-01") for k in range(1, 5)]
        + [("S9", "乙镇", "2025-05-01")],
    )
    rules = make_rules(submission={"points": 3, "cap": 10})
    result = by_unit(score(ds, rules))
    assert result.loc["甲镇", "points_submission"] == 10  # 3 + 3 + 3 + 1 (capped), not 12
    assert result.loc["乙镇", "points_submission"] == 3
    assert by_unit(score(ds, rules, year=2024)).loc["甲镇", "score"] == 3
    # the cap runs through the year: Jan-Mar earn 9, April's item only 1
    assert by_unit(score(ds, rules, period="2025-04")).loc["甲镇", "score"] == 1


def test_instruction_bonus_by_level_and_category():
    ds = make_dataset(
        units=TOWNS,
        items=[("S1", "甲镇", "2025-03-01", "research"), ("S2", "乙镇", "2025-03-01")],
        adoptions=[
            ("S1", "county", "2025-03-05", "single", None, "city"),
            ("S2", "county", "2025-03-05", "single", None, "province"),
        ],
    )
    rules = make_rules(
        instruction={"points": {"city": 5, "province": 50}, "category_factor": {"research": 2}}
    )
    result = by_unit(score(ds, rules))
    assert result.loc["甲镇", "points_instruction"] == 10  # city 5 x research 2
    assert result.loc["乙镇", "points_instruction"] == 50


# ---------------------------------------------------------------------- quotas


@pytest.fixture
def first_quarter():
    # 甲镇: 2 items in January, 3 in February, 1 in March. 乙镇: none. 丁局 (quota 3 a year): 2 items.
    jan, feb, mar = ["2025-01-05", "2025-01-20"], ["2025-02-03"] * 3, ["2025-03-10"]
    days = jan + feb + mar
    return make_dataset(
        units=[*TOWNS, ("丁局", "部门组", "一类", 3)],
        items=[(f"S{k}", "甲镇", d) for k, d in enumerate(days)]
        + [("D1", "丁局", "2025-02-01"), ("D2", "丁局", "2025-03-01")],
    )


def test_monthly_quota_base_points_and_penalties(first_quarter):
    rules = make_rules(
        quota=[
            {"group": "乡镇组", "period": "month", "min_items": 2, "base_points": 10, "penalty": 5}
        ]
    )
    result = by_unit(score(first_quarter, rules, period="2025Q1"))
    # 甲镇: January met +10, February met +10, March missed -5
    assert result.loc["甲镇", "points_quota"] == 15
    assert result.loc["乙镇", "points_quota"] == -15  # three months missed
    assert result.loc["丁局", "points_quota"] == 0  # no rule for the departments
    # 6 items against 3 x 2 due: the quarter's task is met though March was missed
    assert result.loc["甲镇", "quota_met"]
    assert not result.loc["乙镇", "quota_met"]
    assert result.loc["丁局", "quota_met"]


def test_quota_base_points_are_capped_per_year(first_quarter):
    rules = make_rules(
        quota=[{"period": "month", "min_items": 2, "base_points": 10, "penalty": 5, "cap": 15}]
    )
    result = by_unit(score(first_quarter, rules, period="2025Q1"))
    assert result.loc["甲镇", "points_quota"] == 10  # 10 + 5 (cap reached) - 5
    # February alone: January already earned 10 of the 15
    assert by_unit(score(first_quarter, rules, period="2025-02")).loc["甲镇", "points_quota"] == 5


def test_yearly_quota_from_the_unit_list_and_first_matching_rule(first_quarter):
    rules = make_rules(
        quota=[
            {"class": "一类", "period": "year", "min_items": 10, "base_points": 20, "penalty": 8},
            {"period": "year", "min_items": 5, "unit_quota": False, "base_points": 7},
        ]
    )
    result = by_unit(score(first_quarter, rules))
    assert result.loc["丁局", "points_quota"] == -8  # its own quota 3 replaces 10; 2 items: missed
    assert not result.loc["丁局", "quota_met"]
    assert result.loc["甲镇", "points_quota"] == 7  # second rule: 6 items >= 5
    assert result.loc["乙镇", "points_quota"] == 0  # missed, no penalty
    # a yearly quota is not judged on a part of the year
    assert by_unit(score(first_quarter, rules, period="2025Q1")).loc["丁局", "points_quota"] == 0


# ---------------------------------------------------------------------- lateness and faults


@pytest.fixture
def late_items():
    return make_dataset(
        units=TOWNS,
        items=[
            # urgent, 3 h after the event: late under a 2 h deadline
            ("S1", "甲镇", "2025-03-01 11:00", "urgent", "2025-03-01 08:00"),
            # urgent, 1 h after: on time
            ("S2", "乙镇", "2025-03-01 09:00", "urgent", "2025-03-01 08:00"),
            # commissioned, a day after its due time: late
            ("S3", "乙镇", "2025-04-02", "commissioned", None, "2025-04-01"),
        ],
        adoptions=[
            ("S1", "city", "2025-03-05"),
            ("S2", "city", "2025-03-05"),
            ("S3", "county", "2025-04-05"),
        ],
    )


def test_lateness_costs_a_fraction_of_the_item_and_fixed_points(late_items):
    rules = make_rules(
        adoption=LEVEL_POINTS,
        submission={"points": 2},
        deadlines={"urgent": {"hours": 2}, "commissioned": {"due_at": True}},
        lateness={"fraction": 0.5, "points": 1},
    )
    result = by_unit(score(late_items, rules))
    # 甲镇 S1 late: earns 2 + 20 = 22, loses 11 + 1
    assert result.loc["甲镇", "points_lateness"] == -12
    assert result.loc["甲镇", "score"] == 10
    # 乙镇 S2 on time (2 + 20); S3 late: earns 2 + 5 = 7, loses 3.5 + 1
    assert result.loc["乙镇", "points_lateness"] == -4.5
    assert result.loc["乙镇", "score"] == 24.5


def test_faults_cost_points_and_veto_ranks_last():
    ds = make_dataset(
        units=[*TOWNS, ("丙乡", "乡镇组")],
        items=[("S1", "甲镇", "2025-03-01"), ("S2", "乙镇", "2025-03-01")],
        adoptions=[("S1", "province", "2025-03-05"), ("S2", "city", "2025-03-05")],
        faults=[("甲镇", "false", "2025-06-01"), ("乙镇", "omitted", "2025-06-01")],
    )
    rules = make_rules(
        adoption=LEVEL_POINTS, faults={"points": {"false": 30, "omitted": 10}, "veto": ["false"]}
    )
    result = score(ds, rules)
    assert result["unit"].tolist() == ["乙镇", "丙乡", "甲镇"]  # 甲镇 vetoed: last despite 20 > 10
    row = by_unit(result)
    assert (row.loc["甲镇", "points_faults"], row.loc["甲镇", "score"]) == (-30, 20)
    assert (row.loc["乙镇", "points_faults"], row.loc["乙镇", "score"]) == (-10, 10)
    assert row["vetoed"].to_dict() == {"乙镇": False, "丙乡": False, "甲镇": True}
    assert row["rank"].to_dict() == {"乙镇": 1, "丙乡": 2, "甲镇": 3}
    # a fault outside the window neither costs nor vetoes
    march = by_unit(score(ds, rules, period="2025-03"))
    assert not march.loc["甲镇", "vetoed"] and march.loc["甲镇", "score"] == 50


# ---------------------------------------------------------------------- final figure, ranks, windows


def test_average_mode_divides_by_items(late_items):
    rules = make_rules(adoption=LEVEL_POINTS, final={"mode": "average", "decimals": 2})
    result = by_unit(score(late_items, rules))
    assert result.loc["甲镇", "score"] == 20  # 20 / 1 item
    assert result.loc["乙镇", "score"] == 12.5  # (20 + 5) / 2 items
    assert result.loc["乙镇", POINT_COLUMNS].sum() == 25  # components stay totals


def test_rounding_half_away_from_zero(joint_item):
    # each unit gets 5 / 2 = 2.5 and 0.05 / 2 = 0.025
    rules = make_rules(adoption={"points": {"city": 5}, "joint": "split"}, final={"decimals": 0})
    assert by_unit(score(joint_item, rules)).loc["甲镇", "score"] == 3
    rules = rules.with_changes({"adoption.points.city": 0.05, "final.decimals": 2})
    assert by_unit(score(joint_item, rules)).loc["甲镇", "score"] == 0.03


def test_ties_share_the_better_place_and_sort_by_name():
    ds = make_dataset(
        units=[("丁镇", "乡镇组"), ("丙镇", "乡镇组"), ("乙镇", "乡镇组"), ("甲镇", "乡镇组"), ("戊局", "部门组")],
        items=[("S1", "甲镇", "2025-03-01"), ("S2", "乙镇", "2025-03-01"), ("S3", "丙镇", "2025-03-01")],
        adoptions=[("S1", "city", "2025-03-05"), ("S2", "county", "2025-03-05"), ("S3", "county", "2025-03-05")],
    )  # fmt: skip
    result = score(ds, make_rules(adoption=LEVEL_POINTS))
    assert list(result.columns) == SCORE_COLUMNS
    assert result[["unit", "rank"]].values.tolist() == [
        ["甲镇", 1],
        ["丙镇", 2],  # 丙 (U+4E19) sorts before 乙 (U+4E59)
        ["乙镇", 2],
        ["丁镇", 4],
        ["戊局", 1],
    ]


def test_adoptions_count_when_made_items_when_sent():
    # S1 sent in December 2024, adopted in January 2025
    ds = make_dataset(
        units=TOWNS,
        items=[("S1", "甲镇", "2024-12-28")],
        adoptions=[("S1", "city", "2025-01-03")],
    )
    rules = make_rules(adoption=LEVEL_POINTS, submission={"points": 1})
    y2025, y2024 = (
        by_unit(score(ds, rules)).loc["甲镇"],
        by_unit(score(ds, rules, year=2024)).loc["甲镇"],
    )
    assert (y2025["score"], y2025["n_items"], y2025["n_adopted"]) == (20, 0, 1)
    assert (y2024["score"], y2024["n_items"], y2024["n_adopted"]) == (1, 1, 0)


# ---------------------------------------------------------------------- ledger and informants


def test_ledger_lists_each_point_with_its_rule(late_items):
    rules = make_rules(
        adoption={**LEVEL_POINTS, "outlets": {"county": {"专报": 8}}},
        deadlines={"commissioned": {"due_at": True}},
        lateness={"fraction": 0.5},
    )
    rows = ledger(late_items, rules)
    assert list(rows.columns) == LEDGER_COLUMNS
    assert rows[["unit", "record", "rule", "points"]].values.tolist() == [
        ["乙镇", "S3", "adoption.points.county", 5.0],
        ["乙镇", "S2", "adoption.points.city", 20.0],
        ["乙镇", "S3", "lateness.fraction", -2.5],
        ["甲镇", "S1", "adoption.points.city", 20.0],
    ]
    assert rows["detail"].iloc[2] == "迟报：扣该项得分的50%"
    assert ledger(late_items, rules, lang="en")["detail"].iloc[1] == "adopted, city 20 pts"


def test_ledger_names_outlet_quota_and_fault_rules():
    ds = make_dataset(
        units=TOWNS,
        items=[("S1", "甲镇", "2025-01-03")],
        adoptions=[("S1", "county", "2025-01-05", "combined", "专报")],
        faults=[("甲镇", "false", "2025-01-09", "S1")],
    )
    rules = make_rules(
        adoption={"outlets": {"county": {"专报": 8}}, "type_factor": {"combined": 0.5}},
        quota=[{"period": "month", "min_items": 1, "base_points": 2}],
        faults={"points": {"false": 30}, "veto": ["失实"]},
    )
    rows = ledger(ds, rules, period="2025-01")
    mine = rows[rows["unit"] == "甲镇"]
    assert mine[["record", "rule", "points"]].values.tolist() == [
        ["S1", "adoption.outlets.county.专报", 4.0],
        ["2025-01", "quota[0].base_points", 2.0],
        ["fault:0", "faults.points.false", -30.0],
    ]
    assert mine["detail"].tolist() == [
        "县级采用《专报》 8分 ×综合0.5",
        "2025-01报送1条，任务1条，完成",
        "失实，一票否决（S1）",
    ]


def test_informants_share_their_items(joint_item):
    ds = make_dataset(
        units=TOWNS,
        items=[
            ("S1", "甲镇", "2025-03-01", "ordinary", None, None, "张三、李四"),
            ("S2", "甲镇", "2025-03-02", "ordinary", None, None, "张三"),
        ],
        adoptions=[("S1", "city", "2025-03-05"), ("S2", "county", "2025-03-05")],
    )
    rules = make_rules(adoption=LEVEL_POINTS)
    result = score_informants(ds, rules)
    assert list(result.columns) == INFORMANT_COLUMNS
    # split (the default): 张三 20 / 2 + 5 = 15, 李四 10
    assert result[["informant", "unit", "score", "rank"]].values.tolist() == [
        ["张三", "甲镇", 15.0, 1],
        ["李四", "甲镇", 10.0, 2],
    ]
    full = score_informants(ds, rules.with_changes({"informants.joint": "full"}))
    assert full["score"].tolist() == [25.0, 20.0]
    assert full["n_items"].tolist() == [2, 1]


# ---------------------------------------------------------------------- shipped rules on the sample


@pytest.fixture(scope="module")
def sample():
    from evalkit.data.loading import load

    return load("data/sample")


@pytest.mark.parametrize(
    "name", ["default", "provincial-highest", "urgent-average", "township-quota"]
)
def test_shipped_rules_score_the_sample_sensibly(sample, name):
    result = score(sample, name, year=2025)
    assert len(result) == len(sample.units) and result["unit"].is_unique
    assert result["score"].notna().all()
    assert (result["points_county"] >= 0).all() and (result["points_faults"] <= 0).all()
    if load_rules(name)["final.mode"] == "sum":
        assert np.allclose(result[POINT_COLUMNS].sum(axis=1), result["score"], atol=0.051)


def test_default_year_scores_are_realistic_and_top_heavy(sample):
    scores = score(sample, "default", year=2025)["score"]
    assert 100 <= scores.median() <= 400
    assert scores.quantile(0.9) <= 700
    assert scores.mean() > scores.median()  # a long tail of strong units


# ---------------------------------------------------------------------- properties


@st.composite
def datasets(draw):
    return random_tables(draw)


RULE_SETS = ["default", "provincial-highest", "township-quota"]


@settings(max_examples=5, deadline=None, phases=[Phase.generate])  # the loader is slow to shrink
@given(tables=datasets())
def test_quick_dataset_matches_the_loader(tables):
    # the same values as the loader gives (dtypes may evolve with the loader)
    loaded, quick = make_dataset(**tables), quick_dataset(**tables)
    for name in (
        "units",
        "submissions",
        "submission_units",
        "submission_informants",
        "adoptions",
        "faults",
    ):
        pd.testing.assert_frame_equal(
            getattr(loaded, name),
            getattr(quick, name),
            check_dtype=False,
            check_categorical=False,
            obj=name,
        )


@settings(max_examples=25, deadline=None)
@given(tables=datasets(), extra=st.tuples(st.integers(0, 11), st.sampled_from(["county", "city", "province"])), name=st.sampled_from(RULE_SETS))  # fmt: skip
def test_adding_an_adoption_never_lowers_a_sum_score(tables, extra, name):
    item, level = extra
    items = tables["items"]
    sid, _, sent = items[item % len(items)][:3]
    more = {
        **tables,
        "adoptions": [*tables["adoptions"], (sid, level, sent + pd.Timedelta(hours=1))],
    }
    before = by_unit(score(quick_dataset(**tables), name))["score"].sort_index()
    after = by_unit(score(quick_dataset(**more), name))["score"].sort_index()
    assert (after >= before - 1e-9).all()


@settings(max_examples=20, deadline=None)
@given(tables=datasets(), seed=st.integers(0, 2**16), name=st.sampled_from(RULE_SETS))
def test_permuting_input_rows_changes_nothing(tables, seed, name):
    rng = np.random.default_rng(seed)
    shuffled = {k: [v[i] for i in rng.permutation(len(v))] for k, v in tables.items()}
    a, b = quick_dataset(**tables), quick_dataset(**shuffled)
    # groups are listed in the order the unit list first names them; all else is unchanged
    same_groups = {"group": str}
    pd.testing.assert_frame_equal(
        score(a, name)
        .astype(same_groups)
        .sort_values(["group", "rank", "unit"], ignore_index=True),
        score(b, name)
        .astype(same_groups)
        .sort_values(["group", "rank", "unit"], ignore_index=True),
    )
    pd.testing.assert_frame_equal(
        score_informants(a, name).astype(same_groups), score_informants(b, name).astype(same_groups)
    )
    # fault ids number the input rows, so only they may differ
    la, lb = (
        ledger(x, name).assign(
            record=lambda f: f["record"].mask(f["record"].str.startswith("fault:"), "fault")
        )
        for x in (a, b)
    )
    key = ["unit", "rule", "record", "points", "detail"]
    pd.testing.assert_frame_equal(
        la.sort_values(key, ignore_index=True), lb.sort_values(key, ignore_index=True)
    )


@settings(max_examples=20, deadline=None)
@given(tables=datasets(), name=st.sampled_from(RULE_SETS), month=st.sampled_from([None, "2025-06"]))
def test_ledger_sums_equal_scores(tables, name, month):
    ds = quick_dataset(**tables)
    result = by_unit(score(ds, name, period=month))
    sums = ledger(ds, name, period=month).groupby("unit")["points"].sum()
    sums = sums.reindex(result.index, fill_value=0.0)
    assert np.allclose(sums, result[POINT_COLUMNS].sum(axis=1))
    decimals = load_rules(name)["final.decimals"]
    assert np.allclose(sums, result["score"], atol=0.5 * 10**-decimals + 1e-9)


@settings(max_examples=20, deadline=None)
@given(
    tables=datasets(), n=st.integers(2, 4), level=st.sampled_from(["county", "city", "province"])
)
def test_splitting_a_joint_item_evenly_keeps_the_total(tables, n, level):
    # the same adopted item sent by one unit, or jointly by n units under joint = "split"
    rules = load_rules("default").with_changes({"quota": [], "submission.cap": None})
    names = [u[0] for u in tables["units"]][:n]
    item = (
        "J",
        names[0],
        pd.Timestamp("2025-05-05 09:00"),
        "urgent",
        pd.Timestamp("2025-05-05 05:00"),
    )
    adoption = ("J", level, pd.Timestamp("2025-05-06"), "single", None, "city")
    alone = {
        **tables,
        "items": [*tables["items"], item],
        "adoptions": [*tables["adoptions"], adoption],
    }
    joint = {**alone, "items": [*tables["items"], (item[0], "、".join(names), *item[2:])]}
    total_alone = score(quick_dataset(**alone), rules)[POINT_COLUMNS].to_numpy().sum()
    total_joint = score(quick_dataset(**joint), rules)[POINT_COLUMNS].to_numpy().sum()
    assert np.isclose(total_alone, total_joint)


# ---------------------------------------------------------------------- the fast path


def test_scorer_rescoring_equals_scoring_from_scratch(sample):
    scorer = Scorer(sample, "default", year=2025)
    changes = {"adoption.points.province": 80, "adoption.mode": "highest", "submission.cap": 10}
    fast = scorer.score(changes)
    slow = score(sample, load_rules("default").with_changes(changes), year=2025)
    pd.testing.assert_frame_equal(fast, slow)
    assert not fast["score"].equals(scorer.score()["score"])


def test_totals_are_the_scores_before_rounding(sample):
    scorer = Scorer(sample, "urgent-average", year=2025)
    totals = scorer.totals({"adoption.points.city": 4})
    frame = scorer.score({"adoption.points.city": 4}).set_index("unit").loc[scorer.people["unit"]]
    # average mode: the components' sum over the items
    expected = frame[POINT_COLUMNS].sum(axis=1) / frame["n_items"].where(frame["n_items"] > 0)
    assert np.allclose(totals, expected.fillna(0.0))
    assert (np.abs(totals - frame["score"]) <= 0.005 + 1e-9).all()  # scores round to 2 decimals


def test_scorer_rejects_bad_changes_clearly(sample):
    from evalkit.scoring.rules import RulesError

    with pytest.raises(RulesError, match=r"adoption.points.city = -1"):
        Scorer(sample, "default").score({"adoption.points.city": -1})
