"""compare(): rank changes, correlations, award movements."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.scoring.whatif import compare


def _table(scores, group="乡镇组"):
    units = list("甲乙丙丁")[: len(scores)]
    frame = pd.DataFrame({"unit": units, "group": group, "score": scores})
    frame["rank"] = frame["score"].rank(method="min", ascending=False).astype(int)
    return frame


def test_identical_scores_compare_as_no_change():
    a = _table([40.0, 30.0, 20.0, 10.0])
    result = compare(a, a.copy())
    assert result.moved(1) == 0
    assert result.spearman == 1.0 and result.kendall == 1.0
    assert result.movers.empty and result.entered.empty and result.left.empty


def test_a_swap_of_the_top_two_is_counted_and_correlations_fall():
    a = _table([40.0, 30.0, 20.0, 10.0])
    b = _table([30.0, 40.0, 20.0, 10.0])
    result = compare(a, b)
    change = result.table.set_index("unit")["rank_change"].to_dict()
    assert change == {"甲": -1, "乙": 1, "丙": 0, "丁": 0}
    # ranks (1,2,3,4) vs (2,1,3,4): d^2 sum 2, Spearman 1 - 6*2/(4*15) = 0.8
    assert result.spearman == pytest.approx(0.8)
    # one discordant pair of 6: Kendall (5 - 1) / 6
    assert result.kendall == pytest.approx(4 / 6)
    # equal moves keep the table order: rank under B
    assert result.movers["unit"].tolist() == ["乙", "甲"]


def test_entering_and_leaving_the_award_list():
    a, b = _table([40.0, 30.0, 20.0]), _table([40.0, 20.0, 30.0])
    awards_a = pd.DataFrame(
        {"kind": "unit", "unit": ["甲", "乙"], "group": "乡镇组", "award": "先进单位"}
    )
    awards_b = pd.DataFrame(
        {"kind": "unit", "unit": ["甲", "丙"], "group": "乡镇组", "award": "先进单位"}
    )
    result = compare(a, b, awards_a, awards_b)
    assert result.entered["unit"].tolist() == ["丙"]
    assert result.left["unit"].tolist() == ["乙"]


def test_a_veto_under_either_rule_set_is_carried_per_side():
    # 乙 is vetoed under B only: ranked last there (rank 4) though its points stand second.
    a = _table([40.0, 30.0, 20.0, 10.0]).assign(vetoed=False)
    b = a.assign(rank=[1, 4, 2, 3], vetoed=[False, True, False, False])
    table = compare(a, b).table.set_index("unit")
    assert table["vetoed_a"].tolist() == [False, False, False, False]
    assert table.loc[["甲", "乙"], "vetoed_b"].tolist() == [False, True]
    assert table.loc["乙", "rank_change"] == -2
    # nobody vetoed on either side: no veto columns to read past
    assert "vetoed_a" not in compare(a, a.copy()).table


def test_units_missing_from_one_side_are_an_error():
    with pytest.raises(ValueError, match="丁"):
        compare(_table([4.0, 3.0, 2.0, 1.0]), _table([4.0, 3.0, 2.0]))


# ---------------------------------------------------------------------- with the scoring engine


def test_a_weight_change_reorders_real_scores():
    from conftest import make_dataset, make_rules

    from evalkit.scoring.awards import select_awards
    from evalkit.scoring.scorer import Scorer

    # 甲镇: three county adoptions; 乙镇: one city adoption.
    ds = make_dataset(
        units=[("甲镇", "乡镇组"), ("乙镇", "乡镇组")],
        items=[("A1", "甲镇", "2025-03-01"), ("A2", "甲镇", "2025-03-02"), ("A3", "甲镇", "2025-03-03"),
               ("B1", "乙镇", "2025-03-01")],
        adoptions=[("A1", "county", "2025-03-05"), ("A2", "county", "2025-03-05"),
                   ("A3", "county", "2025-03-05"), ("B1", "city", "2025-03-05")],
    )  # fmt: skip
    rules = make_rules(
        adoption={"points": {"county": 5, "city": 20}},
        awards={"units": [{"tiers": [{"award": "先进单位", "count": 1}]}]},
    )
    scorer = Scorer(ds, rules)
    a, b = scorer.score(), scorer.score({"adoption.points.county": 10})
    # A: 甲 3 x 5 = 15 < 乙 20.  B: 甲 3 x 10 = 30 > 乙 20.
    result = compare(a, b, select_awards(a, rules), select_awards(b, rules.with_changes({})))
    assert result.table[["unit", "score_a", "score_b", "rank_change"]].values.tolist() == [
        ["甲镇", 15.0, 30.0, 1],
        ["乙镇", 20.0, 20.0, -1],
    ]
    assert result.moved(1) == 2 and result.spearman == pytest.approx(-1.0)
    assert result.entered["unit"].tolist() == ["甲镇"] and result.left["unit"].tolist() == ["乙镇"]


@st.composite
def _datasets(draw):
    from conftest import random_tables

    return random_tables(draw)


@settings(max_examples=15, deadline=None)
@given(
    tables=_datasets(), name=st.sampled_from(["default", "provincial-highest", "urgent-average"])
)
def test_identical_rules_compare_as_no_change(tables, name):
    from conftest import quick_dataset

    from evalkit.scoring.awards import select_awards
    from evalkit.scoring.rules import load_rules
    from evalkit.scoring.scorer import Scorer, score

    ds = quick_dataset(**tables)
    a = Scorer(ds, name).score()
    b = score(ds, load_rules(name).with_changes({}))  # the same rules, another way
    result = compare(a, b, select_awards(a, name), select_awards(b, name))
    assert result.moved(1) == 0 and result.movers.empty
    assert (result.table["score_change"] == 0).all()
    assert result.spearman == 1.0 and result.kendall == 1.0
    assert result.entered.empty and result.left.empty
