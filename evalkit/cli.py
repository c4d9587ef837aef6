"""The ``evalkit`` command: check a data folder, score, and write the year-end pack.

Every failure the user can fix is one message and exit code 2; nothing prints a
traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import pandas as pd

from evalkit._io import DataError

EXIT_OK, EXIT_USAGE = 0, 2
MAX_SHOWN = 50


class UserError(Exception):
    """A problem with the user's input or options: printed as one line, exit code 2."""


def _table(frame: pd.DataFrame) -> str:
    with pd.option_context("display.max_colwidth", 90, "display.width", 200):
        return frame.to_string(index=False, na_rep="")


def cmd_check(args: argparse.Namespace) -> int:
    from evalkit.loading import load

    dataset = load(args.folder)
    print(f"evalkit check {args.folder}")
    print()
    print(_table(dataset.counts))
    print()
    for severity in ("error", "warning"):
        found = dataset.issues[dataset.issues["severity"] == severity]
        if found.empty:
            continue
        shown = found if args.all else found.head(MAX_SHOWN)
        print(
            f"{len(found)} {severity}s"
            + ("" if len(shown) == len(found) else f" (first {len(shown)}; --all shows every one)")
        )
        print(_table(shown.drop(columns=["severity", "table"])))
        print()
    n_errors = int((dataset.issues["severity"] == "error").sum())
    n_warnings = int((dataset.issues["severity"] == "warning").sum())
    print(f"{n_errors} errors, {n_warnings} warnings; {len(dataset.rejected)} rows rejected")
    return EXIT_USAGE if n_errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evalkit", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = sub.add_parser("check", help="validate a data folder and print every problem")
    check.add_argument("folder", help="data folder with units, submissions, adoptions [, faults]")
    check.add_argument("--all", action="store_true", help="show every issue, not the first 50")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (DataError, UserError) as exc:
        print(f"evalkit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("evalkit: interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
