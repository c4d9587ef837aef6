"""What every benchmark of ``make bench`` shares: the generated sizes, the measured
:class:`Figure`, timing, progress lines and the machine the figures were measured on.

Used by :mod:`evalkit._bench` and the modules of its figures (:mod:`evalkit._bench_figures`,
:mod:`evalkit._bench_side`) and tables (:mod:`evalkit._bench_doc`).
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import evalkit

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


def _label(sizes: dict[str, int]) -> str:
    return (
        f"{sizes['n_submissions']:,} submissions, {sizes['n_adoptions']:,} adoptions, "
        f"{sizes['n_units']:,} units"
    )


# ------------------------------------------------------------------ machine
def compile_bytecode() -> str:
    """Compile evalkit's modules to bytecode, as an installed package has them, and say so.

    A fresh process otherwise compiles every evalkit module it imports when Python never
    writes bytecode (``PYTHONDONTWRITEBYTECODE``, set on some CI machines and sandboxes):
    about 0.1 s of every command's figure that a user's second run does not pay.
    """
    import compileall

    compileall.compile_dir(Path(evalkit.__file__).parent, quiet=1)
    unset = "PYTHONDONTWRITEBYTECODE" not in os.environ
    return "compiled beforehand (compileall)" + (
        "" if unset else "; PYTHONDONTWRITEBYTECODE is set here, so no run writes it"
    )


def memory_gib() -> float:
    """This machine's memory in GiB (Linux), 0 where unknown."""
    meminfo = Path("/proc/meminfo")
    if not meminfo.exists():
        return 0.0
    return int(meminfo.read_text().split("MemTotal:")[1].split()[0]) / 1024**2


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
    memory = f"{memory_gib():.1f} GiB" if memory_gib() else "unknown"
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
