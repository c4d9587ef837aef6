"""Rules as data: every shipped file loads, bad fields give one clear error, changes validate."""

from __future__ import annotations

import tomllib

import pandas as pd
import pytest
from conftest import make_rules
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.scoring.rules import (
    Deadline,
    Rules,
    RulesError,
    available_rules,
    late_items,
    load_rules,
)

MINIMAL = 'schema_version = 1\nname = "测试办法"\n'


def write(tmp_path, text, name="x.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "name", ["default", "provincial-highest", "urgent-average", "township-quota"]
)
def test_shipped_rule_files_load_and_round_trip(name):
    rules = load_rules(name)
    assert rules.source == f"rules/{name}.toml"
    again = Rules.from_dict(tomllib.loads(rules.to_toml()))
    assert again == rules
    assert again.fingerprint == rules.fingerprint


def test_at_least_four_rule_files_are_shipped():
    assert {"default", "provincial-highest", "urgent-average", "township-quota"} <= set(
        available_rules()
    )


def test_default_has_a_chinese_name_and_realistic_level_ratios():
    rules = load_rules("default")
    assert rules.name.endswith("考核办法")
    points = rules["adoption.points"]
    assert points["county"] < points["city"] < points["province"] < points["national"]


def test_example_rule_sets_say_what_domain_md_says():
    provincial = load_rules("provincial-highest")
    assert provincial["adoption.mode"] == "highest"
    assert provincial["submission.points"] == 5
    assert provincial["faults.points.commission_missed"] == 10
    assert provincial["faults.points.false"] == 30
    assert "false" in provincial["faults.veto"]
    urgent = load_rules("urgent-average")
    assert urgent["final.mode"] == "average"
    assert urgent["lateness.fraction"] == 0.5
    assert urgent["faults.points.concealed"] == urgent["faults.points.omitted"] == 10
    township = load_rules("township-quota")
    quota = township["quota[0]"]
    assert (quota["period"], quota["min_items"], quota["base_points"], quota["cap"]) == (
        "month",
        8,
        10,
        120,
    )


def test_minimal_file_fills_defaults(tmp_path):
    rules = load_rules(write(tmp_path, MINIMAL))
    assert rules["adoption.points.city"] == 0
    assert rules["adoption.type_factor.combined"] == 1
    assert rules["adoption.mode"] == "sum"
    assert rules["final.decimals"] == 1
    assert rules["quota"] == ()
    assert rules.deadlines["urgent"] == Deadline(hours=None, due_at=False)


def test_the_error_of_the_issue_is_spelled_exactly(tmp_path):
    path = write(tmp_path, MINIMAL + '[adoption.points]\nprovince = "ten"\n')
    with pytest.raises(RulesError) as error:
        load_rules(path)
    assert error.value.problems == [
        f'{path}: adoption.points.province = "ten": expected a number >= 0'
    ]
    assert isinstance(error.value, ValueError)


def test_unknown_key_names_the_key_and_the_known_keys(tmp_path):
    path = write(tmp_path, MINIMAL + '[adoption]\nmodee = "sum"\n')
    with pytest.raises(RulesError) as error:
        load_rules(path)
    (problem,) = error.value.problems
    assert "adoption.modee: unknown key" in problem
    assert "mode, joint, points" in problem


def test_all_problems_are_collected(tmp_path):
    text = MINIMAL + '[final]\nmode = "median"\ndecimals = -1\n[lateness]\nfraction = 2\n'
    with pytest.raises(RulesError) as error:
        load_rules(write(tmp_path, text))
    paths = [p.split(": ")[1].split(" = ")[0] for p in error.value.problems]
    assert paths == ["lateness.fraction", "final.mode", "final.decimals"]  # in schema order
    assert str(error.value).startswith("3 problems:")


def test_missing_required_keys_and_bad_toml(tmp_path):
    with pytest.raises(RulesError, match=r"name: missing; expected a non-empty text"):
        load_rules(write(tmp_path, "schema_version = 1\n"))
    with pytest.raises(RulesError, match=r"schema_version = 2: expected 1"):
        load_rules(write(tmp_path, 'schema_version = 2\nname = "x"\n'))
    with pytest.raises(RulesError, match="not valid TOML"):
        load_rules(write(tmp_path, "schema_version = \n"))
    with pytest.raises(RulesError, match="no such rules file.*default"):
        load_rules("no-such-rules")


def test_quota_needs_a_minimum_and_tiers_need_a_count_or_score():
    with pytest.raises(RulesError, match=r"quota\[0\].min_items: missing"):
        make_rules(quota=[{"period": "month", "unit_quota": False}])
    with pytest.raises(RulesError, match=r"awards.units\[0\].tiers\[0\].count: missing"):
        make_rules(awards={"units": [{"tiers": [{"award": "一等奖"}]}]})
    with pytest.raises(RulesError, match=r"awards.units\[0\].tiers: missing"):
        make_rules(awards={"units": [{"group": "乡镇组"}]})


def test_chinese_spellings_of_levels_and_kinds_are_accepted():
    rules = make_rules(
        adoption={"points": {"市级": 20, "省": 50}},
        faults={"veto": ["失实"], "points": {"瞒报": 5}},
    )
    assert rules["adoption.points.city"] == 20
    assert rules["adoption.points.province"] == 50
    assert rules["faults.veto"] == ("false",)
    assert rules["faults.points.concealed"] == 5


def test_with_changes_returns_new_validated_rules():
    rules = load_rules("default")
    before = rules["adoption.points.province"]
    changed = rules.with_changes(
        {"adoption.points.province": before + 1, "quota[1].base_points": 5}
    )
    assert changed["adoption.points.province"] == before + 1
    assert changed["quota.1.base_points"] == 5
    assert rules["adoption.points.province"] == before  # the original is untouched
    assert changed.fingerprint != rules.fingerprint
    assert changed.source == "rules/default.toml + changes"
    with pytest.raises(RulesError, match=r'adoption.points.province = "x": expected a number'):
        rules.with_changes({"adoption.points.province": "x"})
    with pytest.raises(RulesError, match=r"quota.7.base_points: no such entry|quota.7"):
        rules.with_changes({"quota.7.base_points": 1})


def test_with_changes_none_restores_the_default_and_new_tables_are_created():
    rules = load_rules("default").with_changes({"submission.cap": None})
    assert rules["submission.cap"] is None
    outlets = make_rules().with_changes({"adoption.outlets.city.专报": 50})
    assert outlets["adoption.outlets.city"]["专报"] == 50


def test_rules_are_immutable():
    rules = load_rules("default")
    with pytest.raises(TypeError):
        rules["adoption.points"]["city"] = 1
    data = rules.to_dict()
    data["adoption"]["points"]["city"] = -1  # a copy
    assert rules["adoption.points.city"] > 0


def test_fingerprint_ignores_spelling_of_defaults():
    stated = make_rules(adoption={"mode": "sum", "type_factor": {"single": 1}})
    assert stated.fingerprint == make_rules().fingerprint
    assert stated == make_rules()
    assert make_rules(adoption={"mode": "highest"}) != make_rules()


def test_save_writes_a_file_that_loads_back(tmp_path):
    rules = load_rules("township-quota").with_changes({"adoption.outlets.county.专报": 40})
    path = rules.save(tmp_path / "used.toml")
    assert load_rules(path) == rules


# A rules file with one bad field gives one clear error naming it.
_FIELDS = [
    ("adoption.points.city", "{}"),
    ("adoption.type_factor.combined", "{}"),
    ("submission.points", "{}"),
    ("lateness.fraction", "{}"),
    ("faults.points.false", "{}"),
    ("final.decimals", "{}"),
]
_BAD = st.sampled_from(['"ten"', "-1", "true", "[1]", '"1"'])


@settings(max_examples=30, deadline=None)
@given(field=st.sampled_from(_FIELDS), bad=_BAD)
def test_one_bad_field_gives_one_clear_error_naming_it(tmp_path_factory, field, bad):
    key, _ = field
    table, name = key.rsplit(".", 1)
    path = write(tmp_path_factory.mktemp("r"), f"{MINIMAL}[{table}]\n{name} = {bad}\n")
    with pytest.raises(RulesError) as error:
        load_rules(path)
    assert len(error.value.problems) == 1
    problem = error.value.problems[0]
    assert problem.startswith(f"{path}: {key} = ")
    assert "expected" in problem


def test_late_items_by_hours_after_event_and_by_due_date():
    rules = make_rules(deadlines={"urgent": {"hours": 2}, "commissioned": {"due_at": True}})
    t = pd.Timestamp
    subs = pd.DataFrame(
        {
            "category": ["urgent", "urgent", "urgent", "commissioned", "commissioned", "ordinary"],
            "event_at": [
                t("2025-01-01 08:00"),
                t("2025-01-01 08:00"),
                pd.NaT,
                pd.NaT,
                pd.NaT,
                t("2025-01-01"),
            ],
            "submitted_at": [
                t("2025-01-01 10:00"),  # exactly 2 h: on time
                t("2025-01-01 10:01"),  # 2 h 1 min: late
                t("2025-01-05"),  # no event time: cannot be late
                t("2025-01-06"),  # after due 01-05: late
                t("2025-01-05"),  # on the due time: on time
                t("2025-03-01"),  # ordinary: no deadline
            ],
            "due_at": [pd.NaT, pd.NaT, pd.NaT, t("2025-01-05"), t("2025-01-05"), pd.NaT],
        }
    )
    assert late_items(subs, rules).tolist() == [False, True, False, True, False, False]
