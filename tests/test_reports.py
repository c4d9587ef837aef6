"""The year-end pack, the workbook writer and the command line around them."""

import re
import shutil

import openpyxl
import pandas as pd
import pytest

import evalkit
from evalkit._paths import SAMPLE_DIR
from evalkit.cli import main
from evalkit.outputs._excel import Sheet, display_width, write_workbook
from evalkit.outputs.pack import write_pack


@pytest.fixture(scope="module")
def sample():
    return evalkit.load(SAMPLE_DIR)


@pytest.fixture(scope="module")
def pack(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("pack")
    return out, write_pack(sample, "default", 2025, out, progress=None)


def test_the_pack_has_the_workbook_csv_rules_every_chart_and_an_index(pack):
    out, files = pack
    names = {p.name for p in files}
    assert {"ranking_2025.xlsx", "units_2025.csv", "informants_2025.csv", "awards_2025.csv",
            "ledger_2025.csv", "rules_2025.toml", "README.md"} <= names  # fmt: skip
    charts = {n for n in names if n.startswith("chart_") and n.endswith(".png")}
    # two groups x (ranking, composition) + funnel, monthly, funnel plot, timeliness, heatmap,
    # informants, late or missed, improvement on last year
    assert len(charts) == 12
    assert not any(n.endswith(".svg") for n in names)  # vector versions only with svg=True
    from PIL import Image

    with Image.open(out / "chart_late.png") as image:
        assert image.size == (1999, 1125)  # 150 dpi: sharp on a 1080p projector
    index = (out / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\]\(([^)]+)\)", index))
    assert listed == {n for n in names if not n.endswith(".svg") and n != "README.md"}


def test_the_workbook_has_a_sheet_per_group_and_the_audit_sheets(pack):
    out, _ = pack
    book = openpyxl.load_workbook(out / "ranking_2025.xlsx")
    assert book.sheetnames == ["乡镇组排名", "部门组排名", "信息员排名", "表彰名单", "时效统计", "迟报明细",
                               "问题与否决", "评分规则", "数据检查", "上级采用信息", "采用信息明细",
                               "得分明细"]  # fmt: skip
    sheet = book["乡镇组排名"]
    assert sheet["A1"].value == "2025年度政务信息工作考核 · 乡镇组排名"
    assert "某县" in sheet["A2"].value
    assert [c.value for c in sheet[3]][:3] == ["名次", "单位", "得分"]  # no classes in townships
    assert sheet.freeze_panes == "A4"
    assert (
        sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    )  # A4
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.max_row - 3 >= 15  # 15 townships (and a note line)


def _print_pages(sheet) -> int:
    """Pages a sheet prints on, as its set-up says: fit to one page wide, rows as they fall.

    A page of A4 holds about 30 rows of the default height landscape, 45 upright, after
    the repeated title rows; a sheet with a print area prints that area.
    """
    setup = sheet.page_setup
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1
    if sheet.print_area:
        return 1
    rows_per_page = 30 if setup.orientation == "landscape" else 45
    return -(-sheet.max_row // rows_per_page)


def test_the_workbook_prints_as_it_is_in_under_20_pages_each_sheet_numbering_its_own(pack):
    out, _ = pack
    book = openpyxl.load_workbook(out / "ranking_2025.xlsx")
    pages = {sheet.title: _print_pages(sheet) for sheet in book if sheet.title != "评分规则"}
    assert sum(pages.values()) < 20, pages
    # the point ledger and the list of all adoptions stay in the workbook, out of the print
    assert book["得分明细"].max_row > 5000 and book["采用信息明细"].max_row > 1000
    for name in ("得分明细", "采用信息明细"):
        assert book[name].print_area.endswith("$2"), book[name].print_area
    for sheet in book:
        assert sheet.page_setup.firstPageNumber == 1 and sheet.page_setup.useFirstPageNumber
        assert sheet.oddFooter.center.text == "第 &P 页" and sheet.oddFooter.left.text == "&A"
    # narrow tables print upright
    assert book["表彰名单"].page_setup.orientation == "portrait"


def _cells(sheet):
    return [c for row in sheet.iter_rows() for c in row if c.value is not None]


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def test_the_chinese_workbook_has_no_english_headers_or_rule_keys(pack):
    out, _ = pack
    book = openpyxl.load_workbook(out / "ranking_2025.xlsx")
    for sheet in book:
        if sheet.title == "评分规则":  # the rules' own text (another piece of work)
            continue
        header = 3 if sheet["A2"].value and str(sheet["A2"].value).startswith("评分规则") else 2
        for cell in sheet[header]:
            assert CJK.search(str(cell.value)), (sheet.title, cell.value)
        for cell in _cells(sheet):
            text = str(cell.value)
            assert not re.fullmatch(r"[a-z_]+(\[\d+\])?(\.[\w\[\]]+)+", text), (sheet.title, text)
            assert text not in {"nan", "NaN", "<NA>", "None", "True", "False"}, (sheet.title, text)
    ledger = book["得分明细"]
    rules = {c.value for c in ledger["C"][3:]}
    assert "报送任务1：未完成扣分" in rules and "县级采用" in rules
    assert not any(str(v).startswith("fault:") for v in (c.value for c in ledger["B"][3:]))


def test_the_english_workbook_has_no_chinese_in_headers_titles_footers_or_labels(sample, tmp_path):
    write_pack(sample, "default", 2025, tmp_path, lang="en", charts=False, progress=None)
    book = openpyxl.load_workbook(tmp_path / "ranking_2025.xlsx")
    data_columns = {"Unit", "Units", "Informant", "Title", "Outlet", "File", "Detail", "Message",
                    "Instructed by", "Rule", "Value", "Note", "Class", "Group"}  # fmt: skip
    for sheet in book:
        assert not CJK.search(sheet.title) and not CJK.search(sheet.oddFooter.center.text or "")
        if sheet.title == "Rules":
            continue
        assert not CJK.search(sheet["A1"].value), sheet["A1"].value
        header = 3
        names = [c.value for c in sheet[header]]
        for j, name in enumerate(names, start=1):
            assert not CJK.search(str(name)), (sheet.title, name)
            if name in data_columns:  # names and titles from the records stay as they are
                continue
            for row in sheet.iter_rows(min_row=header + 1, min_col=j, max_col=j, values_only=True):
                if row[0] is not None:
                    assert not CJK.search(str(row[0])), (sheet.title, name, row[0])


def test_every_column_has_one_number_format_and_empty_cells_are_empty(pack):
    out, _ = pack
    book = openpyxl.load_workbook(out / "ranking_2025.xlsx")
    sheet = book["部门组排名"]
    names = [c.value for c in sheet[3]]
    for j, name in enumerate(names, start=1):
        cells = [row[0] for row in sheet.iter_rows(min_row=4, max_row=43, min_col=j, max_col=j)]
        assert len({c.number_format for c in cells}) == 1, name
        assert all(c.border.left.style == "thin" for c in cells), name
    score = names.index("得分") + 1
    assert sheet.cell(row=4, column=score).number_format == "0.0"
    lateness = names.index("迟报扣分") + 1
    values = [sheet.cell(row=r, column=lateness).value for r in range(4, 44)]
    assert sheet.cell(row=4, column=lateness).number_format == "0.00"  # -6.25 sets it
    assert 0 not in values and None in values  # no penalty: an empty cell, not 0.0


def test_the_data_checks_sheet_is_a_table_of_files(pack):
    out, _ = pack
    sheet = openpyxl.load_workbook(out / "ranking_2025.xlsx")["数据检查"]
    assert [c.value for c in sheet[3]] == [
        "数据表",
        "文件",
        "读取行数",
        "载入行数",
        "拒收行数",
        "空行数",
    ]
    assert [sheet.cell(row=r, column=1).value for r in range(4, 8)] == [
        "单位",
        "报送",
        "采用",
        "问题",
    ]
    assert sheet.cell(row=5, column=3).value == 7114


def test_a_title_wider_than_its_table_widens_the_columns(tmp_path):
    frame = pd.DataFrame({"组别": ["乡镇组"], "名次": [1]})
    title = "2025年度政务信息工作考核 · 表彰名单"
    path = write_workbook(tmp_path / "t.xlsx", [Sheet("表", frame, title)])
    sheet = openpyxl.load_workbook(path)["表"]
    width = sum(sheet.column_dimensions[c].width for c in "AB")
    assert width >= display_width(title) * 1.3  # 14 pt bold over 11 pt columns
    assert [r.coord for r in sheet.merged_cells.ranges] == ["A1:B1"]


def test_workbook_scores_agree_with_the_csv(pack):
    out, _ = pack
    csv = pd.read_csv(out / "units_2025.csv", encoding="utf-8-sig")
    sheet = pd.read_excel(
        out / "ranking_2025.xlsx", sheet_name="部门组排名", header=2, engine="openpyxl"
    ).dropna(subset=["单位"])
    sheet = sheet[sheet["单位"].isin(csv["unit"])]
    merged = sheet.merge(csv, left_on="单位", right_on="unit")
    assert len(merged) == 40
    assert (merged["得分"] == merged["score"]).all() and (merged["名次"] == merged["rank"]).all()


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    frame = pd.DataFrame({"标题": ["=1+1", '=HYPERLINK("http://x")', "正常标题"], "数": [1, 2, 3]})
    path = write_workbook(tmp_path / "t.xlsx", [Sheet("表", frame, "标题行")])
    cells = openpyxl.load_workbook(path)["表"]
    assert [cells.cell(row=r, column=1).data_type for r in (3, 4, 5)] == ["s", "s", "s"]
    assert cells["A3"].value == "=1+1"


def test_a_failed_write_leaves_the_old_workbook_in_place(tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "t.xlsx", [Sheet("表", pd.DataFrame({"a": [1]}), "旧")])
    before = path.read_bytes()

    def broken(self, target):
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken)
    with pytest.raises(OSError):
        write_workbook(path, [Sheet("表", pd.DataFrame({"a": [2]}), "新")])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_the_same_content_gives_the_same_workbook_bytes(tmp_path):
    frame = pd.DataFrame({"单位": ["城关镇"], "得分": [1.5]})
    a = write_workbook(tmp_path / "a.xlsx", [Sheet("表", frame, "题")]).read_bytes()
    b = write_workbook(tmp_path / "b.xlsx", [Sheet("表", frame, "题")]).read_bytes()
    assert a == b


def test_chinese_characters_count_double_width():
    assert display_width("城关镇") == 6 and display_width("ab1") == 3


def test_cli_score_compare_and_english_labels(tmp_path):
    assert main(["score", str(SAMPLE_DIR), "--year", "2025", "--out", str(tmp_path), "--format", "xlsx",
                 "--lang", "en"]) == 0  # fmt: skip
    header = [c.value for c in openpyxl.load_workbook(tmp_path / "scores_2025.xlsx")["Units"][2]]
    assert header[:4] == ["Unit", "Group", "Class", "Score"]
    assert main(["compare", str(SAMPLE_DIR), "--year", "2025", "--against", "provincial-highest",
                 "--out", str(tmp_path)]) == 0  # fmt: skip
    table = pd.read_csv(tmp_path / "compare_2025.csv", encoding="utf-8-sig")
    assert len(table) == 55 and (table["rank_change"] == table["rank_a"] - table["rank_b"]).all()
    assert (tmp_path / "compare_2025_bump_01.png").exists()


def test_cli_refuses_to_rank_data_with_errors_and_names_the_way_out(tmp_path, capsys):
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, folder)
    faults = (folder / "faults.csv").read_bytes().decode("gbk").replace("迟报", "迟到", 1)
    (folder / "faults.csv").write_bytes(faults.encode("gbk"))
    assert main(["report", str(folder), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "1 errors" in err and "evalkit check" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_cli_bad_rules_file_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'schema_version = 1\nname = "x"\n[adoption.points]\nprovince = "ten"\n', encoding="utf-8"
    )
    assert main(["score", str(SAMPLE_DIR), "--rules", str(bad), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "adoption.points.province" in err and "ten" in err


def test_the_rules_sheet_reads_as_numbered_clauses(pack):
    out, _ = pack
    sheet = pd.read_excel(
        out / "ranking_2025.xlsx", sheet_name="评分规则", header=1, engine="openpyxl"
    )
    assert list(sheet.columns) == ["序号", "条款"]
    clauses = sheet["条款"].tolist()
    assert "信息采用" in clauses
    assert any("省级采用每条计40分" in c for c in clauses)
    assert not any("adoption" in str(c) for c in clauses)


def test_rows_of_text_that_wraps_are_given_the_lines_it_needs(tmp_path):
    long = "各单位要按照本办法报送信息" * 8  # 208 display columns: 4 lines in a 60-wide column
    frame = pd.DataFrame({"序号": [1, 2], "条款": [long, "短"]})
    path = write_workbook(tmp_path / "t.xlsx", [Sheet("表", frame, "题")])
    sheet = openpyxl.load_workbook(path)["表"]
    assert sheet.column_dimensions["B"].width == 60
    assert sheet.row_dimensions[3].height == 15 * 4 + 2
    assert sheet.row_dimensions[4].height is None  # one line: the default height


def test_cli_report_for_a_half_year_is_that_periods_pack(tmp_path, capsys):
    out = tmp_path / "h1"
    assert main(["report", str(SAMPLE_DIR), "--period", "2025H1", "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"ranking_2025H1.xlsx", "units_2025H1.csv", "ledger_2025H1.csv", "rules_2025H1.toml",
            "README.md"} <= names  # fmt: skip
    # the 表彰决定 and the meeting's deck are year-end documents
    assert not any(n.startswith(("decision_", "deck_")) for n in names)
    assert any(n.endswith(".png") for n in names)
    # the pack's scores are the half year's, as `evalkit score --period` gives them
    assert main(["score", str(SAMPLE_DIR), "--period", "2025H1", "--out", str(tmp_path / "s")]) == 0
    h1 = pd.read_csv(out / "units_2025H1.csv")
    scored = pd.read_csv(tmp_path / "s" / "units_2025H1.csv")
    pd.testing.assert_frame_equal(h1[scored.columns], scored)  # the pack adds the awards
    year = evalkit.score(evalkit.load(SAMPLE_DIR), "default", year=2025)
    assert h1["n_items"].sum() < year["n_items"].sum()  # fewer items than the whole year
    assert (
        (out / "README.md")
        .read_text(encoding="utf-8")
        .startswith("# 2025年上半年政务信息工作考核材料")
    )
    title = openpyxl.load_workbook(out / "ranking_2025H1.xlsx").worksheets[0]["A1"].value
    assert title.startswith("2025年上半年政务信息工作考核 · ")
    # a whole year by --period is the year's pack
    assert main(["report", str(SAMPLE_DIR), "--period", "2025", "--out", str(tmp_path / "y")]) == 0
    assert (tmp_path / "y" / "decision_2025.docx").exists()
    # --year and --period together are refused
    assert main(["report", str(SAMPLE_DIR), "--year", "2025", "--period", "2025H1"]) == 2
    assert "--year or --period" in capsys.readouterr().err


def test_cleaned_text_holds_no_character_openpyxl_refuses():
    """The workbook writer relies on clean_text removing every character openpyxl's cells
    refuse (it no longer runs openpyxl's own pattern over each column as well)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from evalkit.outputs._excel import CONTROL_CHARACTERS

    refused = [chr(i) for i in range(0x110000) if ILLEGAL_CHARACTERS_RE.match(chr(i))]
    assert refused and all(CONTROL_CHARACTERS.match(ch) for ch in refused)


def test_display_widths_agree_with_display_width():
    from evalkit.outputs._excel import display_widths

    texts = ["", "abc", "城关镇", "𠀀x", "ｆｕｌｌ", "a\u3000b", "😀", "第 &P 页"]
    assert list(display_widths(texts)) == [display_width(t) for t in texts] == [
        0, 3, 6, 3, 8, 4, 2, 8,
    ]  # fmt: skip


def test_units_ranked_by_class_get_one_ranking_chart_per_class():
    from evalkit.outputs._pack_charts import ranking_pools

    # 部门组 ranks within 一类 and 二类 (each has its own first place); 乡镇组 has no class
    scores = pd.DataFrame(
        {
            "unit": ["甲镇", "乙镇", "财政局", "档案馆", "公安局"],
            "group": pd.Categorical(["乡镇组", "乡镇组", "部门组", "部门组", "部门组"]),
            "class": [None, None, "二类", "二类", "一类"],
            "rank": [1, 2, 1, 2, 1],
        }
    )
    awards = pd.DataFrame(
        {"kind": "unit", "unit": ["甲镇", "财政局", "公安局"], "group": ["乡镇组", "部门组", "部门组"],
         "award": "一等奖"}
    )  # fmt: skip
    pools = list(ranking_pools({"scores": scores, "awards": awards}, "class", "zh"))
    # classes in their own order (一类 before 二类), each pool's frames hold its units only
    assert [p[0] for p in pools] == ["乡镇组", "部门组一类", "部门组二类"]
    assert pools[2][1]["unit"].tolist() == ["财政局", "档案馆"]
    assert (pools[2][1]["group"] == "部门组二类").all()
    assert pools[2][2]["unit"].tolist() == ["财政局"] and pools[2][3] == "部门组二类"
    # a group with no class is charted as before: the whole table, selected by group
    assert pools[0][1] is scores and pools[0][3] == "乡镇组"
    # ranked by group: one chart per group, whatever the classes
    assert [p[0] for p in ranking_pools({"scores": scores, "awards": awards}, "group", "zh")] == [
        "乡镇组",
        "部门组",
    ]
    english = [p[0] for p in ranking_pools({"scores": scores, "awards": awards}, "class", "en")]
    assert english[1:] == ["Departments Class 1", "Departments Class 2"]
