"""The command line under bad options, hostile names and failing disks: one line, never a traceback.

Each named case drives `evalkit` with one fault and asserts the exit code, the one
line it says and, for the year-end pack, that the previous pack is left whole.
Cases that need a tiny or read-only disk mount a tmpfs in a private mount
namespace (`unshare -m`, root only) and are skipped where that is not possible.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import evalkit.data.loading
from evalkit._paths import SAMPLE_DIR
from evalkit.cli import _step, main
from evalkit.outputs._excel import FORMULA_START

YEAR = "2025"
HOSTILE_GROUP = "乡镇/街道：组"
HOSTILE_TITLES = [  # titles of five items adopted in the year
    '\x01=HYPERLINK("http://example.invalid","点击")',
    "+1+1 白沙镇招商引资",
    "-2+3 简报",
    "@SUM(A1:A9)",
    "\t=1+1",
]  # a title starting with CR is tried on the writers alone (test_writers_neutralise_...)
HOSTILE_INFORMANTS = ["\x01=1+2宋超", "+王五", "-李四", "@赵六", "\t=钱七"]


def _cli(*args: str, env: dict | None = None, cwd=None, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "evalkit.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "agg", **(env or {})},
        cwd=cwd,
        timeout=timeout,
    )


def _one_line(done: subprocess.CompletedProcess, code: int = 2) -> str:
    """The run failed with ``code`` and said exactly one line on stderr, with no traceback."""
    assert done.returncode == code, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if not line.endswith("...")]  # progress
    assert len(lines) == 1, done.stderr
    return lines[0]


def _main(capsys, *args: str) -> tuple[int, str]:
    """Run in this process; return the exit code and stderr without progress lines."""
    code = main(list(args))
    err = capsys.readouterr().err
    return code, "".join(line for line in err.splitlines(True) if not line.endswith("...\n"))


def hostile_sample(folder: Path) -> Path:
    """The sample with a group name holding "/" and "：" and titles that start like formulas."""
    shutil.copytree(SAMPLE_DIR, folder)
    book = openpyxl.load_workbook(folder / "units.xlsx")
    sheet = book.active
    for (cell,) in sheet.iter_rows(min_row=3, min_col=2, max_col=2):
        if cell.value == "乡镇组":
            cell.value = HOSTILE_GROUP
    book.save(folder / "units.xlsx")
    # Submissions as CSV: an .xlsx cannot hold a raw control character, a CSV export can.
    # The titles go to items adopted in the year, so they reach the workbook and the CSVs.
    items = pd.read_excel(folder / "submissions.xlsx", header=1, dtype=str, engine="openpyxl")
    adopted = pd.read_csv(folder / "adoptions.csv", dtype=str)
    ids = adopted.loc[adopted["采用时间"].str.startswith(YEAR), "编号"].drop_duplicates()
    chosen = items["编号"].isin(ids) & items["报送时间"].str.startswith(YEAR)
    rows = items.index[chosen][: len(HOSTILE_TITLES)]
    items.loc[rows, "标题"] = HOSTILE_TITLES
    items.loc[rows, "信息员"] = HOSTILE_INFORMANTS
    (folder / "submissions.xlsx").unlink()
    items.to_csv(folder / "submissions.csv", index=False, encoding="utf-8")
    return folder


# --------------------------------------------------------------- folders and options


def test_check_on_a_file_says_it_is_a_file(capsys):
    code, err = _main(capsys, "check", str(SAMPLE_DIR / "units.xlsx"))
    assert code == 2
    assert err == (
        f"evalkit: error: {SAMPLE_DIR / 'units.xlsx'}: is a file, not a folder; give the data"
        " folder that holds the units, submissions and adoptions files\n"
    )


def test_check_on_an_empty_folder_is_one_plain_line(tmp_path, capsys):
    code, err = _main(capsys, "check", str(tmp_path))
    assert code == 2
    assert "Empty DataFrame" not in err and err.count("\n") == 1
    assert err.startswith(f"evalkit: error: {tmp_path}: no data files in this folder")


@pytest.mark.parametrize("rules", ["no-such-set", "broken.toml"])
def test_a_bad_rules_option_fails_before_the_data_is_read(tmp_path, capsys, monkeypatch, rules):
    (tmp_path / "broken.toml").write_text("[adoption\n", encoding="utf-8")
    rules = str(tmp_path / rules) if rules.endswith(".toml") else rules

    def no_loading(folder):
        raise AssertionError("the data was read before the rules were checked")

    monkeypatch.setattr(evalkit.data.loading, "load", no_loading)
    for command in ("score", "report", "bulletin"):
        extra = ["--period", "2025-06"] if command == "bulletin" else []
        code, err = _main(capsys, command, str(SAMPLE_DIR), "--rules", rules, *extra)
        assert code == 2, command
        assert err.startswith("evalkit: error: ") and err.count("\n") == 1, err


def test_bulletin_help_names_its_own_default_folder_and_offers_no_year(capsys):
    with pytest.raises(SystemExit):
        main(["bulletin", "--help"])
    help_text = capsys.readouterr().out
    assert "reports/bulletins" in help_text and "reports/YEAR" not in help_text
    assert "--year" not in help_text


def test_bulletin_refuses_year_instead_of_ignoring_it(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["bulletin", str(SAMPLE_DIR), "--period", "2025-06", "--year", "2024"])
    assert stop.value.code == 2
    assert "unrecognized arguments: --year 2024" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"evalkit {evalkit.__version__}\n"


def test_out_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "pack.txt"
    target.write_text("not a folder")
    code, err = _main(capsys, "report", str(SAMPLE_DIR), "--out", str(target))
    assert (code, err) == (2, f"evalkit: error: --out {target}: is a file, not a folder; give a"
                              " folder for the outputs\n")  # fmt: skip
    assert target.read_text() == "not a folder"


def test_out_under_a_file(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "reports" / "2025"
    code, err = _main(capsys, "score", str(SAMPLE_DIR), "--out", str(target))
    assert (code, err) == (2, f"evalkit: error: --out {target}: {tmp_path / 'file'} is a file,"
                              " so no folder can be made under it\n")  # fmt: skip


def test_out_in_a_folder_without_write_permission(tmp_path, capsys):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere; the read-only disk case covers root")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    code, err = _main(capsys, "bulletin", str(SAMPLE_DIR), "--period", "2025-06",
                      "--out", str(locked / "b"))  # fmt: skip
    assert code == 2 and "read-only or not permitted" in err and err.count("\n") == 1


def test_an_internal_error_is_one_line_with_a_way_to_see_more(capsys, monkeypatch):
    def broken(args):
        raise ValueError("something evalkit did not expect")

    monkeypatch.setattr("evalkit.cli.cmd_check", broken)
    monkeypatch.delenv("EVALKIT_DEBUG", raising=False)
    code, err = _main(capsys, "check", str(SAMPLE_DIR))
    assert code == 1
    assert err == (
        "evalkit: internal error: ValueError: something evalkit did not expect (set"
        " EVALKIT_DEBUG=1 to see where; please report it with the command you ran)\n"
    )


def test_progress_is_said_for_a_step_over_its_time_and_not_for_a_quick_one(capsys):
    with _step("reading a slow folder", seconds=0.05, show=True):
        time.sleep(0.5)
    with _step("reading a quick folder", seconds=5, show=True):
        pass
    assert capsys.readouterr().err == "evalkit: reading a slow folder ...\n"


def test_progress_is_for_a_terminal_not_for_a_log(capsys, monkeypatch):
    monkeypatch.delenv("EVALKIT_PROGRESS", raising=False)
    with _step("reading a slow folder", seconds=0.05):  # stderr is captured: not a terminal
        time.sleep(0.3)
    assert capsys.readouterr().err == ""


def test_a_run_in_steps_says_only_the_steps_that_take_long(capsys):
    from evalkit.cli import _Steps

    steps = _Steps(0.2)
    steps("evalkit: scoring 2025")  # over its time: said
    time.sleep(0.6)
    steps("evalkit: writing the workbook")  # ended by the next step at once: not said
    steps("drawing 12 charts")
    time.sleep(0.6)
    steps("evalkit: wrote 21 files")
    steps.close()  # the run ended before its time: not said
    time.sleep(0.4)
    assert capsys.readouterr().err.splitlines() == [
        "evalkit: scoring 2025 ...",
        "evalkit: drawing 12 charts ...",
    ]


def test_evalkit_progress_asks_for_progress_in_a_log(capsys, monkeypatch):
    from evalkit.cli import _progress_after

    monkeypatch.setenv("EVALKIT_PROGRESS", "0")  # every step, even with stderr not a terminal
    assert _progress_after() == 0
    with _step("reading a quick folder"):
        pass
    assert capsys.readouterr().err == "evalkit: reading a quick folder ...\n"
    monkeypatch.setenv("EVALKIT_PROGRESS", "soon")
    code, err = _main(capsys, "check", str(SAMPLE_DIR))
    assert (code, err) == (2, "evalkit: error: EVALKIT_PROGRESS=soon: expected a number of"
                              " seconds (0 says every step)\n")  # fmt: skip
    monkeypatch.delenv("EVALKIT_PROGRESS")
    assert _progress_after(show=True) == 2.0 and _progress_after(show=False) is None


# ---------------------------------------------------------------- rules files


def test_rules_nested_too_deep_is_one_line(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    line = _one_line(_cli("score", str(SAMPLE_DIR), "--rules", str(deep), "--out", str(tmp_path)))
    assert line.startswith(f"evalkit: error: {deep}")


def test_rules_with_1e308_points_is_one_line(tmp_path):
    from evalkit._paths import DEFAULT_RULES

    text = DEFAULT_RULES.read_text(encoding="utf-8")
    huge = tmp_path / "huge.toml"
    huge.write_text(text.replace("city = ", "city = 1e308 #", 1), encoding="utf-8")
    assert "1e308" in huge.read_text(encoding="utf-8")
    done = _cli("report", str(SAMPLE_DIR), "--rules", str(huge), "--out", str(tmp_path / "p"))
    line = _one_line(done)
    assert line == (
        f"evalkit: error: {huge}: adoption.points.city = 1e+308: numbers in a rules file must be"
        " finite and at most 1e+09 in size"
    )


# ---------------------------------------------------------------- the pack under attack


@pytest.fixture(scope="module")
def hostile_pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    folder = hostile_sample(root / "data")
    # --allow-errors: the default rules name 乡镇组, which the renamed group no longer is
    done = _cli(
        "report", str(folder), "--year", YEAR, "--out", str(root / "pack"), "--allow-errors"
    )
    return done, root / "pack"


def test_a_group_name_with_slash_and_fullwidth_colon_makes_the_whole_pack(hostile_pack):
    done, pack = hostile_pack
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    book = openpyxl.load_workbook(pack / f"ranking_{YEAR}.xlsx", read_only=True)
    assert any("街道" in name and "/" not in name for name in book.sheetnames), book.sheetnames
    assert len(list(pack.glob("chart_*.png"))) >= 10
    units = pd.read_csv(pack / f"units_{YEAR}.csv", encoding="utf-8-sig")
    assert unicodedata.normalize("NFKC", HOSTILE_GROUP) in set(units["group"])  # as loaded


NUMBER = re.compile(r"-?\d+(\.\d+)?(e[+-]?\d+)?")


def _csv_cells(pack: Path) -> list[tuple[str, str, str]]:
    """Every text cell of the pack's CSV files (numbers such as -3.5 are numbers, not text)."""
    cells = []
    for path in sorted(pack.glob("*.csv")):
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        for col in frame.columns:
            cells += [(path.name, col, v) for v in frame[col] if not NUMBER.fullmatch(v)]
    return cells


def test_hostile_names_are_neutralised_in_every_output_csv(hostile_pack):
    done, pack = hostile_pack
    assert done.returncode == 0, done.stderr
    cells = _csv_cells(pack)
    live = [c for c in cells if c[2].startswith(FORMULA_START)]
    assert live == []
    values = {c[2] for c in cells}
    # the control character dropped; the loader trims the tab, leaving a formula start
    assert {"'=1+2宋超", "'+王五", "'-李四", "'@赵六", "'=钱七"} <= values
    assert not any("\x01" in v for v in values)


def test_hostile_titles_are_text_in_the_workbook_never_formulas(hostile_pack):
    done, pack = hostile_pack
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(pack / f"ranking_{YEAR}.xlsx")
    formulas, quoted = [], []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((sheet.title, cell.coordinate, cell.value))
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.value)
                    quoted.append(cell.value)
    assert formulas == []
    assert '=HYPERLINK("http://example.invalid","点击")' in quoted


@pytest.mark.parametrize(
    ("text", "in_csv", "in_workbook", "quoted"),
    # an XML reader may give a CR back as LF; the cell was written as "\r=1+1", quote prefixed
    [("\r=1+1", "\n=1+1", "\n=1+1", True), ("\x02\x03+1", "'+1", "+1", True),
     ("\x85@x", "'@x", "@x", True), ("\t-1", "'\t-1", "\t-1", True),
     ("城关镇", "城关镇", "城关镇", False), ("a=b", "a=b", "a=b", False)],
)  # fmt: skip
def test_writers_neutralise_formula_starts_after_removing_control_characters(
    tmp_path, text, in_csv, in_workbook, quoted
):
    from evalkit.outputs._excel import Sheet, write_csv, write_workbook

    frame = pd.DataFrame({"标题": [text], "得分": [-3.5]})
    csv = write_csv(tmp_path / "x.csv", frame).read_text(encoding="utf-8-sig")
    assert pd.read_csv(io.StringIO(csv), dtype=str)["标题"].tolist() == [in_csv]
    assert "'-3.5" not in csv and pd.read_csv(io.StringIO(csv))["得分"].tolist() == [-3.5]
    book = openpyxl.load_workbook(write_workbook(tmp_path / "x.xlsx", [Sheet("表", frame, "t")]))
    cell = book["表"]["A3"]
    assert (cell.value.replace("\r", "\n"), cell.data_type) == (in_workbook, "s")
    assert cell.quotePrefix == quoted


@pytest.fixture(scope="module")
def sample_pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "pack"
    done = _cli("report", str(SAMPLE_DIR), "--year", YEAR, "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def test_no_csv_cell_of_the_sample_pack_starts_like_a_formula(sample_pack):
    cells = _csv_cells(sample_pack)
    assert len(cells) > 1000
    assert [c for c in cells if c[2].startswith(FORMULA_START)] == []


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# A Ctrl-C delivered while the workbook is written. The child signals itself at that
# moment: a signal sent by the test on reading the step's progress line arrived, on a loaded
# machine, only after the child had finished the pack and exited 0.
_CTRL_C_AT_WORKBOOK = """
import os, signal, sys
import evalkit.outputs.pack as pack
from evalkit.cli import main
# Ctrl-C as at a terminal: a job started in the background (a CI runner's, say) inherits
# SIGINT ignored, and Python then raises no KeyboardInterrupt for it
signal.signal(signal.SIGINT, signal.default_int_handler)
write_workbook = pack.write_workbook
def interrupted(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C would, in the middle of the step
    return write_workbook(*args, **kwargs)
pack.write_workbook = interrupted
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_during_report_says_one_line_and_keeps_the_previous_pack(sample_pack, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(sample_pack, pack)
    (pack / f"units_{YEAR}.csv").write_bytes(b"previous pack\n")  # tell the old from a new one
    before = _snapshot(pack)
    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C_AT_WORKBOOK, "report", str(SAMPLE_DIR), "--year", YEAR,
         "--out", str(pack)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "MPLBACKEND": "agg", "EVALKIT_PROGRESS": "0"},  # every step said
    )  # fmt: skip
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
    said = done.stderr.splitlines()
    step = [n for n, line in enumerate(said) if line.startswith("evalkit: writing the workbook")]
    assert len(step) == 1  # interrupted in that step, not before it
    rest = said[step[0] + 1 :]
    assert [line for line in rest if "chart" not in line] == ["evalkit: interrupted"]
    assert _snapshot(pack) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pack.partial")]


def _unshare_available() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


needs_mounts = pytest.mark.skipif(not _unshare_available(), reason="needs root and unshare -m")


def _in_tmpfs(tmp_path: Path, options: str, script: str) -> subprocess.CompletedProcess:
    """Run ``script`` (sh) with a fresh tmpfs mounted at tmp_path/disk, privately."""
    disk = tmp_path / "disk"
    disk.mkdir()
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o {options} none {disk} && {script}"],
        capture_output=True, text=True, timeout=900, env={**os.environ, "MPLBACKEND": "agg"},
    )  # fmt: skip


@needs_mounts
def test_out_on_a_read_only_disk(tmp_path):
    done = _in_tmpfs(tmp_path, "ro,size=1m",
                     f"{sys.executable} -m evalkit.cli report {SAMPLE_DIR} --out {tmp_path}/disk/p")  # fmt: skip
    line = _one_line(done)
    assert line == (f"evalkit: error: --out {tmp_path}/disk/p: cannot write into {tmp_path}/disk"
                    " (read-only or not permitted)")  # fmt: skip


@needs_mounts
def test_a_full_disk_keeps_the_previous_pack_whole_and_says_one_line(sample_pack, tmp_path):
    # A disk that holds the previous pack with little room to spare: the new one cannot fit.
    size_kb = sum(p.stat().st_size for p in sample_pack.iterdir()) // 1024 + 600
    script = (
        f"cp -r {sample_pack} {tmp_path}/disk/pack && "
        f"{sys.executable} -m evalkit.cli report {SAMPLE_DIR} --year {YEAR} "
        f"--out {tmp_path}/disk/pack --lang en; echo exit=$?; "
        f"for f in {sample_pack}/*; do cmp -s $f {tmp_path}/disk/pack/$(basename $f) || "
        f"echo changed $f; done; ls -a {tmp_path}/disk"
    )
    done = _in_tmpfs(tmp_path, f"size={size_kb}k", script)
    assert "exit=2" in done.stdout, (done.stdout, done.stderr)
    assert "changed" not in done.stdout
    assert ".partial" not in done.stdout  # the staging folder is gone
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("evalkit: error")]
    assert len(errors) == 1 and "No space left on device" in errors[0], done.stderr
