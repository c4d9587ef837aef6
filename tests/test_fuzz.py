"""Fuzzing the loader with corruptions of the sample (issue 10): a seeded loop, bounded in time.

Each round takes a slice of ``data/sample`` (every unit, the first items, their
adoptions, every fault), applies one to three corruptions drawn from :data:`CORRUPTIONS`
(truncations, encodings, stray quotes, merged and error cells, extra sheets, duplicates,
invisible characters, extreme values, repeated headers, special files), writes the
folder and asserts the invariants:

* no traceback: ``evalkit check`` returns 0 or 2 and ``evalkit.load`` raises nothing
  but :class:`evalkit.DataError`;
* rows reconciled: per file ``rows_read = loaded + rejected + blank_rows``, and where the
  round knows how many data rows it wrote, ``rows_read`` is that number;
* exit code 2 exactly when there are errors;
* every change to the scores is traceable: a unit whose score differs from the
  uncorrupted slice's is named in a changed loaded row, or the run reported an issue.

``FUZZ_ROUNDS`` rounds run in ``make test`` (default 20: the same rounds on every
machine, so CI never meets a round a slower machine did not reach); ``FUZZ_SECONDS``,
when set, runs rounds for that long instead (``make fuzz`` runs 10 minutes) and
``FUZZ_SEED`` picks the seed (default 2025; a failure message names the seed and round
to replay).
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import evalkit
from evalkit._paths import SAMPLE_DIR
from evalkit.cli import main
from evalkit.data import loading
from evalkit.scoring.scorer import score

N_ITEMS = 150
SECONDS = float(os.environ.get("FUZZ_SECONDS", "0"))
ROUNDS = int(os.environ.get("FUZZ_ROUNDS", "20"))
SEED = int(os.environ.get("FUZZ_SEED", "2025"))
TABLES = ("units", "submissions", "adoptions", "faults")

EXTREME = [
    "", " ", "NaN", "None", "inf", "-1", "0", "1e308", 1e308, -1e308, 1e16, 2**63, "１２",
    "9999-12-31", "1900-01-01", "2052-03-05 14:30", "0000-00-00", "2025-02-30", "25:61",
    "x" * 5000, "=HYPERLINK(\"http://x\")", "\x00", "\x1b[31m", "\u202e反转", "单位名称",
    "🙂", "#N/A", "#REF!", "、", ",,,", "\n\n", '"', "'", "\\", "%s%n", "合计", "小 计",
]  # fmt: skip
INVISIBLE = ["\u200b", "\ufeff", "\u00a0", "\u3000", "\u200d", "\u2060", "\u00ad"]


def _rows(frame: pd.DataFrame) -> list[list]:
    header = [str(c) for c in frame.columns]
    body = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    return [header, *body]


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    return pd.read_csv(io.StringIO(text), dtype=str)


@pytest.fixture(scope="module")
def base() -> dict[str, list[list]]:
    """A slice of the sample as lists of rows (header first, the title row above it dropped),
    read once."""
    read = {
        "units": lambda: pd.read_excel(
            SAMPLE_DIR / "units.xlsx", dtype=object, header=1, engine="openpyxl"
        ),
        "submissions": lambda: pd.read_excel(
            SAMPLE_DIR / "submissions.xlsx", dtype=object, header=1, engine="openpyxl"
        ),
        "adoptions": lambda: _read_csv(SAMPLE_DIR / "adoptions.csv"),
        "faults": lambda: _read_csv(SAMPLE_DIR / "faults.csv"),  # saved as GBK, as Excel does
    }
    frames = {table: make() for table, make in read.items()}
    subs = frames["submissions"].tail(N_ITEMS)  # items of 2025, the year scored
    ids = set(subs.iloc[:, 0].astype(str))
    adoptions = frames["adoptions"][frames["adoptions"].iloc[:, 0].astype(str).isin(ids)]
    frames |= {"submissions": subs, "adoptions": adoptions}
    return {table: _rows(frame) for table, frame in frames.items()}


# ---------------------------------------------------------------- writing a folder


class Folder:
    """The tables of one round, how each is written, and what was done to them."""

    def __init__(self, tables: dict[str, list[list]], rng: random.Random):
        self.tables = {t: [list(r) for r in rows] for t, rows in tables.items()}
        self.formats = {t: rng.choice(["csv", "xlsx"]) for t in TABLES}
        self.byte_edits: list = []  # functions (path) -> None run after writing
        self.extra_sheets: dict[str, list[list]] = {}
        self.merged: dict[str, tuple[int, int, int]] = {}  # table -> (column, row, rows)
        self.errors: dict[str, list[tuple[int, int, str]]] = {}  # error cells (xlsx)
        self.known_rows = True  # the data rows written are known exactly
        self.done: list[str] = []

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True)
        for table, rows in self.tables.items():
            path = folder / f"{table}.{self.formats[table]}"
            if self.formats[table] == "csv":
                frame = pd.DataFrame(rows[1:], columns=range(len(rows[0])), dtype=object)
                text = pd.DataFrame([rows[0]]).to_csv(index=False, header=False)
                path.write_text(text + frame.to_csv(index=False, header=False), encoding="utf-8")
            else:
                self._write_xlsx(path, table, rows)
        for edit in self.byte_edits:
            edit(folder)

    def _write_xlsx(self, path: Path, table: str, rows: list[list]) -> None:
        book = openpyxl.Workbook()
        sheet = book.active
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
        if table in self.merged:
            column, row, n = self.merged[table]
            sheet.merge_cells(start_row=row, end_row=row + n - 1, start_column=column,
                              end_column=column)  # fmt: skip
        for row, column, code in self.errors.get(table, []):
            cell = sheet.cell(row=row, column=column)
            cell.value, cell.data_type = code, "e"
        if table in self.extra_sheets:
            extra = book.create_sheet("补充")
            for row in self.extra_sheets[table]:
                extra.append([_xlsx_value(v) for v in row])
        book.save(path)

    def data_rows(self, table: str) -> int:
        """The data rows the file holds: a workbook ends at its last row with a cell (openpyxl
        writes nothing for a row of empty cells), so blank rows at its end are not in it."""
        rows = self.tables[table]
        last = len(rows)
        if self.formats[table] == "xlsx":
            marked = [r for r, _, _ in self.errors.get(table, [])]
            if table in self.merged:
                _, row, n = self.merged[table]
                marked.append(row + n - 1)
            while last > 1 and all(v is None for v in rows[last - 1]) and last > max(marked or [0]):
                last -= 1
        return last - 1


def _xlsx_value(value):
    if isinstance(value, str):  # openpyxl refuses control characters in cells
        return "".join(c if c >= " " or c in "\t\n" else "?" for c in value)[:32000]
    if isinstance(value, int) and abs(value) >= 2**53:
        return float(value)
    return value


# ---------------------------------------------------------------- corruptions


def _cell(rng, f: Folder, table=None):
    table = table or rng.choice(TABLES)
    rows = f.tables[table]
    if len(rows) < 2:
        return table, None, None
    return table, rng.randrange(1, len(rows)), rng.randrange(len(rows[0]))


def duplicate_row(rng, f):
    table = rng.choice(TABLES)
    rows = f.tables[table]
    if len(rows) > 1:
        rows.insert(rng.randrange(1, len(rows) + 1), list(rows[rng.randrange(1, len(rows))]))


def repeat_header(rng, f):
    table = rng.choice(TABLES)
    rows = f.tables[table]
    rows.insert(rng.randrange(1, len(rows) + 1), list(rows[0]))


def invisible_character(rng, f):
    table, row, col = _cell(rng, f)
    if row is not None:
        text = str(f.tables[table][row][col] or "")
        at = rng.randrange(len(text) + 1)
        f.tables[table][row][col] = text[:at] + rng.choice(INVISIBLE) + text[at:]


def extreme_value(rng, f):
    table, row, col = _cell(rng, f)
    if row is not None:
        f.tables[table][row][col] = rng.choice(EXTREME)


def blank_rows(rng, f):
    table = rng.choice(TABLES)
    rows = f.tables[table]
    rows.insert(rng.randrange(1, len(rows) + 1), [None] * len(rows[0]))


def drop_or_rename_column(rng, f):
    table = rng.choice(TABLES)
    rows = f.tables[table]
    col = rng.randrange(len(rows[0]))
    if rng.random() < 0.5:
        for row in rows:
            del row[col]
    else:
        rows[0][col] = rng.choice(["备注2", "", None, rows[0][(col + 1) % len(rows[0])]])


def title_rows_above_header(rng, f):
    table = rng.choice(TABLES)
    width = len(f.tables[table][0])
    f.tables[table][:0] = [["2025年信息报送统计表"] + [None] * (width - 1), [None] * width]
    f.tables[table] = f.tables[table]  # the two rows above the header are not data
    f.known_rows = False


def truncate_file(rng, f):
    table = rng.choice(TABLES)
    keep = rng.random()

    def cut(folder):
        path = folder / f"{table}.{f.formats[table]}"
        if not path.is_file():  # another corruption made it a folder, a FIFO (reading one
            return  # waits for a writer: the round hung) or a link
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])

    f.byte_edits.append(cut)
    f.known_rows = False


def re_encode(rng, f):
    table = rng.choice(TABLES)
    f.formats[table] = "csv"
    encoding = rng.choice(["gb18030", "utf-16", "utf-8-sig", "latin-1", "big5"])

    def encode(folder):
        path = folder / f"{table}.csv"
        if not path.is_file():  # another corruption made it a folder, a FIFO or a link
            return
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:  # another corruption already changed its bytes
            return
        path.write_bytes(text.encode(encoding, errors="replace"))

    f.byte_edits.append(encode)
    f.known_rows = False


def stray_quote(rng, f):
    table, row, col = _cell(rng, f)
    if row is not None:
        f.formats[table] = "csv"
        f.tables[table][row][col] = '"' + str(f.tables[table][row][col] or "")
        f.known_rows = False  # a quote may join the following lines into one record


def merged_cells(rng, f):
    table, row, col = _cell(rng, f)
    if row is not None and len(f.tables[table]) > row + 2:
        f.formats[table] = "xlsx"
        f.merged[table] = (col + 1, row + 1, rng.randint(2, 3))


def error_cells(rng, f):
    table, row, col = _cell(rng, f)
    if row is not None:
        f.formats[table] = "xlsx"
        f.errors.setdefault(table, []).append(
            (row + 1, col + 1, rng.choice(["#N/A", "#REF!", "#DIV/0!", "#VALUE!"]))
        )


def extra_sheet(rng, f):
    table = rng.choice(TABLES)
    f.formats[table] = "xlsx"
    rows = f.tables[table]
    f.extra_sheets[table] = [rows[0], *rows[1 : 1 + rng.randint(0, 3)]]
    f.known_rows = False


def special_file(rng, f):
    table = rng.choice(["faults", "adoptions"])
    kind = rng.choice(["empty", "folder", "dangling", "fifo", "binary"])

    def make(folder):
        path = folder / f"{table}.{f.formats[table]}"
        path.unlink()
        if kind == "empty":
            path.write_bytes(b"")
        elif kind == "folder":
            path.mkdir()
        elif kind == "dangling":
            path.symlink_to(folder / "nowhere.csv")
        elif kind == "fifo" and hasattr(os, "mkfifo"):
            os.mkfifo(path)
        else:
            path.write_bytes(bytes(rng.randrange(256) for _ in range(300)))

    f.byte_edits.append(make)
    f.known_rows = False


CORRUPTIONS = [
    duplicate_row, repeat_header, invisible_character, extreme_value, blank_rows,
    drop_or_rename_column, title_rows_above_header, truncate_file, re_encode, stray_quote,
    merged_cells, error_cells, extra_sheet, special_file,
]  # fmt: skip


# ---------------------------------------------------------------- the invariants


def _scores(dataset) -> pd.Series:
    if dataset.default_year is None or dataset.units.empty:
        return pd.Series(dtype=float)
    return score(dataset, "default", year=2025).set_index("unit")["score"]


def _changed_units(base, other) -> set[str]:
    """Units named in a loaded row that differs between two datasets."""
    units: set[str] = set()
    for table, key in (("submissions", "submission_id"), ("adoptions", "submission_id")):
        a, b = getattr(base, table), getattr(other, table)
        cols = [c for c in a.columns if c != "adoption_id" and c in b.columns]
        both = pd.concat([a[cols].astype(str), b[cols].astype(str)])
        ids = set(both.drop_duplicates(keep=False)[key])
        for ds in (base, other):
            su = ds.submission_units
            units |= set(su.loc[su["submission_id"].isin(ids), "unit"])
    faults = pd.concat([base.faults.drop(columns="fault_id").astype(str),
                        other.faults.drop(columns="fault_id").astype(str)])  # fmt: skip
    units |= set(faults.drop_duplicates(keep=False)["unit"])
    units_a = base.units.astype(str).drop(columns="aliases")
    units_b = other.units.astype(str).drop(columns="aliases")
    units |= set(pd.concat([units_a, units_b]).drop_duplicates(keep=False)["unit"])
    return units


@contextlib.contextmanager
def _patched(module, name, value):
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def _one_round(tmp: Path, tables, rng: random.Random, reference, label: str) -> None:
    f = Folder(tables, rng)
    for corrupt in rng.sample(CORRUPTIONS, rng.randint(1, 3)):
        corrupt(rng, f)
        f.done.append(corrupt.__name__)
    label = f"{label} {f.done} formats {f.formats}"
    folder = tmp / "data"
    f.write(folder)

    out, err = io.StringIO(), io.StringIO()
    loaded = []  # the Dataset that `evalkit check` loaded: the folder is loaded once a round

    def load(path):
        loaded.append(evalkit.load(path))
        return loaded[-1]

    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        _patched(loading, "load", load),
    ):
        code = main(["check", str(folder)])
    assert code in (0, 2), label
    assert "Traceback" not in out.getvalue() + err.getvalue(), label
    if not loaded:  # the folder could not be read at all: one line and exit 2
        assert code == 2 and err.getvalue().startswith("evalkit: error:"), label
        return
    dataset = loaded[0]
    assert code == (2 if not dataset.errors.empty else 0), label

    counts = dataset.counts.set_index("table")
    reconciled = counts[["loaded", "rejected", "blank_rows"]].sum(axis=1)
    assert (counts["rows_read"] == reconciled).all(), label
    assert len(dataset.rejected) == counts["rejected"].sum(), label
    if f.known_rows:
        for table in counts.index:
            if table in f.extra_sheets or counts.loc[table, "rows_read"] == 0:
                continue  # an unreadable file reads no rows, and says why
            written = f.data_rows(table)
            assert counts.loc[table, "rows_read"] == written, (
                label,
                table,
            )

    base_dataset, base_scores = reference
    scores = _scores(dataset)
    common = scores.index.intersection(base_scores.index)
    moved = set(common[~np.isclose(scores[common], base_scores[common])])
    unexplained = moved - _changed_units(base_dataset, dataset)
    if unexplained:
        assert not dataset.issues.empty, (label, sorted(unexplained))


@pytest.fixture(scope="module")
def reference(base, tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference") / "data"
    Folder(base, random.Random(0)).write(folder)
    dataset = evalkit.load(folder)
    assert dataset.errors.empty, dataset.errors.to_string()
    return dataset, _scores(dataset)


def test_the_uncorrupted_slice_loads_clean_and_scores(reference):
    dataset, scores = reference
    assert len(dataset.submissions) == N_ITEMS and len(scores) == len(dataset.units)


def test_fuzz_the_loader_with_corruptions_of_the_sample(base, reference, tmp_path):
    rng = random.Random(SEED)
    started, rounds = time.perf_counter(), 0
    while rounds < ROUNDS if not SECONDS else time.perf_counter() - started < SECONDS:
        seed = rng.randrange(2**32)
        _one_round(tmp_path / f"r{rounds}", base, random.Random(seed), reference,
                   f"FUZZ_SEED={SEED} round {rounds} (seed {seed}):")  # fmt: skip
        rounds += 1
    print(f"fuzz: {rounds} rounds in {time.perf_counter() - started:.0f} s, FUZZ_SEED={SEED}")
    assert rounds >= 3
