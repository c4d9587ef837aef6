"""Unit tests for each loading rule: dates, numbers, enumerations, names, headers, mapping."""

from __future__ import annotations

import functools
import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import evalkit
from evalkit import DataError
from evalkit.data._io import frame_to_raw, header_keys, read_cells
from evalkit.data._mapping import EMPTY_MAPPING, check_mapping
from evalkit.data.validation import UnitMatcher, as_datetime, as_enum, as_int, as_text, split_names

T = pd.Timestamp

# ---------------------------------------------------------------- cell rules


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2025-03-05", T("2025-03-05")),
        ("2025-03-05 14:30", T("2025-03-05 14:30")),
        ("2025-03-05T14:30:15", T("2025-03-05 14:30:15")),
        ("2025-03-05 14:30:15.250", T("2025-03-05 14:30:15")),
        ("2025/3/5", T("2025-03-05")),
        ("2025/3/5 9:05", T("2025-03-05 09:05")),
        ("2025.3.5", T("2025-03-05")),
        ("2025年3月5日", T("2025-03-05")),
        ("2025年3月5日 14:30", T("2025-03-05 14:30")),
        ("2025年3月5日14时30分", T("2025-03-05 14:30")),
        ("2025年3月5号 14时", T("2025-03-05 14:00")),
        ("２０２５年３月５日　１４：３０", T("2025-03-05 14:30")),  # full width
        ("45721", T("2025-03-05")),  # Excel serial: days since 1899-12-30
        ("45721.75", T("2025-03-05 18:00")),
        (45721.5, T("2025-03-05 12:00")),
        (pd.Timestamp("2025-03-05 14:30").to_pydatetime(), T("2025-03-05 14:30")),
        ("18264", T("1950-01-01")),  # the first serial taken for a date
    ],
)
def test_dates_accepted(cell, expected):
    parsed, bad = as_datetime(as_text(pd.Series([cell], dtype=object)))
    assert parsed[0] == expected
    assert not bad[0]


@pytest.mark.parametrize(
    "cell",
    [
        "2025",  # a bare year is not an Excel serial (it would be 1905-07-17)
        "18263",  # 1949-12-31: outside the serial range
        "1000000",  # far past year 2262: must not overflow
        "2025-02-30",
        "2025-13-01",
        "2025年3月",
        "3/5/2025",  # month first is ambiguous: refused
        "2025-03-05 abc",
        "2025-03-05 下午2:30",
        "明天",
    ],
)
def test_dates_refused(cell):
    parsed, bad = as_datetime(as_text(pd.Series([cell], dtype=object)))
    assert pd.isna(parsed[0])
    assert bad[0]


def test_empty_date_cells_are_missing_not_bad():
    parsed, bad = as_datetime(as_text(pd.Series([None, "", "  "], dtype=object)))
    assert parsed.isna().all()
    assert not bad.any()


def test_whole_numbers():
    values, bad = as_int(
        as_text(pd.Series(["12", "１２", 12.0, "12.0", None, "-1", "1.5", "十二"]))
    )
    assert values.tolist()[:4] == [12, 12, 12, 12]
    assert pd.isna(values[4]) and not bad[4]
    assert bad.tolist()[5:] == [True, True, True]


def test_whole_numbers_out_of_range_are_bad_not_wrapped_round():
    # inf made the mask hold a missing value (check stopped with an internal error); 1e308
    # and 2**63 were cast to int64 -9223372036854775808 without a word
    cells = ["inf", "-inf", "1e308", "9223372036854775808", "1000000001", "1000000000", "0"]
    values, bad = as_int(as_text(pd.Series(cells, dtype=object)))
    assert bad.tolist() == [True] * 5 + [False, False]
    assert values.isna().tolist() == [True] * 5 + [False, False]
    assert values.tolist()[5:] == [1_000_000_000, 0]


def test_text_trims_normalises_width_and_drops_the_float_zero():
    text = as_text(pd.Series(["　Ｓ１ ", 7.0, 7, "7.0", "", "  ", None], dtype=object))
    assert text.tolist()[:4] == ["S1", "7", "7", "7.0"]  # "7.0" typed as text stays text
    assert text[4:].isna().all()


def test_titles_keep_their_width():
    assert (
        as_text(pd.Series(["２０２５年　第一季度"]), keep_width=True)[0] == "２０２５年　第一季度"
    )


@pytest.mark.parametrize(
    "enum, spellings, value",
    [
        ("level", ["县级", "县", "区级", "county", "County", " 县级 "], "county"),
        ("level", ["中办", "国办", "国家级", "中办/国办", "national"], "national"),
        ("adoption_type", ["综合采用", "综合", "combined"], "combined"),
        ("adoption_type", ["单篇", "全文采用", "单独采用"], "single"),
        ("category", ["紧急", "突发事件信息", "urgent", "ＵＲＧＥＮＴ"], "urgent"),
        ("category", ["调研", "专题信息"], "research"),
        ("instruction_level", ["市领导", "市级"], "city"),
        ("fault_kind", ["迟报", "逾期"], "late"),
        ("fault_kind", ["失实", "错报"], "false"),
    ],
)
def test_enumeration_spellings(enum, spellings, value):
    values, bad = as_enum(as_text(pd.Series(spellings)), enum, {})
    assert values.tolist() == [value] * len(spellings)
    assert not bad.any()


def test_enumeration_defaults_and_unknown_values():
    category, bad = as_enum(as_text(pd.Series([None, "", "要闻"], dtype=object)), "category", {})
    assert category.tolist()[:2] == ["ordinary", "ordinary"]  # empty category: ordinary
    assert pd.isna(category[2]) and bad.tolist() == [False, False, True]
    level, bad = as_enum(as_text(pd.Series([None], dtype=object)), "level", {})
    assert pd.isna(level[0]) and not bad[0]  # no default: an empty level stays missing
    assert level.cat.ordered and list(level.cat.categories) == [
        "county",
        "city",
        "province",
        "national",
    ]


def test_enumeration_overrides_add_spellings():
    values, bad = as_enum(
        as_text(pd.Series(["区县级", "县级"])), "level", {"level": {"区县级": "county"}}
    )
    assert values.tolist() == ["county", "county"] and not bad.any()


def test_split_names_on_every_separator_in_order():
    names = split_names(
        pd.Series(["甲、乙,丙;丁，戊；己\n庚", "辛、、 壬 ", None, ""], dtype="string")
    )
    assert names.tolist() == ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬"]
    assert names.index.tolist() == [0] * 7 + [1, 1]


def test_header_keys_ignore_width_spaces_and_case():
    keys = header_keys(pd.Series(["　单位 名称 ", "Ｕｎｉｔ", None], dtype=object))
    assert keys[:2].tolist() == ["单位名称", "unit"] and pd.isna(keys[2])


def test_unit_matching_exact_then_alias_after_normalising():
    units = pd.DataFrame({"unit": ["城关镇", "县教育局"]})
    aliases = pd.DataFrame({"alias": ["城关乡", "县教委"], "unit": ["城关镇", "县教育局"]})
    matcher = UnitMatcher(units, aliases)
    names = pd.Series(["城关镇", "城关 乡", "县教委", "县　教育局", "西山镇", None], dtype="string")
    matched = matcher.match(names)
    assert matched[:4].tolist() == ["城关镇", "城关镇", "县教育局", "县教育局"]
    assert matched[4:].isna().all()
    assert matcher.suggest("县教体局") == "unknown unit 县教体局; closest known: 县教育局"
    assert matcher.suggest("市公安局") == "unknown unit 市公安局; no known unit is close"


# ---------------------------------------------------------------- headers and files


def cells(rows):
    return pd.DataFrame(rows, dtype=object)


def test_header_found_below_title_rows_and_rows_numbered_as_excel():
    raw = frame_to_raw(
        "adoptions",
        "x.csv",
        cells(
            [
                ["2025年采用情况", None, None],
                [None, None, None],
                ["信息编号", "级别", "刊发日期"],
                ["S1", "县级", "2025-03-07"],
                [None, None, None],
                ["S2", "市级", "2025-03-08"],
            ]
        ),
        EMPTY_MAPPING,
    )
    assert raw.issues == [] and not raw.fatal
    assert list(raw.frame.columns) == ["submission_id", "level", "adopted_at", "_row"]
    assert raw.frame["_row"].tolist() == [4, 6]
    assert raw.blank_rows == 1


def test_no_header_in_the_first_ten_rows_is_an_error():
    rows = [["说明", None, None]] * 10 + [
        ["编号", "采用级别", "采用时间"],
        ["S1", "县级", "2025-03-07"],
    ]
    raw = frame_to_raw("adoptions", "x.csv", cells(rows), EMPTY_MAPPING)
    assert raw.fatal and "no header row found in the first 10 rows" in raw.issues[0]["message"]


def test_an_unrecognised_header_names_the_columns_it_could_be():
    raw = frame_to_raw(
        "adoptions",
        "x.csv",
        cells(
            [["编号", "采用级别", "采用时间", "采用刊物名称"], ["S1", "县级", "2025-03-07", "快报"]]
        ),
        EMPTY_MAPPING,
    )
    (issue,) = raw.issues
    assert (issue["severity"], issue["row"], issue["column"]) == ("warning", 1, "采用刊物名称")
    assert "it could be outlet (采用刊物)" in issue["message"]


def test_an_unrecognised_header_with_no_close_spelling_lists_the_absent_columns():
    raw = frame_to_raw(
        "faults",
        "x.csv",
        cells([["单位", "类型", "日期", "编号", "xyz"], ["甲", "迟报", "2025-03-07", "S1", "1"]]),
        EMPTY_MAPPING,
    )
    assert "it could be note (说明)" in raw.issues[0]["message"]


def test_ragged_csv_rows_are_padded(tmp_path):
    path = tmp_path / "adoptions.csv"
    path.write_text("标题行\n编号,采用级别,采用时间\nS1,县级\nS2,市级,2025-03-08,多余\n")
    read = read_cells(path)
    assert read.shape == (4, 4)
    assert read.iloc[2].tolist()[:2] == ["S1", "县级"] and read.iloc[2, 2:].isna().all()
    assert read.iloc[3].tolist() == ["S2", "市级", "2025-03-08", "多余"]


def test_the_size_limit_refuses_a_large_workbook(tmp_path, monkeypatch):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["编号"])
    book.save(tmp_path / "a.xlsx")
    monkeypatch.setattr("evalkit.data._xlsx.MAX_UNCOMPRESSED_BYTES", 1000)
    with pytest.raises(DataError, match="would expand to"):
        read_cells(tmp_path / "a.xlsx")


# ---------------------------------------------------------------- a small folder

UNITS = (
    "单位名称,组别,曾用名\n城关镇,乡镇组,城关乡\n东山镇,乡镇组,\n县教育局,部门组,县教委；教育局\n"
)


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def small_folder(folder: Path, **extra: str) -> Path:
    files = {
        "units.csv": UNITS,
        "submissions.csv": "编号,报送单位,信息员,标题,信息类别,事发时间,报送时间\n"
        "A1,城关乡,张三,去年的稿件,常规,,2024-11-05\n"
        "A2,城关镇、东山镇,张三、李四;王五,合报一,紧急,2025-03-05 08:00,2025-03-05 09:00\n"
        'A3,"东山镇,城关镇；县教委 ",李四,合报二,调研,,2025-03-06\n'
        "A4,县教育局；县教育局,王五,重复的单位只算一次,常规,,2025-03-07\n",
        "adoptions.csv": "编号,采用级别,采用时间\nA1,县级,2024-11-06\nA2,国办,2025-03-08\n",
    }
    return write(folder, **(files | extra))


def test_a_former_name_in_old_records_is_matched_to_the_current_unit(tmp_path):
    dataset = evalkit.load(small_folder(tmp_path))
    assert dataset.issues.empty, dataset.issues.to_string()
    first = dataset.submissions.iloc[0]
    assert (first["submission_id"], first["units"], first["lead_unit"]) == (
        "A1",
        "城关镇",
        "城关镇",
    )
    assert dataset.aliases.to_dict("records") == [
        {"alias": "城关乡", "unit": "城关镇"},
        {"alias": "县教委", "unit": "县教育局"},
        {"alias": "教育局", "unit": "县教育局"},
    ]


def test_joint_items_with_every_separator(tmp_path):
    dataset = evalkit.load(small_folder(tmp_path))
    subs = dataset.submissions.set_index("submission_id")
    assert subs["units"].to_dict() == {
        "A1": "城关镇",
        "A2": "城关镇、东山镇",
        "A3": "东山镇、城关镇、县教育局",
        "A4": "县教育局",
    }
    assert subs["n_units"].tolist() == [1, 2, 3, 1]
    assert subs["lead_unit"].tolist() == ["城关镇", "城关镇", "东山镇", "县教育局"]
    long = dataset.submission_units
    assert long[long["submission_id"] == "A3"][["unit", "n_units", "position"]].to_dict(
        "records"
    ) == [
        {"unit": "东山镇", "n_units": 3, "position": 0},
        {"unit": "城关镇", "n_units": 3, "position": 1},
        {"unit": "县教育局", "n_units": 3, "position": 2},
    ]


def test_several_informants_per_item(tmp_path):
    dataset = evalkit.load(small_folder(tmp_path))
    people = dataset.submission_informants
    a2 = people[people["submission_id"] == "A2"]
    assert a2["informant"].tolist() == ["张三", "李四", "王五"]
    assert a2["n_informants"].tolist() == [3, 3, 3]
    assert a2["unit"].tolist() == ["城关镇"] * 3  # credited through the lead unit
    assert (
        dataset.submissions.set_index("submission_id").loc["A2", "informants"] == "张三、李四、王五"
    )


def test_mapping_file_maps_headers_enum_spellings_and_file_names(tmp_path):
    folder = small_folder(
        tmp_path,
        **{
            "adoptions.csv": "稿号,采用层次,日期\nA1,区县级,2024-11-06\nA2,国办,2025-03-08\n",
            "mapping.toml": """
[files]
units = "2025年考核单位.csv"

[columns.adoptions]
"稿号" = "submission_id"
"采用层次" = "采用级别"   # a target may be any accepted spelling
"日期" = "adopted_at"

[values.level]
"区县级" = "county"
""",
        },
    )
    (folder / "units.csv").rename(folder / "2025年考核单位.csv")
    dataset = evalkit.load(folder)
    assert dataset.issues.empty, dataset.issues.to_string()
    assert dataset.adoptions["level"].tolist() == ["county", "national"]
    assert dataset.counts["file"].map(lambda f: Path(f).name).tolist() == [
        "2025年考核单位.csv",
        "submissions.csv",
        "adoptions.csv",
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("[column]\n", "unknown section [column]"),
        ('[columns.reports]\n"x" = "title"\n', "'reports' is not one of units"),
        ('[columns.submissions]\n"稿件名称" = "headline"\n', "expected one of submission_id"),
        ('[values.level]\n"区县级" = "township"\n', "expected one of county, city"),
        ('[values.colour]\n"红" = "red"\n', "'colour' is not one of category"),
        ("[columns]\nsubmissions = 3\n", "must be a table"),
        ("[values\n", "not a valid TOML file"),
    ],
)
def test_a_bad_mapping_file_is_refused_with_its_reason(tmp_path, text, message):
    folder = small_folder(tmp_path, **{"mapping.toml": text})
    with pytest.raises(DataError, match="mapping.toml") as error:
        evalkit.load(folder)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "name, message",
    [("台账.xlsx", "file named in mapping.toml not found"), ("台账.xls", "unsupported file type")],
)
def test_a_file_named_in_the_mapping_must_exist_and_be_xlsx_or_csv(tmp_path, name, message):
    folder = small_folder(tmp_path, **{"mapping.toml": f'[files]\nadoptions = "{name}"\n'})
    (folder / "台账.xls").write_text("编号,采用级别,采用时间\n")
    dataset = evalkit.load(folder)
    issue, unread = dataset.errors.sort_values("file", key=lambda f: f.str.len()).to_dict("records")
    assert (Path(issue["file"]).name, issue["table"]) == (name, "adoptions")
    assert message in issue["message"]
    # adoptions.csv is in the folder but not read: the mapping named another file
    assert (Path(unread["file"]).name, unread["table"]) == ("adoptions.csv", "adoptions")
    assert "not read, but its name suggests adoptions" in unread["message"]
    assert dataset.adoptions.empty


def test_check_mapping_resolves_targets_to_canonical_names():
    mapping = check_mapping(
        {"columns": {"adoptions": {"稿号": "编号"}}, "values": {"category": {"快讯": "常规"}}}
    )
    assert mapping["columns"] == {"adoptions": {"稿号": "submission_id"}}
    assert mapping["values"] == {"category": {"快讯": "ordinary"}}


def test_load_changes_no_file_and_writes_none(tmp_path):
    folder = small_folder(tmp_path)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    evalkit.load(folder)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert after == before


# ---------------------------------------------------------------- load_frames


def frames():
    return {
        "units": pd.DataFrame({"单位名称": ["甲镇", "乙局"], "组别": ["乡镇组", "部门组"]}),
        "submissions": pd.DataFrame(
            {
                "编号": [1, 2, 3],
                "报送单位": ["甲镇", "甲镇、乙局", "丙镇"],
                "标题": ["一", "二", "三"],
                "报送时间": [pd.Timestamp("2025-03-05 09:00"), "2025年3月6日", None],
            }
        ),
        "adoptions": pd.DataFrame(
            {"编号": [1.0, 2.0], "采用级别": ["市级", "省"], "采用时间": ["2025/3/9", 45726]}
        ),
    }


def test_load_frames_does_not_mutate_its_inputs():
    given_frames = frames()
    copies = {k: v.copy(deep=True) for k, v in given_frames.items()}
    evalkit.load_frames(**given_frames, mapping={"values": {"level": {"省": "province"}}})
    for name, frame in given_frames.items():
        pd.testing.assert_frame_equal(frame, copies[name])


def test_load_frames_numbers_rows_as_a_sheet_with_its_header_in_row_1():
    dataset = evalkit.load_frames(**frames())
    errors = dataset.errors[["file", "row", "column", "value"]].to_dict("records")
    assert errors == [
        {"file": "<submissions>", "row": 4, "column": "submitted_at (报送时间)", "value": ""},
        {"file": "<submissions>", "row": 4, "column": "units (报送单位)", "value": "丙镇"},
    ]
    # ids typed as numbers (1.0 in a float column) match ids typed as text
    assert dataset.adoptions["submission_id"].tolist() == ["1", "2"]
    assert dataset.adoptions["adopted_at"].tolist() == [T("2025-03-09"), T("2025-03-10")]


def test_load_frames_accepts_canonical_and_chinese_headers_alike():
    chinese = frames()
    english = {
        "units": chinese["units"].set_axis(["unit", "group"], axis=1),
        "submissions": chinese["submissions"].set_axis(
            ["submission_id", "units", "title", "submitted_at"], axis=1
        ),
        "adoptions": chinese["adoptions"].set_axis(
            ["submission_id", "level", "adopted_at"], axis=1
        ),
    }
    a, b = evalkit.load_frames(**chinese), evalkit.load_frames(**english)
    for name in ("units", "submissions", "submission_units", "adoptions", "rejected"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    pd.testing.assert_frame_equal(a.issues.drop(columns="file"), b.issues.drop(columns="file"))


def test_issues_are_ordered_by_table_then_errors_before_warnings():
    given_frames = frames()
    given_frames["submissions"].loc[0, "标题"] = None
    given_frames["units"] = pd.concat([given_frames["units"], given_frames["units"].iloc[[0]]])
    given_frames["adoptions"]["采用级别"] = ["乡级", "市级"]
    dataset = evalkit.load_frames(**given_frames)
    assert dataset.issues["table"].tolist() == ["units"] + ["submissions"] * 3 + ["adoptions"] * 2
    assert (dataset.issues["severity"] == "error").all()


def test_loaded_frames_have_the_documented_dtypes(tmp_path):
    dataset = evalkit.load(small_folder(tmp_path))
    subs, adoptions = dataset.submissions, dataset.adoptions
    assert str(subs["submitted_at"].dtype) == "datetime64[ns]"
    assert subs["category"].dtype == "category"
    assert adoptions["level"].cat.ordered
    assert adoptions["level"].max() == "national"
    assert subs["n_units"].dtype == "int64" and adoptions["adoption_id"].tolist() == [0, 1]


# ---------------------------------------------------------------- order does not matter

ROWS = [
    "A1,城关乡,张三,去年的稿件,常规,,2024-11-05",
    "A2,城关镇、东山镇,张三、李四,合报一,紧急,2025-03-05 08:00,2025-03-05 09:00",
    "A3,东山镇,李四,调研一,调研,,2025-03-06",
    "A4,西山镇,赵六,未知单位,常规,,2025-03-07",
    "A5,县教育局,王五,紧急无事发时间,紧急,,2025-03-07",
    "A6,县教委,王五,二,常规,,2025-03-09",
]
ADOPTIONS = ["A1,县级,2024-11-06", "A2,国办,2025-03-08", "A3,市级,2025-03-01", "A9,县级,2025-03-09"]


def _content(dataset):
    """What was loaded, in an order that does not depend on the input order."""

    def by(frame, *keys):
        return frame.sort_values(list(keys)).reset_index(drop=True)

    return {
        "submissions": by(dataset.submissions, "submission_id"),
        "units": by(dataset.submission_units, "submission_id", "position"),
        "informants": by(dataset.submission_informants, "submission_id", "informant"),
        "adoptions": by(dataset.adoptions.drop(columns="adoption_id"), "submission_id"),
        "issues": sorted(
            map(tuple, dataset.issues.drop(columns=["row", "file"]).astype(str).to_numpy())
        ),
        "rejected": sorted(dataset.rejected["reason"]),
    }


def _load_rows(subs, adoptions):
    header = "编号,报送单位,信息员,标题,信息类别,事发时间,报送时间\n"
    with tempfile.TemporaryDirectory() as root:
        folder = write(
            Path(root),
            **{
                "units.csv": UNITS,
                "submissions.csv": header + "\n".join(subs) + "\n",
                "adoptions.csv": "编号,采用级别,采用时间\n" + "\n".join(adoptions) + "\n",
            },
        )
        return _content(evalkit.load(folder))


@functools.cache
def _original():
    return _load_rows(ROWS, ADOPTIONS)


@settings(max_examples=15, deadline=None)
@given(
    st.permutations(range(len(ROWS))),
    st.permutations(range(len(ADOPTIONS))),
)
def test_shuffling_the_rows_of_a_file_changes_no_loaded_content(sub_order, adoption_order):
    expected = _original()
    got = _load_rows([ROWS[i] for i in sub_order], [ADOPTIONS[i] for i in adoption_order])
    assert len(expected["rejected"]) == 2  # the unknown unit and the unknown id
    for name in ("submissions", "units", "informants", "adoptions"):
        pd.testing.assert_frame_equal(got[name], expected[name])
    assert got["issues"] == expected["issues"]
    assert got["rejected"] == expected["rejected"]


def test_adoptions_with_no_submissions_loaded_are_rejected_not_a_crash():
    dataset = evalkit.load_frames(
        units=pd.DataFrame({"单位名称": ["甲"], "组别": ["乡镇组"]}),
        submissions=pd.DataFrame({"编号": [], "报送单位": [], "标题": [], "报送时间": []}),
        adoptions=pd.DataFrame({"编号": ["A"], "采用级别": ["县级"], "采用时间": ["2025-01-01"]}),
    )
    assert dataset.rejected[["table", "row"]].values.tolist() == [["adoptions", 2]]
