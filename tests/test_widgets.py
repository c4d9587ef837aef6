"""The what-if panel, driven without a browser: move sliders, read the ranking."""

from __future__ import annotations

import ipywidgets
import pandas as pd
import pytest
from conftest import make_dataset, make_rules

from evalkit.scoring.rules import RulesError, available_rules
from evalkit.widgets import DEFAULT_KEYS, whatif_panel

# 甲镇 has three items adopted by the county, 乙镇 one adopted by the province, 丙乡 one by
# the county; 丁局 (the only department) one by the city.
UNITS = [("甲镇", "乡镇组"), ("乙镇", "乡镇组"), ("丙乡", "乡镇组"), ("丁局", "部门组", "一类")]
ITEMS = [
    ("A1", "甲镇", "2025-03-01"),
    ("A2", "甲镇", "2025-04-01"),
    ("A3", "甲镇", "2025-05-01"),
    ("B1", "乙镇", "2025-03-02"),
    ("C1", "丙乡", "2025-03-03"),
    ("D1", "丁局", "2025-03-04"),
]
ADOPTIONS = [
    ("A1", "county", "2025-03-05"),
    ("A2", "county", "2025-04-05"),
    ("A3", "county", "2025-05-05"),
    ("B1", "province", "2025-03-20"),
    ("C1", "county", "2025-03-06"),
    ("D1", "city", "2025-03-07"),
]
# Scores: 甲 3 x 4 = 12, 乙 10, 丙 4; 丁 10. The best township is commended.
RULES = make_rules(
    adoption={"points": {"county": 4, "city": 10, "province": 10, "national": 20}},
    awards={"units": [{"group": "乡镇组", "tiers": [{"award": "先进单位", "count": 1}]}]},
)


@pytest.fixture
def panel():
    data = make_dataset(units=UNITS, items=ITEMS, adoptions=ADOPTIONS)
    return whatif_panel(data, RULES, 2025)


def _ranks(panel) -> list:
    return panel.table[["unit", "rank_a", "rank_b", "rank_change"]].values.tolist()


def test_the_panel_is_a_widget_with_a_slider_per_key_at_the_rules_values(panel):
    assert isinstance(panel, ipywidgets.Widget)
    assert list(panel.sliders) == list(DEFAULT_KEYS)
    controls = panel.children[0].children[0]
    assert all(slider in controls.children for slider in panel.sliders.values())
    province = panel.sliders["adoption.points.province"]
    assert (province.value, province.min, province.max) == (10, 0, 30)
    combined = panel.sliders["adoption.type_factor.combined"]
    assert (combined.value, combined.max) == (1.0, 2.0)
    assert province.description == "省级采用分"


def test_before_any_move_nothing_changes(panel):
    assert panel.changes == {}
    assert _ranks(panel) == [
        ["甲镇", 1, 1, 0],
        ["乙镇", 2, 2, 0],
        ["丙乡", 3, 3, 0],
        ["丁局", 1, 1, 0],
    ]


def test_raising_province_points_moves_the_provincially_adopted_unit_up(panel):
    panel.sliders["adoption.points.province"].value = 20  # 乙: 20 > 甲's 12
    assert panel.changes == {"adoption.points.province": 20}
    assert _ranks(panel) == [
        ["乙镇", 2, 1, 1],
        ["甲镇", 1, 2, -1],
        ["丙乡", 3, 3, 0],
        ["丁局", 1, 1, 0],
    ]
    assert panel.table["score_b"].tolist() == [20, 12, 4, 10]
    assert panel.table["score_a"].tolist() == [10, 12, 4, 10]
    shown = panel.ranking.value
    assert shown.index("乙镇") < shown.index("甲镇") and "▲1" in shown and "▼1" in shown


def test_the_panel_says_who_enters_and_leaves_the_award_list_and_how_ranks_agree(panel):
    panel.sliders["adoption.points.province"].value = 20
    result = panel.comparison
    assert result.entered[["unit", "award"]].values.tolist() == [["乙镇", "先进单位"]]
    assert result.left[["unit", "award"]].values.tolist() == [["甲镇", "先进单位"]]
    awards = panel.table.set_index("unit")[["award_a", "award_b"]].fillna("-")
    assert awards.loc[["乙镇", "甲镇"]].values.tolist() == [["-", "先进单位"], ["先进单位", "-"]]
    # 乡镇组 ranks A (2, 1, 3) against B (1, 2, 3): Spearman 1 - 6 * 2 / (3 * 8) = 0.5 and
    # Kendall (2 - 1) / 3; 丁局 alone agrees (1.0); averaged with weights 3 and 1.
    assert result.spearman == pytest.approx((3 * 0.5 + 1) / 4)
    assert result.kendall == pytest.approx((3 * (1 / 3) + 1) / 4)
    status = panel.status.value
    assert "新进表彰：乙镇（先进单位）" in status and "退出表彰：甲镇（先进单位）" in status


def test_update_moves_sliders_widens_their_range_and_keeps_other_keys(panel):
    table = panel.update({"adoption.points.province": 100, "adoption.points.city": 0})
    assert panel.sliders["adoption.points.province"].value == 100
    assert panel.sliders["adoption.points.province"].max == 100
    assert table is panel.table
    assert table.set_index("unit")["score_b"].to_dict() == {
        "乙镇": 100,
        "甲镇": 12,
        "丙乡": 4,
        "丁局": 0,
    }
    panel.update({"adoption.type_factor.single": 0.5})  # not on a slider: kept as a change
    assert panel.changes["adoption.type_factor.single"] == 0.5
    assert panel.rules["adoption.type_factor.single"] == 0.5
    assert panel.table.set_index("unit")["score_b"]["甲镇"] == 6


def test_reset_puts_the_rules_back(panel):
    panel.update({"adoption.points.province": 20, "adoption.mode": "highest"})
    panel.reset()
    assert panel.changes == {}
    assert panel.sliders["adoption.points.province"].value == 10
    assert (panel.table["rank_change"] == 0).all()


def test_one_group_only():
    data = make_dataset(units=UNITS, items=ITEMS, adoptions=ADOPTIONS)
    panel = whatif_panel(data, RULES, 2025, keys=["adoption.points.county"], group="乡镇组")
    assert list(panel.sliders) == ["adoption.points.county"]
    panel.sliders["adoption.points.county"].value = 1  # 甲 3, 丙 1: 乙's 10 leads
    assert panel.table["unit"].tolist() == ["乙镇", "甲镇", "丙乡"]


def test_invalid_changes_are_refused_and_leave_the_ranking(panel):
    panel.update({"adoption.points.province": 20})
    before = panel.table.copy()
    with pytest.raises(RulesError, match="final.decimals"):
        panel.update({"final.decimals": 1.5})
    assert panel.changes == {"adoption.points.province": 20}
    assert panel.table.equals(before)
    assert "final.decimals" in panel.status.value


def test_english_captions():
    data = make_dataset(units=UNITS, items=ITEMS, adoptions=ADOPTIONS)
    panel = whatif_panel(data, RULES, 2025, lang="en")
    assert panel.sliders["adoption.category_factor.research"].description == "Research factor"
    assert "Rank change" in panel.ranking.value


def test_the_table_scrolls_under_the_sliders_and_marks_vetoed_units():
    from evalkit.widgets import TABLE_HEIGHT, _table_html

    table = pd.DataFrame(
        {
            "unit": ["甲镇", "乙镇"],
            "group": "乡镇组",
            "score_a": [12.0, 10.5],
            "score_b": [20.25, 12.0],
            "rank_a": [1, 2],
            "rank_b": [1, 2],
            "rank_change": [0, 0],
            "award_a": ["先进单位", None],
            "award_b": ["先进单位", None],
        }
    )
    shown = _table_html(table, "zh", vetoed={"乙镇"})
    assert f"max-height: {TABLE_HEIGHT}px; overflow-y: auto" in shown
    assert "jp-RenderedHTMLCommon" in shown and "position: sticky" in shown
    # one number format for both score columns: as many decimals as the column needs
    assert ">12.00<" in shown and ">20.25<" in shown and ">10.50<" in shown
    assert '<tr class="vetoed"><td style="text-align: left">乙镇（一票否决）</td>' in shown
    assert "nan" not in shown and "None" not in shown and "<NA>" not in shown


# ------------------------------------------------------------------ every shipped rule set


@pytest.fixture(scope="module")
def sample():
    from evalkit.data.loading import load

    return load("data/sample")


@pytest.mark.parametrize("name", available_rules())
def test_the_panel_builds_and_moves_under_every_shipped_rule_set(sample, name):
    panel = whatif_panel(sample, name, 2025)
    assert panel.sliders and len(panel.table) == len(sample.units)
    assert panel.table["rank_change"].eq(0).all()  # before any move
    key, slider = next(iter(panel.sliders.items()))
    panel.update({key: slider.value + 1})
    assert panel.changes == {key: slider.value}
    assert "规则无效" not in panel.status.value


def test_a_level_priced_by_category_gets_a_slider_per_category():
    # 市级 信息 5 / 调研 15: 甲镇's research item adopted by the city 15, 乙镇's ordinary one 5
    data = make_dataset(
        units=[("甲镇", "乡镇组"), ("乙镇", "乡镇组")],
        items=[("A1", "甲镇", "2025-03-01", "research"), ("B1", "乙镇", "2025-03-02")],
        adoptions=[("A1", "city", "2025-03-05"), ("B1", "city", "2025-03-06")],
    )
    rules = make_rules(adoption={"points": {"city": {"research": 15, "other": 5}}})
    panel = whatif_panel(data, rules, 2025, keys=["adoption.points.city"])
    assert list(panel.sliders) == [
        "adoption.points.city.ordinary",
        "adoption.points.city.urgent",
        "adoption.points.city.research",
        "adoption.points.city.commissioned",
    ]
    assert panel.sliders["adoption.points.city.research"].description == "市级采用分（调研）"
    assert panel.sliders["adoption.points.city.ordinary"].max == 15  # 3 x 5
    panel.update({"adoption.points.city.ordinary": 20})  # 乙镇 20 > 甲镇 15 (the range widens)
    assert panel.table[["unit", "score_b", "rank_b"]].values.tolist() == [
        ["乙镇", 20, 1],
        ["甲镇", 15, 2],
    ]
