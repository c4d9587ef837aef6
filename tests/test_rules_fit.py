"""Rules that mean something else than they say (issue 10, class 3): every group, class,
outlet and category a rules file names must exist in the data, or the run says so with
the closest names."""

from __future__ import annotations

import pytest
from test_bad_inputs import write_folder

import evalkit
from evalkit._paths import SAMPLE_DIR
from evalkit.cli import main
from evalkit.scoring.fit import rules_data_issues
from evalkit.scoring.rules import available_rules, load_rules


@pytest.fixture(scope="module")
def small():
    """The valid folder of test_bad_inputs: groups 乡镇组 and 部门组, classes 一类 and 二类,
    outlets 要情快报 (county), 政务信息 (city), 专报 (province)."""

    def make(tmp_path):
        folder = write_folder(tmp_path / "data")
        return folder, evalkit.load(folder)

    return make


def _rules(**changes):
    return load_rules("default").with_changes(changes)


def _issues(dataset, rules):
    """The issues of ``rules`` beyond those of the default rules on the same data (the small
    folder lacks some of the default's outlets: warnings that every case shares)."""
    baseline = rules_data_issues(dataset, load_rules("default")).to_dict("records")
    return [i for i in rules_data_issues(dataset, rules).to_dict("records") if i not in baseline]


def test_shipped_rules_name_nothing_the_sample_lacks_as_an_error():
    sample = evalkit.load(SAMPLE_DIR)
    for name in available_rules():
        found = rules_data_issues(sample, load_rules(name))
        assert (found["severity"] == "warning").all(), (name, found.to_string())


def test_a_group_typo_in_awards_is_an_error_naming_the_closest_group(tmp_path, small):
    _, ds = small(tmp_path)
    rules = _rules(**{"awards.units[0].group": "乡镇"})
    assert _issues(ds, rules)[0] == {
        "severity": "error",
        "key": "awards.units[0].group",
        "value": "乡镇",
        "message": 'group "乡镇" names no unit in the data: its 1 award tiers go to nobody;'
        " closest: 乡镇组",
    }


def test_a_group_typo_in_quota_is_an_error(tmp_path, small):
    _, ds = small(tmp_path)
    found = _issues(ds, _rules(**{"quota[1].group": "部门"}))
    assert [(f["key"], f["value"], f["severity"]) for f in found] == [
        ("quota[1].group", "部门", "error")
    ]
    assert found[0]["message"].endswith("its quota applies to no unit; closest: 部门组")


def test_a_class_the_data_does_not_have_is_an_error_listing_the_classes(tmp_path, small):
    _, ds = small(tmp_path)
    found = _issues(ds, _rules(**{"quota[1].class": "四类"}))
    assert [(f["key"], f["severity"]) for f in found] == [("quota[1].class", "error")]
    assert "closest: 二类、一类" in found[0]["message"]  # equally close: difflib order


def test_an_outlet_spelled_nearly_as_in_the_data_is_an_error(tmp_path, small):
    _, ds = small(tmp_path)
    found = _issues(ds, _rules(**{"adoption.outlets.county": {"要情快讯": 8}}))
    assert [(f["key"], f["severity"]) for f in found] == [
        ("adoption.outlets.county.要情快讯", "error")
    ]
    assert '"要情快报" has: a typo?' in found[0]["message"]


def test_an_outlet_only_at_another_level_is_a_warning(tmp_path, small):
    _, ds = small(tmp_path)
    found = _issues(ds, _rules(**{"adoption.outlets.city": {"要情快报": 25}}))
    assert [(f["key"], f["severity"]) for f in found] == [
        ("adoption.outlets.city.要情快报", "warning")
    ]
    assert "(it appears at county level): its points apply to none" in found[0]["message"]


def test_a_category_factor_for_a_category_with_no_item_is_a_warning(tmp_path, small):
    folder, _ = small(tmp_path)
    ds = evalkit.load(folder)
    ds.submissions = ds.submissions[ds.submissions["category"] != "research"]
    found = [i for i in rules_data_issues(ds, load_rules("default")).to_dict("records")
             if not i["key"].startswith("adoption.outlets")]  # fmt: skip
    assert [(f["key"], f["severity"]) for f in found] == [
        ("adoption.category_factor.research", "warning")
    ]


def test_score_refuses_rules_naming_a_missing_group_with_exit_2(tmp_path, small, capsys):
    folder, _ = small(tmp_path)
    path = _rules(**{"awards.units[0].group": "乡镇"}).save(tmp_path / "typo.toml")
    assert main(["score", str(folder), "--rules", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "awards.units[0].group = '乡镇'" in err and "closest: 乡镇组" in err
    assert not (tmp_path / "o").exists()
    code = main(["score", str(folder), "--rules", str(path), "--out", str(tmp_path / "o"),
                 "--allow-errors"])  # fmt: skip
    assert code == 0 and "awards.units[0].group" in capsys.readouterr().err


def test_check_with_rules_lists_the_rules_problems_and_exits_2(tmp_path, small, capsys):
    folder, _ = small(tmp_path)
    path = _rules(**{"quota[0].group": "乡镇"}).save(tmp_path / "typo.toml")
    assert main(["check", str(folder), "--rules", str(path)]) == 2
    out = capsys.readouterr().out
    assert "error: quota[0].group = '乡镇'" in out and "1 errors, 3 warnings" in out
    assert main(["check", str(folder), "--rules", "default"]) == 0
