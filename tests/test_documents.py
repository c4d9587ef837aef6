"""The 通报 and the 表彰决定 as Word documents: GB/T 9704 layout, office details, figures read back."""

from __future__ import annotations

import datetime as dt
import re

import docx
import pandas as pd
import pytest
from _render import pdf_fonts, pdf_text, render_pages
from conftest import make_dataset
from docx.shared import Emu, Mm
from test_bulletin import ADOPTIONS, FAULTS, ITEMS, UNITS

from evalkit._paths import SAMPLE_DIR
from evalkit.cli import main
from evalkit.data.loading import load
from evalkit.metrics import compute_metrics
from evalkit.outputs._gongwen import Gongwen, Office, OfficeError, load_office, split_title
from evalkit.outputs.bulletin_doc import (
    RANKING_HEADER,
    bulletin_facts,
    bulletin_paragraphs,
    write_bulletin_docx,
)
from evalkit.outputs.decision import write_decision
from evalkit.outputs.pack import pack_tables
from evalkit.scoring.rules import load_rules
from evalkit.scoring.scorer import score

OFFICE = Office(
    name="示例县人民政府办公室",
    prefix="县政办",
    recipients="各乡镇人民政府、街道办事处，县直各部门",
    numbers={"bulletin": 12, "decision": 3},
    dates={"bulletin": dt.date(2025, 7, 3), "decision": dt.date(2026, 1, 20)},
)


@pytest.fixture(scope="module")
def sample():
    return load(SAMPLE_DIR)


@pytest.fixture(scope="module")
def rules():
    return load_rules("default")


@pytest.fixture(scope="module")
def bulletin(sample, rules, tmp_path_factory):
    path = write_bulletin_docx(
        sample, rules, "2025-06", tmp_path_factory.mktemp("b"), office=OFFICE
    )
    return path, docx.Document(str(path))


@pytest.fixture(scope="module")
def pack(sample, rules):
    return pack_tables(sample, rules, 2025)


@pytest.fixture(scope="module")
def decision(sample, rules, pack, tmp_path_factory):
    path = write_decision(sample, rules, 2025, pack, tmp_path_factory.mktemp("d"), office=OFFICE)
    return path, docx.Document(str(path))


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


# --------------------------------------------------------------------------- office.toml
def test_without_office_toml_every_detail_says_what_to_fill_in(tmp_path):
    office = load_office(tmp_path)
    assert office.heading == "〔请填写发文机关〕文件"
    assert office.number("bulletin", 2025) == "〔请填写机关代字〕〔2025〕〔请填写序号〕号"
    assert office.date("decision") == "〔请填写成文日期〕"


def test_office_toml_is_read(tmp_path):
    (tmp_path / "office.toml").write_text(
        'name = "示例县人民政府办公室"\nprefix = "县政办"\n'
        '[bulletin]\nnumber = 12\ndate = 2025-07-03\n[decision]\ndate = "2026-01-20"\n',
        encoding="utf-8",
    )
    office = load_office(tmp_path)
    assert office.heading == "示例县人民政府办公室文件"
    assert office.number("bulletin", 2024) == "县政办〔2025〕12号"  # the year is the date's
    assert office.date("bulletin") == "2025年7月3日"  # Arabic numerals
    assert office.date("decision") == "2026年1月20日"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('nmae = "x"\n', "nmae = 'x': unknown key"),
        ("name = 3\n", "name = 3: expected text"),
        ('[bulletin]\nnumber = "十二"\n', "bulletin.number = '十二': expected a whole number"),
        ("[bulletin]\nnumber = 0\n", "bulletin.number = 0: expected a whole number"),
        ('[decision]\ndate = "2026-13-01"\n', "decision.date = '2026-13-01': expected a date"),
        ("[decision]\nnumbr = 1\n", "decision.numbr = 1: unknown key"),
        ("name = \n", "not a TOML file"),
    ],
)
def test_a_bad_office_toml_names_the_key_and_the_value(tmp_path, text, message):
    (tmp_path / "office.toml").write_text(text, encoding="utf-8")
    with pytest.raises(OfficeError, match=re.escape(message)):
        load_office(tmp_path)


def test_the_cli_reports_a_bad_office_toml_with_exit_code_2(tmp_path, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    for path in SAMPLE_DIR.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "office.toml").write_text("[bulletin]\nnumber = -1\n", encoding="utf-8")
    code = main(["bulletin", str(folder), "--period", "2025-06", "--format", "docx",
                 "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 2
    assert "office.toml: bulletin.number = -1" in capsys.readouterr().err


# --------------------------------------------------------------------------- GB/T 9704 layout
def test_split_title_never_breaks_a_number_and_keeps_lines_within_the_type_area():
    for title in ["关于表彰2025年度全县政务信息工作先进单位和优秀信息员的决定",
                  "关于2025年第2季度全县政务信息工作情况的通报", "短标题"]:  # fmt: skip
        lines = split_title(title)
        assert "".join(lines) == title
        assert all(
            not (a[-1].isdigit() and b[0].isdigit()) for a, b in zip(lines, lines[1:], strict=False)
        )
        assert all(len(line) <= 20 for line in lines)


def test_page_type_area_and_fonts_follow_gb_t_9704(bulletin):
    _, document = bulletin
    section = document.sections[0]
    mm = pytest.approx  # lengths are stored in twips: equal to a fraction of a millimetre
    assert (section.page_width.mm, section.page_height.mm) == mm((210, 297), abs=0.05)
    assert (section.top_margin.mm, section.left_margin.mm) == mm((37, 28), abs=0.05)
    type_width = section.page_width - section.left_margin - section.right_margin
    type_height = section.page_height - section.top_margin - section.bottom_margin
    assert (Emu(type_width).mm, Emu(type_height).mm) == mm((156, 225), abs=0.1)
    styles = document.styles
    body = styles["公文正文"]
    assert body.font.size.pt == 16  # 3号
    assert body.element.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia")) == "仿宋_GB2312"
    normal = styles["Normal"].element.rPr.rFonts
    assert normal.get(docx.oxml.ns.qn("w:eastAsia")) == "仿宋_GB2312"
    # 22 lines in the type area: the exact line pitch times 22 fills the 225 mm.
    pitch = styles["Normal"].paragraph_format.line_spacing
    assert 22 * pitch <= Mm(225) < 23 * pitch
    fonts = {
        name: styles[name].element.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia"))
        for name in ("公文标题", "一级标题", "二级标题", "公文页码")
    }
    assert fonts == {"公文标题": "方正小标宋简体", "一级标题": "黑体", "二级标题": "楷体_GB2312",
                     "公文页码": "宋体"}  # fmt: skip
    assert styles["公文标题"].font.size.pt == 22  # 2号
    assert styles["公文页码"].font.size.pt == 14  # 4号


def test_header_mark_number_separator_and_page_numbers(bulletin):
    _, document = bulletin
    paragraphs = document.paragraphs
    mark = paragraphs[0]
    assert mark.text == "示例县人民政府办公室文件"
    assert str(mark.runs[0].font.color.rgb) == "E60012"  # red
    number = next(p for p in paragraphs if p.text == "县政办〔2025〕12号")
    border = number._p.pPr.find(docx.oxml.ns.qn("w:pBdr")).find(docx.oxml.ns.qn("w:bottom"))
    assert border.get(docx.oxml.ns.qn("w:color")) == "E60012"  # the red separator line
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for footer, align in ((odd, "RIGHT"), (even, "LEFT")):
        assert footer.alignment.name == align
        assert 'w:instr="PAGE"' in footer._p.xml
        assert footer.text.startswith("— ") and footer.text.endswith(" —")


def test_signature_and_date_close_the_body(bulletin):
    _, document = bulletin
    texts = _texts(document)
    i = texts.index("2025年7月3日")
    assert texts[i - 1] == "示例县人民政府办公室"
    assert texts[i - 4].startswith("2. ")  # the second attachment note, two blank lines above
    assert any(t.startswith("附件：1. 2025年6月各单位信息报送采用及得分情况") for t in texts)


# --------------------------------------------------------------------------- the figures
def test_the_narrative_of_a_tiny_county_is_counted_by_hand():
    from conftest import make_rules

    county = make_dataset(units=UNITS, items=ITEMS, adoptions=ADOPTIONS, faults=FAULTS)
    rules = make_rules(
        adoption={"points": {"county": 1, "city": 10}},
        deadlines={"commissioned": {"due_at": True}},
        faults={"points": {"false": 3, "commission_missed": 5}, "veto": ["false"]},
    )
    body = [text for kind, text in bulletin_paragraphs(bulletin_facts(county, rules, "2025-06"))]
    # June: S3, S4 (joint, once), S8, S5, S9 submitted; S2 adopted by county and city, S3 by county.
    assert body[0] == ("2025年6月，全县3个单位共报送信息5条，被各级采用2条，采用率40.0%。"
                       "其中被县级2条、市级1条、省级0条、国家级0条。")  # fmt: skip
    # May: S1, S2 submitted; S1 adopted by the city.
    assert body[2] == (
        "分组看，乡镇组报送2条、被采用2条；部门组报送3条、被采用0条。分级看，县级采用率40.0%，"
        "市级采用率20.0%，省级采用率0.0%。与上期（2025年5月，报送2条、采用1条、采用率50.0%）相比，"
        "报送量增加3条，总采用率下降10.0个百分点，其中县级提高40.0个百分点，市级下降30.0个百分点，"
        "省级持平。"
    )
    assert "乙镇（市级1条）报送的信息被上级采用" in body[4]
    problems = next(text for text in body if text.startswith("本期存在以下问题"))
    assert problems == ("本期存在以下问题：甲镇失实1次；丙局约稿未完成1次；丙局约稿逾期1篇，"
                        "予以通报批评。按照考核办法，甲镇年度评先实行一票否决。")  # fmt: skip


def test_the_totals_paragraph_equals_compute_metrics(bulletin, sample, rules):
    _, document = bulletin
    opening = next(t for t in _texts(document) if t.startswith("2025年6月，全县"))
    numbers = [int(n) for n in re.findall(r"(\d+)条", opening)]
    whole = sample.units.assign(group="全县")
    import dataclasses

    row = compute_metrics(dataclasses.replace(sample, units=whole), period="2025-06", by="group",
                          deadlines=rules).iloc[0]  # fmt: skip
    expected = [row["submitted"], row["adopted"], row["adopted_county"], row["adopted_city"],
                row["adopted_province"], row["adopted_national"]]  # fmt: skip
    assert numbers == expected
    assert f"采用率{100 * row['adopted'] / row['submitted']:.1f}%" in opening
    in_june = sample.submissions["submitted_at"].between(
        "2025-06-01", "2025-07-01", inclusive="left"
    )
    assert numbers[0] == in_june.sum()


def test_the_ranking_attachment_rows_equal_score(bulletin, sample, rules):
    _, document = bulletin
    ytd = score(sample, rules, period=("ytd", "2025-06"))
    tables = [_table_rows(t) for t in document.tables[:-1]]
    assert [rows[0] for rows in tables] == [RANKING_HEADER] * ytd["group"].nunique()
    shown = pd.DataFrame([row for rows in tables for row in rows[1:]], columns=RANKING_HEADER)
    shown["单位"] = shown["单位"].str.replace("（一票否决）", "")
    expected = ytd.sort_values(["group", "rank", "unit"])
    assert shown["单位"].tolist() == ytd["unit"].tolist()
    assert shown["名次"].astype(int).tolist() == ytd["rank"].tolist()
    assert shown["累计得分"].astype(float).tolist() == pytest.approx(ytd["score"].round(2).tolist())
    assert len(shown) == len(expected) == len(sample.units)


def test_the_adopted_items_attachment_lists_the_months_upper_level_adoptions(bulletin, sample):
    _, document = bulletin
    rows = _table_rows(document.tables[-1])[1:]
    made = sample.adoptions
    upper = made[made["adopted_at"].between("2025-06-01", "2025-07-01", inclusive="left")
                 & (made["level"] >= "city")]  # fmt: skip
    assert len(rows) == len(upper)
    assert sorted(r[1] for r in rows) == sorted(upper["level"].map(
        {"city": "市级", "province": "省级", "national": "国家级"}))  # fmt: skip


def test_the_same_bulletin_gives_the_same_bytes(sample, rules, tmp_path):
    a = write_bulletin_docx(sample, rules, "2025Q2", tmp_path / "a", office=OFFICE)
    b = write_bulletin_docx(sample, rules, "2025Q2", tmp_path / "b", office=OFFICE)
    assert a.read_bytes() == b.read_bytes()


def test_the_decision_lists_exactly_the_awards(decision, pack):
    _, document = decision
    texts = _texts(document)
    start = texts.index("一、先进单位（17个）")
    listed = "\n".join(texts[start:])
    awards = pack["awards"]
    units = awards[awards["kind"] == "unit"]
    people = awards[awards["kind"] == "informant"]
    assert len(units) == 17 and len(people) == 20
    for row in units.itertuples():
        assert listed.count(row.unit) >= 1
    named = re.findall(r"([^、（）\n]+)（([^（）]+)）", texts[-1])
    assert named == list(zip(people["informant"], people["unit"], strict=True))
    tiers = {t.split("：")[0]: t.split("：")[1].split("、") for t in texts[start:] if "：" in t}
    assert tiers["一等奖（一类）"] == ["县公安局", "县自然资源和规划局", "县财政局"]


def test_the_decision_preamble_equals_the_years_counts(decision, sample, rules):
    _, document = decision
    preamble = next(t for t in _texts(document) if t.startswith("2025年，全县"))
    import dataclasses

    row = compute_metrics(dataclasses.replace(sample, units=sample.units.assign(group="全县")),
                          year=2025, by="group", deadlines=rules).iloc[0]  # fmt: skip
    assert f"全年共报送信息{row['submitted']}条，被各级采用{row['adopted']}条" in preamble
    assert f"国家级采用{row['adopted_national']}条" in preamble
    instructed = sample.adoptions[sample.adoptions["adopted_at"].dt.year.eq(2025)
                                  & sample.adoptions["instruction_level"].notna()]  # fmt: skip
    assert f"领导批示{len(instructed)}次" in preamble
    assert "县政办〔2026〕3号" in _texts(document)


def test_the_cli_writes_the_bulletin_as_docx(tmp_path):
    code = main(["bulletin", str(SAMPLE_DIR), "--period", "2025Q2", "--format", "docx",
                 "--out", str(tmp_path)])  # fmt: skip
    assert code == 0
    document = docx.Document(str(tmp_path / "bulletin_2025Q2.docx"))
    assert "〔请填写发文机关〕文件" in _texts(document)[0]  # the sample has no office.toml


def test_gongwen_writes_a_minimal_document(tmp_path):
    doc = Gongwen(OFFICE, title="测试")
    doc.add_header("县政办〔2025〕1号")
    doc.add_title("关于测试的通知")
    doc.add_paragraph("正文。")
    path = doc.save(tmp_path / "x.docx")
    assert [p.text for p in docx.Document(str(path)).paragraphs if p.text][-1] == "正文。"


# --------------------------------------------------------------------------- rendered
def test_the_documents_render_through_libreoffice_with_their_chinese_text(bulletin, decision,
                                                                         tmp_path):  # fmt: skip
    pages = render_pages([bulletin[0], decision[0]], tmp_path)
    assert len(pages[bulletin[0]]) >= 4 and len(pages[decision[0]]) >= 3
    text = pdf_text(tmp_path / f"{bulletin[0].stem}.pdf")
    compact = re.sub(r"\s+", "", text)
    assert "示例县人民政府办公室文件" in compact and "县政办〔2025〕12号" in compact
    assert "—1—" in compact and "—2—" in compact  # page numbers drawn
    fonts = pdf_fonts(tmp_path / f"{decision[0].stem}.pdf")
    cjk = r"CJK|Noto ?Sans ?SC|Song|Hei|Kai|Fang|Ming|WenQuanYi"
    assert re.search(cjk, fonts, flags=re.I), fonts


@pytest.mark.parametrize("period", ["2024-01", "2025-06", "2025Q3", "2024", "2025"])
def test_the_narratives_totals_equal_compute_metrics_over_all_units(sample, period):
    import dataclasses

    from evalkit.metrics import resolve_period
    from evalkit.outputs.bulletin_doc import _totals

    whole = dataclasses.replace(sample, units=sample.units.assign(group="全县"))
    row = compute_metrics(whole, period=period, by="group").iloc[0]
    totals = _totals(sample, resolve_period(period))
    assert totals == {key: int(row[key]) for key in totals}


@pytest.mark.parametrize(("period", "name"), [("2025H1", "bulletin_2025H1.docx"),
                                              ("2025Q3", "bulletin_2025Q3.docx"),
                                              ("2025-06", "bulletin_2025-06.docx")])  # fmt: skip
def test_the_docx_bulletin_is_named_by_its_period(sample, period, name, tmp_path):
    from evalkit.outputs.bulletin_doc import write_bulletin_docx

    assert write_bulletin_docx(sample, "default", period, tmp_path).name == name
