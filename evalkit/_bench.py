"""Benchmarks of the evaluation engine: ``make bench`` (not part of the tests).

Run ``python -m evalkit._bench`` (``--help`` for options). Progress goes to
stderr; the figures go to stdout as a Markdown table, each with its target and
PASS or FAIL, followed by the machine they were measured on. The figures are
recorded in ``docs/performance.md``.

What is timed (``time.perf_counter``, the median of several runs unless said):

* loading: :func:`evalkit.load` of ``data/sample``, and validation of the
  generated frames of 1,000,000 submissions, 400,000 adoptions and 5,000 units
  through :func:`evalkit.load_frames` (once: it is the loading cost, not scoring);
* scoring a year of that data from the loaded Dataset (:func:`evalkit.scoring.scorer.score`,
  that is building a :class:`~evalkit.scoring.scorer.Scorer` and scoring once);
* re-scoring after a weight change with a prepared Scorer at 100,000 items;
* 1,000 Monte Carlo draws of :func:`evalkit.scoring.uncertainty.rank_bands` at 80 units;
* the per-unit aggregation (items submitted, adoption points per level) written
  in DuckDB SQL over the same Dataset frames, beside the evalkit path, with the
  ratio and the largest difference between the two;
* ``evalkit report data/sample`` in a fresh process, imports included.

The figure groups are measured by :mod:`evalkit._bench_figures` and
:mod:`evalkit._bench_side` (beside DuckDB, polars and calamine), the Markdown written by
:mod:`evalkit._bench_doc`; what they share (sizes, :class:`Figure`, timing, the machine)
is :mod:`evalkit._bench_kit`'s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from evalkit._bench_doc import DOC_END as DOC_END
from evalkit._bench_doc import DOC_START as DOC_START
from evalkit._bench_doc import doc_section, render, side_by_side, write_doc
from evalkit._bench_figures import bench_large, bench_monte_carlo, bench_rescoring, bench_sample
from evalkit._bench_kit import (
    LARGE,
    MEDIUM,
    SMALL,
    Figure,
    _progress,
    _scaled,
    compile_bytecode,
    machine_info,
)
from evalkit._bench_kit import YEAR as YEAR
from evalkit._bench_kit import timed as timed
from evalkit._bench_side import duckdb_aggregation as duckdb_aggregation
from evalkit.data._sample import generate_large as generate_large


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark and print the figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(
        prog="python -m evalkit._bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--scale", type=float, default=1.0,
                        help="scale the generated sizes (the targets hold at 1.0 only)")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=5, help="runs per scoring figure")
    parser.add_argument("--skip-report", action="store_true", help="do not time evalkit report")
    parser.add_argument(
        "--ten-million",
        action="store_true",
        help="also load and score a CSV folder of 10M items (several minutes)",
    )
    parser.add_argument("--write", metavar="FILE", help="also write the figures to FILE")
    parser.add_argument("--doc", metavar="FILE", help="write the figures into FILE's generated"
                        " section (docs/performance.md: what make bench does)")  # fmt: skip
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "agg")
    start = time.perf_counter()
    machine = machine_info()
    machine["evalkit bytecode"] = compile_bytecode()  # before the fresh processes below
    from evalkit import _bench_side as side  # issue 11's table, beside DuckDB and polars

    check = side.bench_check_sample(3)
    xlsx = side.bench_xlsx_read(3)
    csv = side.bench_csv_folder(_scaled(LARGE, args.scale), 3)
    figures = check + xlsx + csv
    if args.ten_million:
        figures += side.bench_csv_folder(_scaled(LARGE, 10 * args.scale), 1, targets=False)
    sample = bench_sample(3) if not args.skip_report else []
    figures += sample
    figures += bench_monte_carlo(SMALL, 3)
    figures += bench_rescoring(_scaled(MEDIUM, args.scale), 10 * args.repeats)
    figures += bench_large(_scaled(LARGE, args.scale), args.repeats)
    if args.scale != 1.0:
        figures.insert(0, Figure(f"scale {args.scale}: targets apply at scale 1.0 only", None))
    command = ".venv/bin/python -m evalkit._bench " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    elapsed = time.perf_counter() - start
    table = side_by_side(check, xlsx, csv, sample[1:])
    text = render(figures, machine, elapsed) + f"\n\nCommand: `{command.strip()}`"
    print(table + "\n\n" + text)
    if args.write:
        Path(args.write).write_text(table + "\n\n" + text + "\n", encoding="utf-8")
    if args.doc:
        write_doc(Path(args.doc), doc_section(figures, table, machine, elapsed, command.strip()))
        _progress(f"figures written into {args.doc}")
    return 1 if any(f.status == "FAIL" for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
