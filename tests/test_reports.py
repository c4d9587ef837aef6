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
    # two groups x (ranking, composition) + funnel, monthly, funnel plot, timeliness, heatmap, informants
    assert len(charts) == 10
    assert {n.replace(".png", ".svg") for n in charts} <= names
    index = (out / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\]\(([^)]+)\)", index))
    assert listed == {n for n in names if not n.endswith(".svg") and n != "README.md"}


def test_the_workbook_has_a_sheet_per_group_and_the_audit_sheets(pack):
    out, _ = pack
    book = openpyxl.load_workbook(out / "ranking_2025.xlsx")
    assert book.sheetnames == ["乡镇组排名", "部门组排名", "信息员排名", "表彰名单", "上级采用信息", "时效统计",
                               "迟报明细", "问题与否决", "得分明细", "评分规则", "数据检查"]  # fmt: skip
    sheet = book["乡镇组排名"]
    assert "2025年度" in sheet["A1"].value and "某县" in sheet["A1"].value
    assert [c.value for c in sheet[2]][:4] == ["名次", "单位", "类别", "得分"]
    assert sheet.freeze_panes == "A3"
    assert (
        sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    )  # A4
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.max_row - 2 >= 15  # 15 townships (and a note line)


def test_workbook_scores_agree_with_the_csv(pack):
    out, _ = pack
    csv = pd.read_csv(out / "units_2025.csv", encoding="utf-8-sig")
    sheet = pd.read_excel(out / "ranking_2025.xlsx", sheet_name="部门组排名", header=1).dropna(
        subset=["单位"]
    )
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
    sheet = pd.read_excel(out / "ranking_2025.xlsx", sheet_name="评分规则", header=1)
    assert list(sheet.columns) == ["序号", "条款"]
    clauses = sheet["条款"].tolist()
    assert "信息采用" in clauses
    assert any("省级采用每条计40分" in c for c in clauses)
    assert not any("adoption" in str(c) for c in clauses)
