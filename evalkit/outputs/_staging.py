"""Write a folder of outputs as a whole: into a staging folder beside it, then moved into place.

A run that fails half way (a full disk, Ctrl-C, a bug) leaves the previous
outputs as they were: every file is written into a hidden staging folder on
the same disk, and only when all of them are written are they moved over the
old ones, each by an atomic rename. Ctrl-C during the moves is held until they
are done, so the folder never mixes two runs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["OutputFolderError", "check_output_folder", "staged_folder"]


class OutputFolderError(Exception):
    """The output folder cannot be written: the message names it and says why."""


def check_output_folder(out: str | Path) -> Path:
    """Return ``out`` if a folder can be made or written there; raise OutputFolderError if not.

    Checked before any work is done: ``out`` that is a file, a path under a
    file, or a folder on a read-only disk or without write permission.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"{out}: is a file, not a folder; give a folder for the outputs")
    existing = out
    while not existing.exists():
        if existing.is_symlink():
            raise OutputFolderError(f"{out}: {existing} is a link to nowhere")
        existing = existing.parent
    if not existing.is_dir():
        raise OutputFolderError(f"{out}: {existing} is a file, so no folder can be made under it")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputFolderError(f"{out}: cannot write into {existing} (read-only or not permitted)")
    return out


@contextlib.contextmanager
def staged_folder(out: str | Path) -> Iterator[Path]:
    """Yield a staging folder to write into; on success its files replace those in ``out``.

    Files of ``out`` that the run did not write are kept. On any error, or
    Ctrl-C, the staging folder is removed and ``out`` is untouched.
    """
    out = check_output_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        yield staging
        with _interrupts_held():
            _publish(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _publish(staging: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for source in sorted(p for p in staging.rglob("*") if p.is_file()):
        target = out / source.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C until the block ends, then raise it (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt
