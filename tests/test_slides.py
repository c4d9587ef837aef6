"""The commendation meeting's deck: 16:9, editable tables, figures equal to the scores and awards."""

from __future__ import annotations

import re

import pptx
import pytest
from _render import pdf_text, render_pages

from evalkit._paths import SAMPLE_DIR
from evalkit.data.loading import load
from evalkit.outputs.pack import pack_tables
from evalkit.outputs.slides import MAX_ROWS, chunks, write_deck
from evalkit.scoring.rules import load_rules
from evalkit.scoring.scorer import score


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    dataset, rules = load(SAMPLE_DIR), load_rules("default")
    tables = pack_tables(dataset, rules, 2025)
    path = write_deck(dataset, rules, 2025, tables, tmp_path_factory.mktemp("deck"))
    return dataset, rules, tables, path, pptx.Presentation(str(path))


def _title(slide) -> str:
    return slide.shapes.title.text if slide.shapes.title is not None else ""


def _tables(slide) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in s.table.rows] for s in slide.shapes
            if s.has_table]  # fmt: skip


def _notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text


@pytest.mark.parametrize(("n", "sizes"), [(1, [1]), (15, [15]), (16, [8, 8]), (40, [14, 13, 13])])
def test_chunks_split_evenly_with_at_most_fifteen_a_slide(n, sizes):
    assert [s.stop - s.start for s in chunks(n)] == sizes


def test_the_deck_is_16_9_and_every_slide_has_its_figures_in_the_notes(made):
    *_, deck = made
    assert deck.slide_width * 9 == deck.slide_height * 16
    assert all(_notes(slide).strip() for slide in deck.slides)


def test_the_ranking_slides_hold_the_scores_in_order_at_most_fifteen_units_each(made):
    dataset, rules, _, _, deck = made
    scores = score(dataset, rules, year=2025)
    for group, frame in scores.groupby("group", observed=True, sort=False):
        slides = [s for s in deck.slides if _title(s).startswith(f"{group}得分排名")]
        rows = [row for s in slides for table in _tables(s) for row in table[1:]]
        assert all(len(table) - 1 <= MAX_ROWS for s in slides for table in _tables(s))
        expected = frame.sort_values(["rank", "unit"], kind="stable")
        assert [r[1] for r in rows] == expected["unit"].tolist()
        assert [int(r[0]) for r in rows] == expected["rank"].tolist()
        shown = [float(r[[i for i, h in enumerate(_tables(slides[0])[0][0]) if h == "得分"][0]])
                 for r in rows]  # fmt: skip
        assert shown == pytest.approx(expected["score"].round(1).tolist(), abs=1e-9)
        vetoed = expected.loc[expected["vetoed"], "unit"].tolist()
        assert [r[1] for r in rows if r[-1] == "一票否决"] == vetoed


def test_the_year_in_numbers_equals_the_years_counts(made):
    dataset, *_, deck = made
    slide = next(s for s in deck.slides if _title(s).endswith("全县政务信息工作数据"))
    notes = dict(line.split("：") for line in _notes(slide).splitlines()[:8])  # the tiles
    in_year = dataset.submissions["submitted_at"].dt.year.eq(2025)
    assert notes["报送信息"] == f"{in_year.sum()}条"
    adopted = dataset.adoptions[dataset.adoptions["adopted_at"].dt.year.eq(2025)]
    assert (
        notes["省级采用"]
        == f"{adopted.loc[adopted['level'] == 'province', 'submission_id'].nunique()}条"
    )
    texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
    assert f"{in_year.sum()}条" in texts  # the number drawn on the slide


def test_the_informant_slide_is_the_award_list(made):
    _, _, tables, _, deck = made
    slide = next(s for s in deck.slides if _title(s).startswith("优秀信息员"))
    rows = [row for table in _tables(slide) for row in table[1:]]
    awarded = tables["awards"][tables["awards"]["kind"] == "informant"]
    assert [(r[1], r[2]) for r in rows] == list(
        zip(awarded["informant"], awarded["unit"], strict=True)
    )


def test_the_award_slide_names_every_commended_unit_once(made):
    _, _, tables, _, deck = made
    slide = next(s for s in deck.slides if _title(s) == "先进单位名单")
    text = "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    listed = re.findall(r"[：、]([^、：\n]+)", text)
    units = tables["awards"].loc[tables["awards"]["kind"] == "unit", "unit"]
    assert sorted(listed) == sorted(units)


def test_the_improvement_slide_ranks_by_score_gain_on_last_year(made):
    dataset, rules, tables, _, deck = made
    slide = next(s for s in deck.slides if _title(s).startswith("进步最快的单位"))
    before = score(dataset, rules, year=2024).set_index("unit")["score"]
    now = tables["scores"].set_index("unit")["score"]
    gain = (now - before).dropna().sort_values(ascending=False, kind="stable")
    chart = next(s for s in slide.shapes if s.has_chart).chart
    categories = list(chart.plots[0].categories)[::-1]
    assert categories == gain.index[:10].tolist()
    values = list(chart.plots[0].series[0].values)[::-1]
    assert values == pytest.approx(gain.iloc[:10].round(1).tolist())


def test_the_deck_renders_through_libreoffice(made, tmp_path):
    *_, path, deck = made
    pages = render_pages([path], tmp_path, dpi=30)
    assert len(pages[path]) == len(deck.slides)
    text = re.sub(r"\s+", "", pdf_text(tmp_path / f"{path.stem}.pdf"))
    assert "2025年度全县政务信息工作表彰大会" in text


def test_the_deck_is_the_same_bytes_whenever_it_is_written(made, tmp_path, monkeypatch):
    # python-pptx embeds a workbook behind the native chart, and XlsxWriter stamps it
    # with the current time: write again "a day later" and compare every byte.
    import datetime as dt

    import xlsxwriter.core

    dataset, rules, tables, first, _ = made

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=tz)

    monkeypatch.setattr(xlsxwriter.core, "datetime", Later)
    again = write_deck(dataset, rules, 2025, tables, tmp_path)
    assert again.read_bytes() == first.read_bytes()
