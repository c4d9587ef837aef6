"""Seeded sample data: one county's information work over two years, and a large set for benchmarks.

:func:`generate` makes the four tables of a realistic county (15 townships, 40
departments in three classes, about 80 informants, about 3,500 items a year)
in canonical column names; :func:`write_sample` writes them as real exports
look (Chinese headers and labels, title rows, a BOM CSV and a GBK CSV);
:func:`generate_large` makes a big flat data set quickly for the benchmarks.
Everything is drawn from ``numpy.random.default_rng(seed)``: the same seed
gives the same frames and the same file bytes.

Run ``python -m evalkit.data._sample data/sample`` (``make sample``) to regenerate
the committed sample. The county itself (names, topics, rates) and the drawing
helpers are in :mod:`._sample_county`, the county's generator in
:mod:`._sample_generate`, the large set in :mod:`._sample_large`; this module
writes the files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from evalkit.data._sample_generate import generate
from evalkit.data._sample_large import generate_large
from evalkit.data._schema import COLUMNS, ENUMS

__all__ = ["generate", "generate_large", "write_sample"]


# ------------------------------------------------------------------ files as real exports look
def _in_chinese(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Chinese headers (``Column.zh``) and Chinese labels for enumerated values."""
    out = frame.copy()
    for col in COLUMNS[table]:
        if col.enum and col.name in out:
            out[col.name] = out[col.name].map(ENUMS[col.enum].zh)
    return out.rename(columns={c.name: c.zh for c in COLUMNS[table]})


def write_sample(folder: str | Path, seed: int = 2025) -> dict[str, Path]:
    """Write the sample of :func:`generate` into ``folder`` as an office's exports look.

    ``units.xlsx`` and ``submissions.xlsx`` have a title row above the Chinese
    header and real Excel datetimes; ``adoptions.csv`` is UTF-8 with a BOM and
    dates as text like ``2025-03-05 14:30``; ``faults.csv`` is GBK with dates
    like ``2025年3月5日``; ``instructions.xlsx`` (批示记录) and
    ``forwardings.csv`` (转报记录, UTF-8 with a BOM) are the optional records.
    Columns that are empty in every row are left out, as an export leaves out
    what an office does not keep. Two runs with the same seed write the same bytes.

    Parameters
    ----------
    folder : str or Path
        Created if missing; existing files of the same names are replaced.
    seed : int
        Seed passed to :func:`generate`.

    Returns
    -------
    dict of str to Path
        The file written for each table.
    """
    # The sample is written the way an office's export looks, with the pack's own
    # writer; imported here so that the data layer does not depend on outputs.
    from evalkit.outputs._excel import Sheet, write_csv, write_workbook

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        name: _in_chinese(frame.dropna(axis=1, how="all"), name)
        for name, frame in generate(seed).items()
    }
    year = tables["submissions"]["报送时间"].dt.year
    first, last = int(year.min()), int(year.max())
    paths = {
        "units": write_workbook(folder / "units.xlsx", [
            Sheet("单位名单", tables["units"], f"{last}年度信息工作考核单位名单")], title="单位名单"),
        "submissions": write_workbook(folder / "submissions.xlsx", [
            Sheet("报送记录", tables["submissions"], f"{first}—{last}年度信息报送记录")], title="信息报送记录"),
    }  # fmt: skip
    adoptions = tables["adoptions"].assign(
        采用时间=lambda f: f["采用时间"].dt.strftime("%Y-%m-%d %H:%M")
    )
    paths["adoptions"] = write_csv(folder / "adoptions.csv", adoptions)
    faults = tables["faults"]
    when = faults["日期"].dt
    faults = faults.assign(日期=when.year.astype(str) + "年" + when.month.astype(str) + "月"
                          + when.day.astype(str) + "日")  # fmt: skip
    paths["faults"] = folder / "faults.csv"
    paths["faults"].write_bytes(faults.to_csv(index=False, lineterminator="\r\n").encode("gbk"))
    paths["instructions"] = write_workbook(folder / "instructions.xlsx", [
        Sheet("批示记录", tables["instructions"], f"{first}—{last}年度领导批示记录")], title="领导批示记录")  # fmt: skip
    forwardings = tables["forwardings"].assign(
        转报时间=lambda f: f["转报时间"].dt.strftime("%Y-%m-%d %H:%M")
    )
    paths["forwardings"] = write_csv(folder / "forwardings.csv", forwardings)
    return paths


# ------------------------------------------------------------------ a large set for benchmarks


def _main(argv: list[str]) -> None:
    from evalkit._paths import SAMPLE_DIR

    folder = Path(argv[0]) if argv else SAMPLE_DIR
    for table, path in write_sample(folder).items():
        print(f"{table:12s} {path}  {path.stat().st_size / 1024:,.0f} KB")


if __name__ == "__main__":
    _main(sys.argv[1:])
