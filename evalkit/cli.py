"""The ``evalkit`` command: check a data folder, score, and write the year-end pack.

Every failure the user can fix is one message and exit code 2; nothing prints a
traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from evalkit._paths import DEFAULT_RULES
from evalkit.data._io import DataError
from evalkit.scoring.rules import RulesError

EXIT_OK, EXIT_USAGE = 0, 2
MAX_SHOWN = 50
PERIOD_HELP = "2025 (a year), 2025H1 (a half year), 2025Q3 (a quarter) or 2025-06 (a month)"


class UserError(Exception):
    """A problem with the user's input or options: printed as one line, exit code 2."""


def _table(frame: pd.DataFrame) -> str:
    with pd.option_context("display.max_colwidth", 90, "display.width", 200):
        return frame.to_string(index=False, na_rep="")


def cmd_check(args: argparse.Namespace) -> int:
    from evalkit.data.loading import load

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


def _period(args: argparse.Namespace) -> None:
    """Read ``--period`` before anything is loaded; it sets the year ranked and the file tag."""
    from evalkit.metrics import parse_period, period_tag, resolve_period

    args.span, args.tag = None, None if args.year is None else str(args.year)
    if getattr(args, "period", None) is None:
        return
    if args.year is not None:
        raise UserError("give --year or --period, not both")
    try:
        period = parse_period(args.period)
    except ValueError as error:
        raise UserError(f"--period {error}") from None
    args.span = resolve_period(period, lang=args.lang)
    args.tag, args.year = period_tag(period), period.year


def _load_clean(args: argparse.Namespace):
    """Load the data folder; refuse to rank on data with errors unless asked to."""
    from evalkit.data.loading import load

    dataset = load(args.folder)
    n_errors = int((dataset.issues["severity"] == "error").sum())
    if n_errors and not args.allow_errors:
        raise UserError(
            f"{args.folder}: {n_errors} errors in the data ({len(dataset.rejected)} rows rejected);"
            f" run `evalkit check {args.folder}` to see them, or pass --allow-errors to rank"
            " the rows that loaded"
        )
    if args.year is None:
        if not dataset.years:
            raise UserError(f"{args.folder}: no submissions loaded, so there is no year to rank")
        args.year = dataset.years[-1]
    elif args.year not in dataset.years:
        span = getattr(args, "span", None)
        option = f"--period {args.period}" if span else f"--year {args.year}"
        raise UserError(f"{option}: the data has submissions in {dataset.years} only")
    args.tag = getattr(args, "tag", None) or str(args.year)
    return dataset


def _rules(path):
    from evalkit.scoring.rules import load_rules

    return load_rules(path)


def _out(args: argparse.Namespace) -> Path:
    return Path(args.out) if args.out else Path("reports") / args.tag


def cmd_score(args: argparse.Namespace) -> int:
    from evalkit.outputs._excel import Sheet, write_csv, write_workbook
    from evalkit.outputs.pack import localise
    from evalkit.scoring.scorer import score, score_informants

    _period(args)
    dataset = _load_clean(args)
    rules = _rules(args.rules)
    units = score(dataset, rules, year=args.year, period=args.span)
    people = score_informants(dataset, rules, year=args.year, period=args.span)
    out, tag = _out(args), args.tag
    if args.format == "xlsx":
        title = f"{args.span.label if args.span else args.year} · {rules.name}"
        path = write_workbook(out / f"scores_{tag}.xlsx", [
            Sheet("单位" if args.lang == "zh" else "Units", localise(units, args.lang), title),
            Sheet("信息员" if args.lang == "zh" else "Informants", localise(people, args.lang), title),
        ], lang=args.lang)  # fmt: skip
        written = [path]
    else:
        written = [write_csv(out / f"units_{tag}.csv", units),
                   write_csv(out / f"informants_{tag}.csv", people)]  # fmt: skip
    for path in written:
        print(path)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from evalkit.outputs.pack import write_pack

    _period(args)
    dataset = _load_clean(args)
    files = write_pack(dataset, _rules(args.rules), args.year, _out(args), lang=args.lang,
                       svg=args.svg)  # fmt: skip
    print(f"{len(files)} files in {_out(args)}; open {_out(args) / 'README.md'} first")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from evalkit.outputs.pack import write_comparison

    dataset = _load_clean(args)
    summary = write_comparison(dataset, _rules(args.rules), _rules(args.against), args.year,
                               _out(args), lang=args.lang)  # fmt: skip
    print(summary)
    return EXIT_OK


def cmd_bulletin(args: argparse.Namespace) -> int:
    from evalkit.outputs.bulletin import bulletin_period, write_bulletin

    bulletin_period(args.period)  # a bad period fails before the data is loaded
    args.year, args.span = None, None
    dataset = _load_clean(args)
    out = Path(args.out) if args.out else Path("reports") / "bulletins"
    if args.format == "docx":  # the 通报 as an official document (Chinese by nature)
        from evalkit.outputs.bulletin_doc import write_bulletin_docx

        path = write_bulletin_docx(dataset, _rules(args.rules), args.period, out)
    else:
        path = write_bulletin(dataset, _rules(args.rules), args.period, out, lang=args.lang)
    print(path)
    return EXIT_OK


def cmd_rules_show(args: argparse.Namespace) -> int:
    from evalkit.outputs.rules_text import rules_text

    print(rules_text(_rules(args.rules), lang=args.lang), end="")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evalkit", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = sub.add_parser("check", help="validate a data folder and print every problem")
    check.add_argument("folder", help="data folder with units, submissions, adoptions [, faults]")
    check.add_argument("--all", action="store_true", help="show every issue, not the first 50")
    check.set_defaults(func=cmd_check)

    def common(name: str, help: str, func, period: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.add_argument("folder", help="data folder with units, submissions, adoptions [, faults]")
        p.add_argument("--year", type=int, help="year to rank (default: the latest in the data)")
        p.add_argument(
            "--rules",
            default=str(DEFAULT_RULES),
            help="rules file, or the name of a shipped one (default: rules/default.toml)",
        )
        if period:
            p.add_argument("--period", help=f"period to rank instead of a year: {PERIOD_HELP}")
        p.add_argument("--out", help="output folder (default: reports/YEAR or reports/PERIOD)")
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
    report = common("report", "write the year-end pack: workbook, charts and index", cmd_report)
    report.add_argument("--svg", action="store_true", help="also write every chart as SVG")
    compare = common("compare", "compare two rule sets: rank changes and a bump chart", cmd_compare)
    compare.add_argument("--against", required=True, help="the second rules file (B)")
    bulletin = common(
        "bulletin",
        "write the bulletin workbook of a month, quarter, half year or year",
        cmd_bulletin,
    )
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
    except (DataError, UserError, RulesError) as exc:
        print(f"evalkit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `evalkit check ... | head`
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("evalkit: interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
