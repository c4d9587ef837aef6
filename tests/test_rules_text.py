"""Rules as readable text: every key of every shipped rules file reaches the 考核细则."""

from __future__ import annotations

import re
import tomllib
import unicodedata

import pytest

from evalkit._paths import RULES_DIR
from evalkit.cli import main
from evalkit.data._schema import ENUMS
from evalkit.outputs import rules_text as rt
from evalkit.outputs._rules_words import figure
from evalkit.scoring.rules import available_rules, load_rules

SHIPPED = available_rules()


def _raw_leaves(value, path=""):
    """Key paths of a rules file as written (arrays of tables as ``quota[0]``)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _raw_leaves(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            yield from _raw_leaves(v, f"{path}[{i}]")
    else:
        yield path, value


def _canonical(path: str) -> str:
    """Chinese spellings of levels, categories ... in a key path, as the rules normalise them."""
    spellings = {s: v for enum in ENUMS.values() for s, v in enum.spellings.items()}
    parts = (unicodedata.normalize("NFKC", part) for part in path.split("."))  # outlet names
    return ".".join(spellings.get(part, part) for part in parts)


def _file(name):
    return tomllib.loads((RULES_DIR / f"{name}.toml").read_text(encoding="utf-8"))


def _body(text: str) -> str:
    """The text without its closing line (the fingerprint is hexadecimal)."""
    return text.rstrip("\n").rsplit("\n", 1)[0]


def test_the_default_text_says_what_the_file_says():
    text = rt.rules_text("default")
    assert text.startswith("《某县2025年度政务信息工作考核办法》\n")
    for clause in [
        "一、信息报送",
        "1.每报送1条信息计0.5分（合报信息按报送单位数分摊），全年报送得分最高30分。",
        "县级采用每条计4分、市级采用每条计15分、省级采用每条计40分、国家级采用每条计80分",
        "按刊物计分：县级《专报》采用每条计8分，本级其他刊物按县级采用计分；"
        "市级《市政府专报》采用每条计25分，本级其他刊物按市级采用计分；"
        "省级《决策参考》采用每条计60分，本级其他刊物按省级采用计分。",
        "综合采用按单篇分值的0.5倍计分；简讯采用按单篇分值的0.3倍计分。",
        "调研信息按上述分值的2倍计分。",
        "同一条信息被多级或多个刊物采用的，累加计分。",
        "多个单位合报的信息，分值由各报送单位平均分配。",
        "县级领导批示的每条加5分、市级领导批示的每条加10分、省级领导批示的每条加30分、国家级领导批示的每条加50分",
        "乡镇组：每月报送信息不少于6条，完成的每月计基础分2分，未完成的每月扣2分。",
        "部门组：按下达的年度任务数报送，未下达任务数的每年报送信息不少于20条，完成的每年计基础分20分，未完成的每年扣10分。",
        "紧急信息应在事发后2小时内报送；约稿信息应在约定的截止时间前报送",
        "迟报的信息扣减该条信息所得分值的50%，每条另扣1分。",
        "迟报每次扣2分、漏报每次扣10分、瞒报每次扣20分、失实每次扣30分、约稿未完成每次扣5分",
        "出现瞒报、失实情形之一的，实行一票否决",
        "得分保留1位小数（四舍五入）",
        "部门组：一等奖3名、二等奖4名、三等奖5名",
        "全体信息员统一评选：优秀信息员20名（全年报送信息不少于10条",
    ]:
        assert clause in text, clause
    assert "其他规定" not in text
    # sections are numbered 一、二、... in order, clauses 1. 2. ... within each
    headings = re.findall(r"^([一二三四五六七八九十]+)、", text, flags=re.M)
    assert headings == list("一二三四五六七八九")


def test_the_class_composite_text_says_what_the_file_says():
    # rules/county-class-composite.toml: the clauses of issue 8 no published document gave
    text = rt.rules_text("county-class-composite")
    for clause in [
        "紧急信息按时报送的每条加2分。",
        "迟报的紧急信息每条扣2分、约稿信息每条扣3分。",  # 另扣 only after a share is taken
        "市级领导批示的，该条信息的采用得分按2倍计；省级领导批示的，该条信息的采用得分按2倍计；"
        "国家级领导批示的，该条信息的采用得分按3倍计。",
        "经本办转报被省级采用的，采用得分按2倍计；经本办转报被国家级采用的，采用得分按5倍计。",
        "乡镇组：每周报送信息不少于2条，完成的每周计基础分1分，每超1条加1分。",
        "部门组一类：每月报送信息不少于6条，完成的每月计基础分2分，每少1条扣2分。",
        "部门组三类：每月报送信息不少于2条，完成的每月计基础分2分，每少1条扣2分。",
        "一年内约稿未完成达到2次的，当期得分计零。",
        "报送：由信息报送、报送任务得分组成，最高60分，按0.3倍计入总分。",
        "时效：由迟报扣分、问题扣分得分组成，基础分10分，扣完为止。",
        "按各排名组内未被一票否决单位的最高分计100分、其余按比例折算",
        "各单位在所在组别的同一类别内按得分从高到低排名",
        "部门组一类：一等奖1名、二等奖2名（",  # the class named once
        "部门组三类：一等奖1名、二等奖1名（",
    ]:
        assert clause in text, clause
    assert "一类一类" not in text and "三类三类" not in text
    english = rt.rules_text("county-class-composite", lang="en")
    assert "Departments Class 1: First prize: 1, Second prize: 2" in english
    assert "A late item loses 2 points (urgent items), 3 points (commissioned items)." in english


def test_highest_only_and_average_are_worded():
    assert "只按最高一项计分，不重复计分" in rt.rules_text("provincial-highest")
    assert "得分取整数（四舍五入）" in rt.rules_text("provincial-highest")
    average = rt.rules_text("urgent-average")
    assert "各项得分之和除以报送信息条数" in average and "保留2位小数" in average
    assert "迟报、约稿未完成不在此扣分" in average  # faults.points.late = 0 is said, not dropped


@pytest.mark.parametrize("name", SHIPPED)
def test_every_key_of_a_shipped_file_is_rendered(name):
    written = {_canonical(path) for path, _ in _raw_leaves(_file(name))}
    missing = written - rt.rendered_keys(name)
    assert not missing, f"rules/{name}.toml: keys no clause is written from: {sorted(missing)}"
    text = rt.rules_text(name)
    assert "其他规定" not in text


@pytest.mark.parametrize("name", SHIPPED)
def test_every_figure_of_a_shipped_file_is_in_its_text(name):
    text = rt.rules_text(name)
    for path, value in _raw_leaves(_file(name)):
        if (
            path == "schema_version"
            or isinstance(value, bool)
            or not isinstance(value, int | float)
        ):
            continue
        if value in (0, 1):  # 不计分 / 全额: worded, not written as a figure
            continue
        shown = figure(value)
        assert shown in text or f"{figure(value * 100)}%" in text, f"{name}: {path} = {value}"


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_raw_keys_none_or_false_in_the_text(name, lang):
    body = _body(rt.rules_text(name, lang))
    for word in ("None", "False", "True", "nan"):
        assert word not in body
    assert not re.search(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z]+\b|\[\d+\]", body)
    if lang == "zh":  # Chinese throughout: no English word at all
        assert not re.search(r"[A-Za-z]", body), re.search(r".{0,20}[A-Za-z]+.{0,20}", body)


def test_a_value_no_writer_reads_is_listed_not_dropped(monkeypatch):
    monkeypatch.delitem(rt.WRITERS, "submission")
    text = rt.rules_text("default")
    assert "其他规定" in text
    assert "submission.points = 0.5" in text and "submission.cap = 30" in text


def test_rows_number_headings_and_clauses():
    rows = rt.rules_rows("township-quota")
    assert list(rows.columns) == ["number", "clause"]
    assert rows.iloc[0].tolist() == ["", "《某县2025年度乡镇信息工作考核办法》"]
    headings = rows[rows["number"].str.endswith("、")]
    assert headings["clause"].iloc[0] == "信息采用"
    quota = rows[rows["clause"].str.startswith("乡镇组：每月")]["clause"].item()
    assert quota == "乡镇组：每月报送信息不少于8条，完成的每月计基础分10分，全年基础分最高120分。"
    assert rows["clause"].iloc[-1].startswith("（规则文件第1版格式，规则指纹 ")


def test_english_text():
    text = rt.rules_text("default", lang="en")
    assert "2. Adoptions" in text
    assert "Province adoption: 40 points" in text
    assert "A late item loses 50% of the points it earns and 1 points more." in text


def test_cli_shows_a_rule_set(capsys):
    assert main(["rules", "show", "default"]) == 0
    out = capsys.readouterr().out
    assert out == rt.rules_text("default")
    assert main(["rules", "show", str(RULES_DIR / "township-quota.toml"), "--lang", "en"]) == 0
    assert "Quotas" in capsys.readouterr().out


def test_cli_unknown_or_bad_rules_file_is_one_line_and_exit_2(capsys, tmp_path):
    assert main(["rules", "show", "no-such-rules"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such rules file" in err and "default" in err
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "schema_version = 1\nname = 'x'\n[adoption.points]\ncity = 'ten'\n", encoding="utf-8"
    )
    assert main(["rules", "show", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'adoption.points.city = "ten"' in err
    assert load_rules("default")  # unchanged
