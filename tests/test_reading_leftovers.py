"""Reading leftovers of issue 10: a bare CR in a quoted CSV cell, one message per error cell,
and the row column of file-level issues in ``evalkit check``."""

from __future__ import annotations

import pytest
from test_bad_inputs import write_folder
from test_reading import FAULTS_HEADER, _error_cells, _faults_csv, edit_sheet

import evalkit
from evalkit.cli import main


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_bare_cr_inside_a_quoted_cell_stays_in_the_cell(tmp_path, newline, encoding):
    text = (FAULTS_HEADER + '东山镇,迟报,2025-03-06,S2,"第一行\r第二行"\n'
            + "县教育局,约稿未完成,2025-03-31,,三月约稿未报送\n").replace("\n", newline)  # fmt: skip
    _faults_csv(tmp_path, text, encoding)
    dataset = evalkit.load(tmp_path)
    assert dataset.faults["note"].tolist() == ["第一行\r第二行", "三月约稿未报送"]
    counts = dataset.counts.set_index("table").loc["faults"]
    assert (counts["rows_read"], counts["loaded"], counts["rejected"]) == (2, 2, 0)
    assert dataset.issues.empty, dataset.issues.to_string()


def test_an_error_cell_in_a_required_column_gets_one_message(tmp_path):
    write_folder(tmp_path)
    edit_sheet(tmp_path / "submissions.xlsx", _error_cells)  # #N/A in 标题, #REF! in 报送单位
    issues = evalkit.load(tmp_path).issues
    mine = issues[issues["table"] == "submissions"]
    assert mine[["row", "column"]].values.tolist() == [[5, "units (报送单位)"], [6, "title (标题)"]]
    assert mine["message"].str.startswith("an Excel error value").all(), mine.to_string()


def test_check_leaves_the_row_of_a_file_level_issue_empty(tmp_path, capsys):
    write_folder(tmp_path)
    (tmp_path / "notes.txt").write_text("not data", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "<NA>" not in out and "nan" not in out
    line = next(line for line in out.splitlines() if "notes.txt not read" in line)
    assert line.split()[:2] == [str(tmp_path / "notes.txt"), "notes.txt"]
