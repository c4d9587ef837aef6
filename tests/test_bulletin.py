"""The periodic bulletin: hand-counted golden cases on a tiny county, the workbook, the CLI."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from conftest import make_dataset, make_rules

from evalkit._paths import SAMPLE_DIR
from evalkit.cli import main
from evalkit.outputs.bulletin import (
    BulletinPeriodError,
    bulletin_period,
    bulletin_tables,
    bulletin_title,
    write_bulletin,
)
from evalkit.scoring.scorer import score

# Two townships and a department. Points: county adoption 1, city adoption 10; a false
# report costs 3 and vetoes, a missed commission costs 5; commissions are late after due_at.
UNITS = [("甲镇", "乡镇组"), ("乙镇", "乡镇组"), ("丙局", "部门组", "一类")]
ITEMS = [
    ("S0", "甲镇", "2025-02-01 09:00"),
    ("S7", "乙镇", "2025-04-02 09:00"),
    ("S1", "甲镇", "2025-05-10 09:00"),
    ("S2", "乙镇", "2025-05-20 09:00"),
    ("S3", "甲镇", "2025-06-05 09:00"),
    ("S4", "甲镇、乙镇", "2025-06-10 09:00"),  # joint: counts for both townships
    ("S8", "丙局", "2025-06-12 09:00", "commissioned", None, "2025-06-15 18:00"),  # on time
    ("S5", "丙局", "2025-06-15 09:00"),
    ("S9", "丙局", "2025-06-20 09:00", "commissioned", None, "2025-06-18 18:00"),  # late
    ("S6", "乙镇", "2025-07-01 09:00"),
]
ADOPTIONS = [
    ("S7", "county", "2025-04-10"),
    ("S1", "city", "2025-05-12"),
    ("S2", "county", "2025-06-02"),  # an item of May adopted in June counts in June
    ("S2", "city", "2025-06-03"),
    ("S3", "county", "2025-06-06"),
    ("S5", "county", "2025-07-02"),  # after June
]
FAULTS = [
    ("乙镇", "omitted", "2025-05-08"),  # May: not in June's list
    ("甲镇", "false", "2025-06-20"),
    ("丙局", "commission_missed", "2025-06-25"),
]


@pytest.fixture(scope="module")
def county():
    return make_dataset(units=UNITS, items=ITEMS, adoptions=ADOPTIONS, faults=FAULTS)


@pytest.fixture(scope="module")
def rules():
    return make_rules(
        adoption={"points": {"county": 1, "city": 10}},
        deadlines={"commissioned": {"due_at": True}},
        faults={"points": {"false": 3, "commission_missed": 5}, "veto": ["false"]},
    )


@pytest.fixture(scope="module")
def june(county, rules):
    return bulletin_tables(county, rules, "2025-06")


def _by_unit(frame: pd.DataFrame, columns: list[str]) -> dict:
    return frame.set_index("unit")[columns].astype(object).T.to_dict("list")


# --------------------------------------------------------------------------- periods
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06", pd.Period("2025-06", "M")),
        ("2025-6", pd.Period("2025-06", "M")),
        (" 2025-12 ", pd.Period("2025-12", "M")),
        ("2025Q2", pd.Period("2025Q2", "Q")),
        ("2025q4", pd.Period("2025Q4", "Q")),
        ("2025-Q1", pd.Period("2025Q1", "Q")),
        ("2025H1", pd.Period("2025-01", "6M")),
        ("2025h2", pd.Period("2025-07", "6M")),
        ("2025", pd.Period("2025", "Y")),
        (pd.Period("2025-07", "6M"), pd.Period("2025-07", "6M")),
    ],
)
def test_a_period_is_a_month_a_quarter_a_half_year_or_a_year(text, expected):
    assert bulletin_period(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2025-13",
        "2025-00",
        "2025Q5",
        "2025H3",
        "June",
        "2025-06-01",
        "",
        pd.Period("2025-03", "6M"),
    ],
)
def test_anything_else_is_refused_with_a_message_naming_it(text):
    with pytest.raises(
        BulletinPeriodError, match=r"expected a year \(2025\), a half year \(2025H1\)"
    ):
        bulletin_period(text)


def test_titles_name_the_month_or_quarter():
    assert bulletin_title("2025-06") == "2025年6月全县政务信息工作通报"
    assert bulletin_title("2025Q2") == "2025年第2季度全县政务信息工作通报"
    assert bulletin_title("2025H1") == "2025年上半年全县政务信息工作通报"
    assert bulletin_title("2025H2", lang="en") == "Information work bulletin, 2025 H2"


# --------------------------------------------------------------------------- golden cases
def test_june_ranking_counts_the_month_and_the_year_to_date(june):
    ranking = june["ranking"]
    assert ranking["unit"].tolist() == ["乙镇", "甲镇", "丙局"]  # by group, then YTD rank
    # June: 甲 sent S3 and the joint S4; S3 adopted by the county; minus 3 for the false report.
    # 乙 sent S4; its May item S2 was adopted by county and city in June (1 + 10).
    # 丙 sent S5, S8, S9; S5's adoption is in July; minus 5 for the missed commission.
    assert _by_unit(
        ranking,
        ["period_submitted", "period_adopted", "period_adopted_county", "period_adopted_city",
         "period_score", "period_rank"],
    ) == {"甲镇": [2, 1, 1, 0, -2.0, 2], "乙镇": [1, 1, 1, 1, 11.0, 1], "丙局": [3, 0, 0, 0, -5.0, 1]}  # fmt: skip
    # January to June: 甲 S0 S1 S3 S4 (S1 city 10, S3 county 1, -3); 乙 S7 S2 S4 (S7 1, S2 11).
    assert _by_unit(ranking, ["ytd_submitted", "ytd_adopted", "ytd_score", "ytd_rank"]) == {
        "甲镇": [4, 2, 8.0, 2],
        "乙镇": [3, 2, 12.0, 1],
        "丙局": [3, 0, -5.0, 1],
    }
    assert _by_unit(ranking, ["vetoed"]) == {"甲镇": [True], "乙镇": [False], "丙局": [False]}


def test_rank_change_is_against_the_year_to_date_of_the_month_before(june):
    # To the end of May: 甲 10 (S1 city) ahead of 乙 1 (S7 county); in June 乙 overtakes.
    assert _by_unit(june["ranking"], ["previous_rank", "rank_change"]) == {
        "甲镇": [1, -1],
        "乙镇": [2, 1],
        "丙局": [1, 0],
    }


def test_a_quarter_compares_with_the_first_quarter(county, rules):
    ranking = bulletin_tables(county, rules, "2025Q2")["ranking"]
    # April to June leaves out 甲's February item S0; at the end of March nobody had points.
    assert _by_unit(ranking, ["period_submitted", "period_score", "ytd_submitted"]) == {
        "甲镇": [3, 8.0, 4],
        "乙镇": [3, 12.0, 3],
        "丙局": [3, -5.0, 3],
    }
    assert _by_unit(ranking, ["previous_rank", "rank_change"]) == {
        "甲镇": [1, -1],
        "乙镇": [1, 0],
        "丙局": [1, 0],
    }


@pytest.mark.parametrize("period", ["2025-01", "2025Q1"])
def test_the_first_bulletin_of_a_year_has_no_rank_change(county, rules, period):
    ranking = bulletin_tables(county, rules, period)["ranking"]
    assert ranking["previous_rank"].isna().all()
    assert ranking["rank_change"].isna().all()


def test_group_totals_count_a_joint_item_once(june):
    groups = june["groups"].set_index("group")
    columns = ["n_units", "period_submitted", "period_adopted", "period_adopted_county",
               "period_adopted_city", "period_score", "ytd_submitted", "ytd_adopted", "ytd_score"]  # fmt: skip
    assert groups.loc["乡镇组", columns].tolist() == [2, 2, 2, 2, 1, 9.0, 6, 4, 20.0]
    assert groups.loc["部门组", columns].tolist() == [1, 3, 0, 0, 0, -5.0, 3, 0, -5.0]
    assert groups.loc["全县合计", columns].tolist() == [3, 5, 2, 2, 1, 4.0, 9, 4, 15.0]


def test_lists_of_the_month(june):
    adopted = june["adopted"]
    assert adopted[["submission_id", "units", "level"]].astype(str).values.tolist() == [
        ["S2", "乙镇", "city"]
    ]
    assert june["commissions"].drop(columns="group").values.tolist() == [["丙局", 2, 1, 1, 1]]
    faults = june["faults"]
    assert faults[["unit", "kind", "penalty", "vetoed"]].astype(object).values.tolist() == [
        ["甲镇", "false", -3.0, True],
        ["丙局", "commission_missed", -5.0, False],
    ]


def test_december_year_to_date_is_the_year_score(county, rules):
    ranking = bulletin_tables(county, rules, "2025-12")["ranking"]
    year = score(county, rules, year=2025)
    pd.testing.assert_series_equal(
        ranking.set_index("unit")["ytd_score"].sort_index(),
        year.set_index("unit")["score"].sort_index(),
        check_names=False,
    )


def test_inputs_are_left_as_they_were(county, rules):
    before = {name: getattr(county, name).copy() for name in ("units", "submissions", "faults")}
    bulletin_tables(county, rules, "2025-06")
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(county, name), frame)


def test_a_year_without_data_is_refused(county, rules):
    with pytest.raises(BulletinPeriodError, match=r"2024-06.*\[2025\]"):
        bulletin_tables(county, rules, "2024-06")


# --------------------------------------------------------------------------- the workbook
def test_the_workbook_has_the_sheets_titles_and_numbers(county, rules, june, tmp_path):
    path = write_bulletin(county, rules, "2025-06", tmp_path)
    assert path == tmp_path / "bulletin_2025-06.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["通报", "分组合计", "上级采用信息", "约稿完成情况", "通报批评"]
    sheet = book["通报"]
    assert sheet["A1"].value == "2025年6月全县政务信息工作通报"
    header = [cell.value for cell in sheet[2]]
    assert header[:6] == ["组别", "累计名次", "单位", "类别", "本月报送数", "本月采用数"]
    rows = list(sheet.iter_rows(min_row=3, max_row=5, values_only=True))
    ytd = header.index("累计得分")
    change = header.index("名次变化")
    assert [(r[2], r[ytd], r[change]) for r in rows] == [
        ("乙镇", 12, 1),
        ("甲镇", 8, -1),
        ("丙局", -5, 0),
    ]
    assert "2025年1-5月" in str(sheet.cell(row=7, column=1).value)  # the note names the comparison


def test_an_english_workbook_and_a_quarter(county, rules, tmp_path):
    path = write_bulletin(county, rules, "2025Q2", tmp_path, lang="en")
    book = openpyxl.load_workbook(path)
    assert path.name == "bulletin_2025Q2.xlsx"
    assert book.sheetnames == [
        "Bulletin",
        "Group totals",
        "Adopted upward",
        "Commissions",
        "Faults",
    ]
    assert book["Bulletin"]["E2"].value == "Submitted this quarter"
    assert book["Bulletin"]["A3"].value == "Townships"


# --------------------------------------------------------------------------- the command
def test_the_command_writes_a_bulletin_of_the_sample(tmp_path, capsys):
    assert main(["bulletin", str(SAMPLE_DIR), "--period", "2025Q2", "--out", str(tmp_path)]) == 0
    written = tmp_path / "bulletin_2025Q2.xlsx"
    assert written.exists()
    assert capsys.readouterr().out.strip() == str(written)
    ranking = openpyxl.load_workbook(written)["通报"]
    assert ranking.max_row > 50  # 55 units, a title, a header and a note


@pytest.mark.parametrize("period", ["2025-13", "2023-06"])
def test_the_command_refuses_a_bad_period_in_one_line(tmp_path, capsys, period):
    code = main(["bulletin", str(SAMPLE_DIR), "--period", period, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and period in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())
