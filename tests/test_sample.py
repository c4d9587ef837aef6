"""The seeded sample generator: determinism, realistic volumes, coverage, export files."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

import evalkit
from evalkit._paths import SAMPLE_DIR
from evalkit.data._sample import generate, generate_large, write_sample
from evalkit.data._schema import COLUMNS, ENUMS

SEEDS = [2025, 1, 7]


@pytest.fixture(scope="module", params=SEEDS)
def tables(request):
    return generate(seed=request.param)


@pytest.fixture(scope="module")
def default():
    return generate()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The files of seed 2025, as ``make sample`` writes them."""
    return write_sample(tmp_path_factory.mktemp("sample"), seed=2025)


def _year(submissions: pd.DataFrame) -> pd.Series:
    return submissions["submitted_at"].dt.year


def _adoption_rates(tables) -> pd.DataFrame:
    """Share of each year's items adopted at least once at each level (year x level)."""
    subs, adoptions = tables["submissions"], tables["adoptions"]
    year = adoptions["submission_id"].map(
        dict(zip(subs["submission_id"], _year(subs), strict=True))
    )
    adopted = adoptions.groupby([year, adoptions["level"]])["submission_id"].nunique().unstack()
    return adopted.div(_year(subs).value_counts(), axis=0).fillna(0)


def test_same_seed_gives_identical_frames_and_another_seed_differs():
    first, again, other = generate(seed=11), generate(seed=11), generate(seed=12)
    for name in first:
        pd.testing.assert_frame_equal(first[name], again[name])
    assert not first["submissions"].equals(other["submissions"])
    assert not first["adoptions"].equals(other["adoptions"])


def test_frames_have_the_canonical_columns_in_schema_order(default):
    for table, frame in default.items():
        assert list(frame.columns) == [c.name for c in COLUMNS[table]]


def test_enumerated_columns_hold_canonical_english_values(default):
    for table, frame in default.items():
        for col in COLUMNS[table]:
            if col.enum:
                assert set(frame[col.name].dropna()) <= set(ENUMS[col.enum].values), col.name


def test_units_are_15_townships_and_35_to_45_departments_in_three_classes(tables):
    units = tables["units"]
    assert units["unit"].is_unique
    assert (units["group"] == "乡镇组").sum() == 15
    departments = units[units["group"] == "部门组"]
    assert 35 <= len(departments) <= 45
    assert set(departments["class"]) == {"一类", "二类", "三类"}
    assert (units["quota"] > 0).all()


def test_items_per_year_and_per_unit_are_in_the_domain_ranges(tables):
    subs, units = tables["submissions"], tables["units"]
    per_year = _year(subs).value_counts()
    assert sorted(per_year.index) == [2024, 2025]
    assert per_year.between(3000, 4000).all(), per_year
    lead = subs["units"].str.split("、").str[0].replace({"县农业局": "县农业农村局"})
    per_unit = subs.groupby([lead, _year(subs)]).size().rename("n").reset_index(level=1)
    per_unit = per_unit.join(units.set_index("unit")[["class"]])
    bounds = {"一类": (60, 100), "二类": (35, 60), "三类": (15, 30)}
    key = per_unit["class"].fillna("乡镇")
    low = key.map({**{k: v[0] for k, v in bounds.items()}, "乡镇": 80})
    high = key.map({**{k: v[1] for k, v in bounds.items()}, "乡镇": 120})
    assert per_unit["n"].between(low, high).all()


def test_adoption_rates_per_level_are_in_the_domain_ranges(tables):
    rates = _adoption_rates(tables)
    assert rates["county"].between(0.30, 0.45).all(), rates
    assert rates["city"].between(0.02, 0.04).all(), rates
    assert rates["province"].between(0.003, 0.008).all(), rates
    national = tables["adoptions"].query("level == 'national'")["submission_id"].str[:4]
    assert national.value_counts().le(3).all()


def test_informants_number_70_to_90_and_each_belongs_to_one_unit(tables):
    subs = tables["submissions"]
    people = subs.assign(informant=subs["informants"].str.split("、")).explode("informant")
    assert 70 <= people["informant"].nunique() <= 90
    solo = people[~subs["units"].str.contains("、").reindex(people.index)]
    unit = solo["units"].replace({"县农业局": "县农业农村局"})
    assert unit.groupby(solo["informant"]).nunique().eq(1).all()


def test_every_level_adoption_type_and_fault_kind_is_present(default):
    adoptions, faults = default["adoptions"], default["faults"]
    assert set(adoptions["level"]) == set(ENUMS["level"].values)
    assert set(adoptions["adoption_type"]) == set(ENUMS["adoption_type"].values)
    assert set(faults["kind"]) == set(ENUMS["fault_kind"].values)
    assert adoptions["instruction_level"].notna().any()
    assert (
        adoptions["instruction_level"].dropna()
        == adoptions["level"][adoptions["instruction_level"].notna()]
    ).all()


def test_upward_adoptions_are_mostly_also_county_adoptions_and_often_combined(tables):
    adoptions = tables["adoptions"]
    county = set(adoptions.loc[adoptions["level"] == "county", "submission_id"])
    upward = adoptions[adoptions["level"] != "county"]
    assert upward["submission_id"].isin(county).mean() >= 0.9
    assert 0.25 <= (upward["adoption_type"] == "combined").mean() <= 0.55


def test_adoptions_refer_to_items_and_follow_their_submission(default):
    subs, adoptions = default["submissions"], default["adoptions"]
    submitted = adoptions["submission_id"].map(
        dict(zip(subs["submission_id"], subs["submitted_at"], strict=True))
    )
    assert submitted.notna().all()
    assert (adoptions["adopted_at"] > submitted).all()
    assert not adoptions.duplicated(["submission_id", "level", "outlet"]).any()


def test_urgent_items_have_an_event_time_and_5_to_10_percent_are_over_2_hours_late(tables):
    subs = tables["submissions"]
    urgent = subs[subs["category"] == "urgent"]
    assert urgent["event_at"].notna().all()
    assert subs.loc[subs["category"] != "urgent", "event_at"].isna().all()
    lag = urgent["submitted_at"] - urgent["event_at"]
    assert (lag > pd.Timedelta(0)).all()
    assert 0.05 <= (lag > pd.Timedelta(hours=2)).mean() <= 0.10


def test_about_50_commissioned_items_a_year_with_due_dates_some_overdue(tables):
    subs = tables["submissions"]
    commissioned = subs[subs["category"] == "commissioned"]
    assert _year(commissioned).value_counts().between(40, 60).all()
    assert commissioned["due_at"].notna().all()
    assert subs.loc[subs["category"] != "commissioned", "due_at"].isna().all()
    assert (commissioned["submitted_at"] > commissioned["due_at"]).any()
    share = subs["category"].value_counts(normalize=True)
    assert 0.03 <= share["research"] <= 0.07
    assert 0.01 <= share["urgent"] <= 0.08


def test_joint_items_name_two_or_three_distinct_known_units(tables):
    subs, units = tables["submissions"], tables["units"]
    members = subs["units"].str.split("、")
    joint = members[members.str.len() > 1]
    assert 0.01 <= len(joint) / len(subs) <= 0.03
    assert joint.str.len().le(3).all()
    assert joint.map(lambda names: len(set(names)) == len(names)).all()
    known = set(units["unit"]) | set(units["aliases"].dropna())
    assert set(members.explode()) <= known
    assert set(tables["faults"]["unit"]) <= known


def test_the_renamed_department_goes_by_its_former_name_in_2024_only(default):
    units, subs, faults = default["units"], default["submissions"], default["faults"]
    assert units.set_index("unit").loc["县农业农村局", "aliases"] == "县农业局"
    names = subs["units"].str.split("、").explode()
    year = _year(subs).reindex(names.index)
    assert set(year[names == "县农业局"]) == {2024}
    assert set(year[names == "县农业农村局"]) == {2025}
    assert (faults.loc[faults["unit"] == "县农业局", "occurred_at"].dt.year == 2024).any()
    assert (faults["unit"] != "县农业局").where(faults["occurred_at"].dt.year > 2024, True).all()


def test_one_unit_has_a_false_item_in_the_last_year(default):
    false = default["faults"].query("kind == 'false'")
    assert len(false) == 1
    assert false["occurred_at"].dt.year.tolist() == [2025]
    assert false["submission_id"].isin(default["submissions"]["submission_id"]).all()


def test_units_differ_in_adoption_rate_so_rankings_mean_something(default):
    subs, adoptions = default["submissions"], default["adoptions"]
    lead = subs.set_index("submission_id")["units"].str.split("、").str[0]
    county = adoptions.query("level == 'county'")["submission_id"].drop_duplicates()
    rate = lead[county].value_counts() / lead.value_counts()
    assert rate.max() - rate.min() > 0.3


def test_write_sample_writes_export_like_files_with_stable_bytes(written, tmp_path):
    again = write_sample(tmp_path, seed=2025)
    for table in written:
        assert written[table].read_bytes() == again[table].read_bytes(), table
        assert written[table].stat().st_size < 1_000_000
    adoptions = written["adoptions"].read_bytes()
    assert adoptions.startswith(b"\xef\xbb\xbf")
    assert "2024-01" in adoptions.decode("utf-8-sig").splitlines()[1]
    faults = written["faults"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        faults.decode("utf-8")
    fault_rows = pd.read_csv(io.StringIO(faults.decode("gbk")), dtype=str)
    assert list(fault_rows.columns) == [c.zh for c in COLUMNS["faults"]]
    assert fault_rows["日期"].str.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日").all()
    assert set(fault_rows["类型"]) == set(ENUMS["fault_kind"].zh.values())
    sheet = openpyxl.load_workbook(written["submissions"], read_only=True).worksheets[0]
    title, header, row = (list(r) for r in sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    assert "信息报送" in title[0]
    assert header == [c.zh for c in COLUMNS["submissions"]]
    assert isinstance(row[header.index("报送时间")], datetime)
    assert row[header.index("信息类别")] in ENUMS["category"].zh.values()


def test_instructions_are_a_few_percent_of_adoptions_with_tiers_and_several_leaders(default):
    adoptions, instructions = default["adoptions"], default["instructions"]
    in_adoptions = adoptions["instruction_level"].notna().sum()
    share = (in_adoptions + len(instructions)) / len(adoptions)
    assert 0.02 <= share <= 0.08, share
    assert {"city_secretary", "city_office"} <= set(instructions["leader_level"])
    assert instructions["leader"].str.contains("、").any()  # one cell, two leaders
    assert set(instructions["kind"]) == {"affirmative", "directive"}
    # every record names an adoption of its item at the level it gives
    named = instructions.merge(
        adoptions, left_on=["submission_id", "adoption_level"], right_on=["submission_id", "level"]
    )
    assert named["submission_id"].nunique() == instructions["submission_id"].nunique()
    assert (named["instructed_at"] > named["adopted_at"]).any()


def test_items_adopted_above_the_county_were_forwarded_and_more_went_up_unadopted(default):
    adoptions, forwardings = default["adoptions"], default["forwardings"]
    sent = set(zip(forwardings["submission_id"], forwardings["to_level"], strict=True))
    upward = adoptions[adoptions["level"] != "county"]
    assert all(
        (s, lv) in sent for s, lv in zip(upward["submission_id"], upward["level"], strict=True)
    )
    assert len(sent) == len(forwardings)  # once per item and level
    for level, low, high in (("city", 1.2, 2.5), ("province", 1.2, 3.0), ("national", 1.0, 3.0)):
        adopted = upward.loc[upward["level"] == level, "submission_id"].nunique()
        assert low * adopted <= (forwardings["to_level"] == level).sum() <= high * adopted, level
    first = adoptions.groupby(["submission_id", "level"])["adopted_at"].min()
    when = forwardings.set_index(["submission_id", "to_level"])["forwarded_at"]
    adopted_there = first.reindex(when.index)
    assert (when[adopted_there.notna()] < adopted_there.dropna()).all()


def test_committed_sample_matches_the_generator(written):
    for table in ("adoptions", "faults", "forwardings"):
        assert (SAMPLE_DIR / written[table].name).read_bytes() == written[table].read_bytes(), table
    for table in ("units", "submissions", "instructions"):
        committed = pd.read_excel(SAMPLE_DIR / written[table].name, header=1, engine="openpyxl")
        pd.testing.assert_frame_equal(
            committed, pd.read_excel(written[table], header=1, engine="openpyxl")
        )


@pytest.mark.skipif(not hasattr(evalkit, "load"), reason="evalkit.load not written yet")
def test_the_committed_sample_loads_without_errors_and_every_row_is_counted(default):
    dataset = evalkit.load(SAMPLE_DIR)
    assert dataset.errors.empty, dataset.errors.head().to_string()
    assert dataset.rejected.empty
    counts = dataset.counts.set_index("table")
    for table, frame in default.items():
        assert counts.loc[table, "rows_read"] == len(frame)
        assert counts.loc[table, "loaded"] == len(frame)
    assert len(dataset.submission_units) == default["submissions"]["units"].str.count(
        "、"
    ).sum() + len(default["submissions"])


def test_generate_large_is_one_year_of_the_requested_sizes_with_nested_adoptions():
    tables = generate_large(n_submissions=20_000, n_adoptions=8_000, n_units=300, seed=1, year=2025)
    subs, adoptions, units = tables["submissions"], tables["adoptions"], tables["units"]
    assert (len(subs), len(adoptions), len(units)) == (20_000, 8_000, 300)
    for table, frame in tables.items():
        assert list(frame.columns) == [c.name for c in COLUMNS[table]]
    assert subs["submission_id"].is_unique
    assert set(_year(subs)) == {2025}
    assert 0.015 <= subs["units"].str.contains("、").mean() <= 0.025
    assert set(subs["units"].str.split("、").explode()) <= set(units["unit"])
    assert adoptions["submission_id"].isin(subs["submission_id"]).all()
    by_level = adoptions.groupby("level")["submission_id"].agg(set)
    assert by_level["national"] <= by_level["province"] <= by_level["city"] <= by_level["county"]
    assert not adoptions.duplicated(["submission_id", "level"]).any()
