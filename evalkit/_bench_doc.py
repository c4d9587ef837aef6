"""The Markdown of ``make bench``: the figures and the machine as tables, issue 11's
side-by-side table, and the generated section of ``docs/performance.md``.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

from evalkit._bench_kit import Figure, _load_average


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
