"""compare(): rank changes, correlations, award movements."""

import pandas as pd
import pytest

from evalkit.whatif import compare


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


def test_units_missing_from_one_side_are_an_error():
    with pytest.raises(ValueError, match="丁"):
        compare(_table([4.0, 3.0, 2.0, 1.0]), _table([4.0, 3.0, 2.0]))
