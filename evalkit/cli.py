"""The ``evalkit`` command: check a data folder, score, and write the year-end pack.

Every failure the user can fix is one message and exit code 2; nothing prints a
traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable

from evalkit._cli_commands import (  # noqa: F401  (all still importable from evalkit.cli)
    BULLETIN_OUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    MAX_SHOWN,
    PROGRESS_AFTER,
    UserError,
    _progress_after,
    _step,
    _Steps,
    cmd_bulletin,
    cmd_check,
    cmd_compare,
    cmd_report,
    cmd_rules_show,
    cmd_score,
)
from evalkit._paths import DEFAULT_RULES
from evalkit.data._io import DataError

PERIOD_HELP = "2025 (a year), 2025H1 (a half year), 2025Q3 (a quarter) or 2025-06 (a month)"


def _user_errors() -> tuple[type[Exception], ...]:
    """The exceptions that are the user's to fix. A rules error can only come from the rules
    module once it is imported, so ``check`` without ``--rules`` never imports scoring."""
    rules = sys.modules.get("evalkit.scoring.rules")
    return (DataError, UserError) + ((rules.RulesError,) if rules else ())


def build_parser() -> argparse.ArgumentParser:
    from evalkit import __version__

    parser = argparse.ArgumentParser(prog="evalkit", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"evalkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = sub.add_parser("check", help="validate a data folder and print every problem")
    check.add_argument("folder", help="data folder with units, submissions, adoptions [, faults]")
    check.add_argument("--all", action="store_true", help="show every issue, not the first 50")
    check.add_argument(
        "--rules",
        help="also check that every group, class, outlet and category the rules name is in the data",
    )
    check.set_defaults(func=cmd_check)

    def common(
        name: str, help: str, func, *, out: str = "reports/YEAR", period: bool = False
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.add_argument("folder", help="data folder with units, submissions, adoptions [, faults]")
        if func is not cmd_bulletin:  # a bulletin's period names its year
            p.add_argument(
                "--year", type=int, help="year to rank (default: the latest in the data)"
            )
        p.add_argument(
            "--rules",
            default=str(DEFAULT_RULES),
            help="rules file, or the name of a shipped one (default: rules/default.toml)",
        )
        if period:
            p.add_argument("--period", help=f"period to rank instead of a year: {PERIOD_HELP}")
        p.add_argument("--out", help=f"output folder (default: {out})")
        p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of labels")
        p.add_argument(
            "--allow-errors",
            action="store_true",
            help="rank the rows that loaded even when the data has errors",
        )
        p.set_defaults(func=func)
        return p

    score = common(
        "score", "write the unit and informant scores (CSV or XLSX)", cmd_score, period=True
    )
    score.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    report = common("report", "write the year-end pack: workbook, charts and index", cmd_report,
                    period=True)  # fmt: skip
    report.add_argument("--svg", action="store_true", help="also write every chart as SVG")
    compare = common("compare", "compare two rule sets: rank changes and a bump chart", cmd_compare)
    compare.add_argument("--against", required=True, help="the second rules file (B)")
    bulletin = common("bulletin", "write the bulletin of a month, quarter, half year or year",
                      cmd_bulletin, out=BULLETIN_OUT.as_posix())  # fmt: skip
    bulletin.add_argument("--period", required=True, help=PERIOD_HELP)
    bulletin.add_argument(
        "--format",
        choices=["xlsx", "docx"],
        default="xlsx",
        help="xlsx: the bulletin workbook; docx: the 通报 as an official document (GB/T 9704)",
    )
    rules = sub.add_parser("rules", help="read rule sets").add_subparsers(
        dest="rules_command", required=True, metavar="ACTION"
    )
    show = rules.add_parser("show", help="print a rule set as numbered clauses (考核细则)")
    show.add_argument("rules", help="rules file, or the name of a shipped one (e.g. default)")
    show.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the text")
    show.set_defaults(func=cmd_rules_show)
    return parser


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one plain line for the user, without Python's file and line."""
    print(f"evalkit: warning: {message}", file=sys.stderr if file is None else file)


def main(argv: list[str] | None = None) -> int:
    warnings.showwarning = _one_line_warning
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except _user_errors() as exc:
        print(f"evalkit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `evalkit check ... | head`
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("evalkit: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # a full disk, a folder that vanished, permissions
        where = f" {exc.filename}:" if exc.filename else ""
        print(f"evalkit: error:{where} {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bug: one line, and the traceback on request
        if os.environ.get("EVALKIT_DEBUG"):
            raise
        print(f"evalkit: internal error: {type(exc).__name__}: {exc} (set EVALKIT_DEBUG=1 to see"
              " where; please report it with the command you ran)", file=sys.stderr)  # fmt: skip
        return EXIT_INTERNAL


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
