"""The figure groups of ``make bench`` measured in this process: loading and scoring the
large generated set (with the DuckDB aggregation beside it), re-scoring, Monte Carlo rank
bands, and the sample's load and year-end pack.

Run by :func:`evalkit._bench.main`; the figures beside DuckDB, polars and calamine in
fresh processes are :mod:`evalkit._bench_side`'s.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import evalkit
from evalkit._bench_kit import YEAR, Figure, Timing, _label, _progress, timed
from evalkit._bench_side import _largest_difference, duckdb_aggregation
from evalkit._paths import SAMPLE_DIR
from evalkit.data._sample import generate_large
from evalkit.scoring.rules import available_rules, load_rules
from evalkit.scoring.scorer import Scorer, score
from evalkit.scoring.uncertainty import rank_bands


def bench_large(sizes: dict[str, int], repeats: int) -> list[Figure]:
    """Load, score a year, re-score, and the DuckDB comparison on the large set."""
    label = _label(sizes)
    _progress(f"generating {label}")
    made = timed(lambda: generate_large(**sizes, year=YEAR), 1)
    _progress("validating through evalkit.load_frames (once)")
    raw = made.result
    loaded = timed(lambda: evalkit.load_frames(**raw), 1)
    dataset, made.result = loaded.result, None  # free the raw frames
    raw.clear()
    figures = [
        Figure(f"generate_large ({label})", made.median, None, "once; test data, not a user step"),
        Figure(f"evalkit.load_frames: validation ({label})", loaded.median, None,
               f"once; {dataset!r}", loaded.cpu),
    ]  # fmt: skip

    _progress(f"scoring a year, {repeats} runs")
    holder = {}

    def build() -> Scorer:
        holder["scorer"] = Scorer(dataset, "default", year=YEAR)
        return holder["scorer"]

    built, scored = Timing([], []), Timing([], [])
    for _ in range(repeats):  # evalkit.scoring.scorer.score is exactly Scorer(...).score()
        one = timed(build, 1)
        built.runs += one.runs
        built.cpu_runs += one.cpu_runs
        one = timed(holder["scorer"].score, 1)
        scored.runs += one.runs
        scored.cpu_runs += one.cpu_runs
        scored.result = one.result
    total = Timing(
        [a + b for a, b in zip(built.runs, scored.runs, strict=True)],
        [a + b for a, b in zip(built.cpu_runs, scored.cpu_runs, strict=True)],
        scored.result,
    )
    whole = timed(lambda: score(dataset, "default", YEAR), 1)
    if not whole.result.equals(total.result):
        raise AssertionError("evalkit.scoring.scorer.score and Scorer(...).score() disagree")
    figures.append(
        Figure(
            f"score a year ({label})",
            total.median,
            2.0,
            f"{total.span()}: Scorer build {built.median:.2f} s + score() "
            f"{scored.median:.2f} s; evalkit.scoring.scorer.score once: {whole.median:.2f} s",
            total.cpu,
        )
    )
    changes = iter({"adoption.points.province": 40 + i % 7} for i in range(10))
    rescore = timed(lambda: holder["scorer"].score(next(changes)), 10)
    figures.append(
        Figure(
            f"re-score after a weight change ({sizes['n_submissions']:,} items)",
            rescore.median,
            None,
            f"{rescore.span()}; no target at this size",
            rescore.cpu,
        )
    )

    _progress("DuckDB side by side")
    query = duckdb_aggregation(dataset, load_rules("default"), YEAR)
    query()  # warm: the first run plans the query and reads the frames' types
    sql = timed(query, repeats)
    difference = _largest_difference(total.result, sql.result)
    figures += [
        Figure(
            "per-unit aggregation in DuckDB SQL (items; adoption points per level)",
            sql.median,
            None,
            f"{sql.span()}; over the same Dataset frames, registered in duckdb; "
            f"max abs(evalkit - SQL) over {len(sql.result)} units x 5 columns = {difference:.2g}",
            sql.cpu,
        ),
        Figure(
            "ratio evalkit / DuckDB",
            None,
            None,
            f"score a year / SQL = {total.median / sql.median:.2f}x (evalkit also does "
            f"instructions, lateness, quotas, faults, ranks); prepared re-score / SQL = "
            f"{rescore.median / sql.median:.2f}x",
        ),
    ]
    return figures


def bench_rescoring(sizes: dict[str, int], repeats: int) -> list[Figure]:
    """Re-scoring after a weight change with a prepared Scorer."""
    _progress(f"re-scoring at {sizes['n_submissions']:,} items")
    dataset = evalkit.load_frames(**generate_large(**sizes, year=YEAR))
    built = timed(lambda: Scorer(dataset, "default", year=YEAR), 1)
    scorer = built.result
    scorer.score()
    changes = iter(
        {"adoption.points.province": 30 + i % 20, "adoption.type_factor.combined": 0.4 + i % 3 / 10}
        for i in range(repeats)
    )
    rescore = timed(lambda: scorer.score(next(changes)), repeats)
    return [
        Figure(
            f"re-score after a weight change ({_label(sizes)})",
            rescore.median,
            0.050,
            f"{rescore.span()}; new weights every run; Scorer built once in {built.median:.2f} s",
            rescore.cpu,
        )
    ]


def bench_monte_carlo(sizes: dict[str, int], repeats: int) -> list[Figure]:
    """1,000 draws of rank bands: weights under every shipped rule set, and bootstrap.

    Rules linear in the varied weights go through the checked linear model; the
    others (highest-only adoptions, caps, averages) re-score every draw exactly.
    """
    _progress(f"Monte Carlo rank bands at {sizes['n_units']} units, every shipped rule set")
    dataset = evalkit.load_frames(**generate_large(**sizes, year=YEAR))
    figures = []
    cases = [(name, "weights") for name in available_rules()] + [("default", "bootstrap")]
    for rules, method in cases:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # the non-linear fallback warns by design
            bands = timed(
                lambda r=rules, m=method: rank_bands(dataset, r, YEAR, n_draws=1000, method=m),
                repeats,
            )
        if method == "bootstrap":
            how = "items resampled within each unit"
        elif any("not linear" in str(w.message) for w in caught):
            how = "default ranges (+-20%); not linear: every draw re-scored exactly"
        else:
            how = "default ranges (+-20%); linear model verified by exact re-scores"
        figures.append(
            Figure(
                f"1,000 Monte Carlo draws: rank_bands, {method}, rules {rules} "
                f"({len(bands.result)} units, generated)",
                bands.median,
                2.0,
                f"{bands.span()}; {how}",
                bands.cpu,
            )
        )
    return figures


REPORT_TARGET = 8.0  # issue 11: the whole pack, documents and deck included, imports included


def bench_sample(repeats: int) -> list[Figure]:
    """Load data/sample, and make its year-end pack in fresh processes."""
    _progress("evalkit.load(data/sample)")
    loaded = timed(lambda: evalkit.load(SAMPLE_DIR), repeats)
    figures = [
        Figure('evalkit.load("data/sample")', loaded.median, None,
               f"{loaded.span()}; {loaded.result!r}", loaded.cpu)
    ]  # fmt: skip
    _progress(f"evalkit report data/sample, {repeats} fresh processes")
    command = Path(sys.executable).with_name("evalkit")
    what = "evalkit report data/sample --year 2025 (fresh process, imports included)"
    timing = Timing([], [])
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            done = subprocess.run(
                [str(command), "report", str(SAMPLE_DIR), "--year", str(YEAR), "--out", out],
                capture_output=True,
                text=True,
                env=os.environ | {"MPLBACKEND": "agg"},
            )
            timing.runs.append(time.perf_counter() - start)
            files = sum(1 for p in Path(out).rglob("*") if p.is_file())
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and its chart workers
        timing.cpu_runs.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            failure = f"exit {done.returncode}: {lines[-1] if lines else 'no output'}"
            return [*figures, Figure(what, None, REPORT_TARGET, f"not available: {failure}")]
    figures.append(
        Figure(what, timing.median, REPORT_TARGET, f"{timing.span()}; {files} files written;"
               " CPU of the command and its chart workers", timing.cpu)
    )  # fmt: skip
    return figures
