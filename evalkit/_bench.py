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
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import evalkit
from evalkit._paths import SAMPLE_DIR
from evalkit.data._sample import generate_large
from evalkit.metrics import resolve_period
from evalkit.scoring.rules import LEVELS, Rules, available_rules, load_rules
from evalkit.scoring.scorer import Scorer, score
from evalkit.scoring.uncertainty import rank_bands

YEAR = 2025
LARGE = {"n_submissions": 1_000_000, "n_adoptions": 400_000, "n_units": 5_000}
MEDIUM = {"n_submissions": 100_000, "n_adoptions": 40_000, "n_units": 500}
# 80 units with a county's volumes (about 75 items a unit, 40% adopted).
SMALL = {"n_submissions": 6_000, "n_adoptions": 2_400, "n_units": 80}


@dataclass
class Figure:
    """One measured figure: ``seconds`` against ``target`` seconds (None: no target)."""

    what: str
    seconds: float | None
    target: float | None = None
    note: str = ""
    cpu: float | None = None  # CPU seconds of the same run(s), this process and its threads

    @property
    def status(self) -> str:
        if self.target is None:
            return "-"
        if self.seconds is None:
            return "n/a"
        return "PASS" if self.seconds < self.target else "FAIL"


def _progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Timing:
    """Wall-clock seconds of every run, CPU seconds of every run, and the last result."""

    runs: list[float]
    cpu_runs: list[float]
    result: object = None

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_runs)

    def span(self) -> str:
        if len(self.runs) == 1:
            return "once"
        return f"median of {len(self.runs)}, {min(self.runs):.3g}-{max(self.runs):.3g} s"


def timed(func: Callable[[], object], repeats: int) -> Timing:
    """Run ``func`` ``repeats`` times (after a garbage collection each) and time every run."""
    timing = Timing([], [])
    for _ in range(repeats):
        gc.collect()
        cpu, start = time.process_time(), time.perf_counter()
        timing.result = func()
        timing.runs.append(time.perf_counter() - start)
        timing.cpu_runs.append(time.process_time() - cpu)
    return timing


def _scaled(sizes: dict[str, int], scale: float) -> dict[str, int]:
    return {key: max(int(value * scale), 10) for key, value in sizes.items()}


# ------------------------------------------------------------------ machine
def machine_info() -> dict[str, str]:
    """Platform, CPU model, cores, memory and library versions of this machine."""
    cpuinfo = Path("/proc/cpuinfo")
    model = platform.processor() or "unknown"
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        model = names[0] if names else model
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{total_kb / 1024**2:.1f} GiB"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import duckdb
    import polars

    return {
        "platform": platform.platform(),
        "CPU": model,
        "cores": f"{os.cpu_count()} (usable by this process: {usable})",
        "memory": memory,
        "Python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "duckdb": duckdb.__version__,
        "polars": polars.__version__,
        "evalkit": evalkit.__version__,
        "load average at start": _load_average(),
    }


def _load_average() -> str:
    """The 1-minute load average: other processes sharing the CPUs slow every wall-clock figure."""
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return f"{os.getloadavg()[0]:.2f}"


# ------------------------------------------------------------------ DuckDB side by side
_AGGREGATION_SQL = """
WITH credit AS (
    SELECT su.submission_id, su.unit,
           CASE WHEN $split THEN 1.0 / su.n_units ELSE 1.0 END AS share
    FROM submission_units AS su
),
items AS (
    SELECT c.unit, count(*) AS n_items
    FROM credit AS c JOIN submissions AS s USING (submission_id)
    WHERE s.submitted_at >= $start AND s.submitted_at < $end
    GROUP BY c.unit
),
adopted AS (
    SELECT a.submission_id, CAST(a.level AS VARCHAR) AS level,
           coalesce(o.points, lp.points) * tf.factor * cf.factor AS points
    FROM adoptions AS a
    JOIN submissions AS s USING (submission_id)
    JOIN level_points AS lp ON lp.level = CAST(a.level AS VARCHAR)
    LEFT JOIN outlet_points AS o
           ON o.level = CAST(a.level AS VARCHAR) AND o.outlet = trim(a.outlet)
    JOIN type_factor AS tf
      ON tf.adoption_type = coalesce(CAST(a.adoption_type AS VARCHAR), 'single')
    JOIN category_factor AS cf
      ON cf.category = coalesce(CAST(s.category AS VARCHAR), 'ordinary')
    WHERE a.adopted_at >= $start AND a.adopted_at < $end
),
points AS (
    SELECT c.unit,
           sum(p.points * c.share) FILTER (WHERE p.level = 'county') AS points_county,
           sum(p.points * c.share) FILTER (WHERE p.level = 'city') AS points_city,
           sum(p.points * c.share) FILTER (WHERE p.level = 'province') AS points_province,
           sum(p.points * c.share) FILTER (WHERE p.level = 'national') AS points_national
    FROM adopted AS p JOIN credit AS c USING (submission_id)
    GROUP BY c.unit
)
SELECT u.unit,
       coalesce(i.n_items, 0) AS n_items,
       coalesce(p.points_county, 0) AS points_county,
       coalesce(p.points_city, 0) AS points_city,
       coalesce(p.points_province, 0) AS points_province,
       coalesce(p.points_national, 0) AS points_national
FROM units AS u
LEFT JOIN items AS i USING (unit)
LEFT JOIN points AS p USING (unit)
ORDER BY u.unit
"""
AGGREGATE_COLUMNS = ["n_items", *(f"points_{level}" for level in LEVELS)]


def _rule_tables(rules: Rules) -> dict[str, pd.DataFrame]:
    """The rules' adoption points and factors as small tables for SQL."""
    outlets = rules["adoption.outlets"]
    return {
        "level_points": pd.DataFrame(
            {"level": list(LEVELS), "points": [rules[f"adoption.points.{lv}"] for lv in LEVELS]}
        ),
        "outlet_points": pd.DataFrame(
            [(lv, name, pts) for lv, named in outlets.items() for name, pts in named.items()],
            columns=["level", "outlet", "points"],
        ).astype({"points": float}),
        "type_factor": pd.DataFrame(
            list(rules["adoption.type_factor"].items()), columns=["adoption_type", "factor"]
        ),
        "category_factor": pd.DataFrame(
            list(rules["adoption.category_factor"].items()), columns=["category", "factor"]
        ),
    }


def duckdb_aggregation(dataset: evalkit.Dataset, rules: Rules, year: int):
    """A function that runs the per-unit aggregation in DuckDB over ``dataset``'s frames.

    Per unit: the items submitted in ``year`` (a joint item counts for each of
    its units) and the adoption points of each level earned in ``year`` under
    ``rules`` (level or outlet points x type factor x category factor, shared as
    ``adoption.joint`` says, summed over every adoption). These equal the
    ``n_items`` and ``points_<level>`` columns of :func:`evalkit.scoring.scorer.score`
    for rules in ``adoption.mode = "sum"``.

    Returns
    -------
    callable
        ``() -> DataFrame`` of ``unit`` and :data:`AGGREGATE_COLUMNS`, sorted by unit.
        The frames are registered (not copied) in an in-memory DuckDB once.
    """
    import duckdb

    if rules["adoption.mode"] != "sum":
        raise ValueError('the SQL aggregation is written for adoption.mode = "sum"')
    span = resolve_period(year=year)
    con = duckdb.connect()
    for name in ("units", "submissions", "submission_units", "adoptions"):
        con.register(name, getattr(dataset, name))
    for name, frame in _rule_tables(rules).items():
        con.register(name, frame)
    parameters = {
        "split": rules["adoption.joint"] == "split",
        "start": span.start.to_pydatetime(),
        "end": span.end.to_pydatetime(),
    }
    return lambda: con.execute(_AGGREGATION_SQL, parameters).df()


def _largest_difference(evalkit_scores: pd.DataFrame, sql: pd.DataFrame) -> float:
    mine = evalkit_scores.set_index("unit")[AGGREGATE_COLUMNS].sort_index()
    theirs = sql.set_index("unit")[AGGREGATE_COLUMNS].reindex(mine.index)
    return float(np.abs(mine.to_numpy(dtype=float) - theirs.to_numpy(dtype=float)).max())


# ------------------------------------------------------------------ the benchmarks
def _label(sizes: dict[str, int]) -> str:
    return (
        f"{sizes['n_submissions']:,} submissions, {sizes['n_adoptions']:,} adoptions, "
        f"{sizes['n_units']:,} units"
    )


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


# ------------------------------------------------------------------ output
def render(figures: list[Figure], machine: dict[str, str], elapsed: float) -> str:
    """The figures and the machine as Markdown tables."""
    lines = [
        "| figure | wall clock | target | result | CPU | notes |",
        "|---|---:|---:|---|---:|---|",
    ]
    for f in figures:
        measured = "-" if f.seconds is None else _seconds(f.seconds)
        target = "-" if f.target is None else f"< {_seconds(f.target)}"
        cpu = "-" if f.cpu is None else _seconds(f.cpu)
        lines.append(f"| {f.what} | {measured} | {target} | {f.status} | {cpu} | {f.note} |")
    lines += ["", "| machine | |", "|---|---|"]
    machine = machine | {"load average at end": _load_average()}
    lines += [f"| {key} | {value} |" for key, value in machine.items()]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    lines += ["", f"Whole benchmark: {elapsed:.0f} s; peak memory {peak:.1f} GiB."]
    return "\n".join(lines)


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def side_by_side(check: list[Figure], xlsx: list[Figure], csv: list[Figure],
                 report: list[Figure]) -> str:  # fmt: skip
    """Issue 11's table: each figure of this run beside DuckDB, polars or calamine.

    ``csv`` is what :func:`evalkit._bench_side.bench_csv_folder` gives (evalkit,
    DuckDB, polars, ratios), ``xlsx`` :func:`~evalkit._bench_side.bench_xlsx_read`
    (evalkit, python-calamine, fastexcel), ``check`` and ``report`` one figure each (or none).
    """

    def cell(f: Figure | None) -> str:
        if f is None or f.seconds is None:
            return "-"
        cpu = "" if f.cpu is None else f" ({_seconds(f.cpu)} CPU)"
        return f"{_seconds(f.seconds)}{cpu}"

    def ratio(a: Figure | None, b: Figure | None) -> str:
        if a is None or b is None or not a.seconds or not b.seconds:
            return "-"
        return f"{a.seconds / b.seconds:.1f}x"

    def result(f: Figure | None) -> str:
        if f is None or f.target is None:
            return "-"
        return f"{f.status} (< {_seconds(f.target)})"

    lines = [
        "| work | evalkit | DuckDB | polars | other | evalkit / fastest peer | result |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    if len(csv) >= 3:
        ek, dk, pl = csv[:3]
        best = min((dk, pl), key=lambda f: f.seconds or float("inf"))
        lines.append(f"| {ek.what}; {ek.note} | {cell(ek)} | {cell(dk)} | {cell(pl)} | - |"
                     f" {ratio(ek, best)} | {result(ek)} |")  # fmt: skip
    names = ("python-calamine", "fastexcel")  # the peers bench_xlsx_read measures, in order
    readers = [(f, n) for f, n in zip(xlsx[1:], names, strict=False) if f.seconds is not None]
    if xlsx and readers:
        best = min((f for f, _ in readers), key=lambda f: f.seconds)
        others = "; ".join(f"{cell(f)} ({name})" for f, name in readers)
        lines.append(f"| {xlsx[0].what} | {cell(xlsx[0])} | - | - | {others} |"
                     f" {ratio(xlsx[0], best)} | - |")  # fmt: skip
    for f in [*check, *report]:
        lines.append(f"| {f.what} | {cell(f)} | - | - | - | - | {result(f)} |")
    return "\n".join(lines)


DOC_START = "<!-- bench:start: written by `make bench`; edit outside the markers -->"
DOC_END = "<!-- bench:end -->"


def write_doc(path: Path, section: str) -> None:
    """Put ``section`` between the markers of ``path`` (docs/performance.md), keeping the
    hand-written text around them; without markers, after the document's first section."""
    text = path.read_text(encoding="utf-8")
    block = f"{DOC_START}\n{section.strip()}\n{DOC_END}"
    if DOC_START in text and DOC_END in text:
        before, rest = text.split(DOC_START, 1)
        after = rest.split(DOC_END, 1)[1]
        text = before + block + after
    else:
        head, sep, tail = text.partition("\n## ")
        text = (
            f"{head.rstrip()}\n\n{block}\n\n{sep.lstrip()}{tail}" if sep else f"{text}\n{block}\n"
        )
    path.write_text(text, encoding="utf-8")


def doc_section(figures: list[Figure], table: str, machine: dict[str, str], elapsed: float,
                command: str) -> str:  # fmt: skip
    """The generated section of docs/performance.md: when, where, how, and every figure."""
    failed = [f.what for f in figures if f.status == "FAIL"]
    verdict = (f"**{len(failed)} target(s) missed**: " + "; ".join(failed)) if failed else (
        "Every target is met.")  # fmt: skip
    return "\n".join([
        f"## Latest `make bench`: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"Command: `{command}` (what `make bench` runs). Machine: {machine.get('CPU', '?')},"
        f" {machine.get('cores', '?')}; load average {machine.get('load average at start', '?')}"
        f" at the start and {_load_average()} at the end (the benchmark alone keeps it near 1:"
        " more means other processes shared the CPUs, and wall clock is then inflated; the"
        " CPU column is the process's own time). " + verdict,
        "",
        "### Issue 11's table, side by side in this run",
        "",
        table,
        "",
        "### Every figure",
        "",
        render(figures, machine, elapsed),
    ])  # fmt: skip


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
    from evalkit import _bench_side as side  # issue 11's table, beside DuckDB and polars

    check = side.bench_check_sample(3)
    xlsx = side.bench_xlsx_read(3)
    csv = side.bench_csv_folder(_scaled(LARGE, args.scale), 3)
    figures = check + xlsx + csv
    if args.ten_million:
        figures += side.bench_csv_folder(_scaled(LARGE, 10 * args.scale), 1)
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
