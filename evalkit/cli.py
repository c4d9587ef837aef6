"""The ``evalkit`` command: check a data folder, score, and write the year-end pack.

Every failure the user can fix is one message and exit code 2; nothing prints a
traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from evalkit._paths import DEFAULT_RULES
from evalkit.data._io import DataError

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
BULLETIN_OUT = Path("reports") / "bulletins"
MAX_SHOWN = 50
PERIOD_HELP = "2025 (a year), 2025H1 (a half year), 2025Q3 (a quarter) or 2025-06 (a month)"


class UserError(Exception):
    """A problem with the user's input or options: printed as one line, exit code 2."""


def _user_errors() -> tuple[type[Exception], ...]:
    """The exceptions that are the user's to fix. A rules error can only come from the rules
    module once it is imported, so ``check`` without ``--rules`` never imports scoring."""
    rules = sys.modules.get("evalkit.scoring.rules")
    return (DataError, UserError) + ((rules.RulesError,) if rules else ())


PROGRESS_AFTER = 2.0  # seconds a step runs before it is said


def _progress_after(show: bool | None = None, seconds: float = PROGRESS_AFTER) -> float | None:
    """Seconds after which a running step is said on stderr; None: never.

    On a terminal (or with ``show``), steps over ``seconds``; a log or a caller reading
    stderr gets only the messages that matter, not lines that depend on how busy the
    machine was, unless ``EVALKIT_PROGRESS=<seconds>`` asks for them (0: every step).
    """
    wanted = os.environ.get("EVALKIT_PROGRESS", "").strip()
    if wanted:
        try:
            return max(float(wanted), 0.0)
        except ValueError:
            raise UserError(
                f"EVALKIT_PROGRESS={wanted}: expected a number of seconds (0 says every step)"
            ) from None
    return seconds if (sys.stderr.isatty() if show is None else show) else None


class _Steps:
    """Progress of a run in steps: each message starts a step, said (``evalkit: ... ...``)
    only when the step is still running ``seconds`` later; the next message or
    :meth:`close` ends it. With ``seconds`` None nothing is said."""

    def __init__(self, seconds: float | None):
        self.seconds, self._timer = seconds, None

    def __call__(self, message: str) -> None:
        self.close()
        if self.seconds is None:
            return
        text = message if message.startswith("evalkit: ") else f"evalkit: {message}"
        if self.seconds == 0:  # every step, at once: a timer could lose the race to the next
            _say(f"{text} ...")
            return
        self._timer = threading.Timer(self.seconds, _say, (f"{text} ...",))
        self._timer.daemon = True
        self._timer.start()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


@contextlib.contextmanager
def _step(message: str, seconds: float = PROGRESS_AFTER, *, show: bool | None = None):
    """Say ``message`` on stderr if the step is still running after ``seconds``.

    Only on a terminal by default (``show``), or as ``EVALKIT_PROGRESS`` says (see
    :func:`_progress_after`).
    """
    steps = _Steps(_progress_after(show, seconds))
    steps(message)
    try:
        yield
    finally:
        steps.close()


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _table(frame: pd.DataFrame) -> str:
    # empty cells stay empty: na_rep does not reach a nullable column's <NA> (a file's issue
    # has no row)
    frame = frame.astype(object).where(frame.notna(), "")
    with pd.option_context("display.max_colwidth", 90, "display.width", 200):
        return frame.to_string(index=False)


def _load(folder):
    from evalkit.data.loading import load

    dataset = load(folder)
    if dataset.counts.empty:  # not one table file: say so plainly instead of an empty table
        raise UserError(
            f"{folder}: no data files in this folder; expected the units, submissions and"
            " adoptions files as .csv or .xlsx (see docs/data-format.md)"
        )
    return dataset


def cmd_check(args: argparse.Namespace) -> int:
    rules = _rules(args.rules) if args.rules else None  # a bad rules file fails before loading
    with _step(f"reading {args.folder}"):
        dataset = _load(args.folder)
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
    if rules is not None:
        from evalkit.scoring.fit import rules_data_issues

        fit = rules_data_issues(dataset, rules)
        print(f"rules {rules.source}: {len(fit)} values that the data does not have")
        for line in _fit_lines(fit):
            print(line)
        print()
        n_errors += int((fit["severity"] == "error").sum())
        n_warnings += int((fit["severity"] == "warning").sum())
    print(f"{n_errors} errors, {n_warnings} warnings; {len(dataset.rejected)} rows rejected")
    return EXIT_USAGE if n_errors else EXIT_OK


def _fit_lines(fit: pd.DataFrame, prefix: str = "  ") -> list[str]:
    return [f"{prefix}{r.severity}: {r.key} = {r.value!r}: {r.message}" for r in fit.itertuples()]


def _checked_rules(args: argparse.Namespace, dataset, path):
    """Load rules and check that every group, class, outlet and category they name is in the
    data: errors stop the run (unless --allow-errors), warnings go to stderr."""
    from evalkit.scoring.fit import rules_data_issues

    rules = _rules(path)
    fit = rules_data_issues(dataset, rules)
    errors = fit[fit["severity"] == "error"]
    if not errors.empty and not args.allow_errors:
        raise UserError(
            f"rules {rules.source} name values that the data does not have:\n"
            + "\n".join(_fit_lines(errors))
            + f"\nfix the rules (or the data), check with `evalkit check {args.folder}"
            f" --rules {path}`, or pass --allow-errors"
        )
    shown = fit if args.allow_errors else fit[fit["severity"] == "warning"]
    for line in _fit_lines(shown, prefix=f"evalkit: rules {rules.source}: "):
        print(line, file=sys.stderr)
    return rules


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
    with _step(f"reading {args.folder}"):
        dataset = _load(args.folder)
    n_errors = int((dataset.issues["severity"] == "error").sum())
    if n_errors and not args.allow_errors:
        raise UserError(
            f"{args.folder}: {n_errors} errors in the data ({len(dataset.rejected)} rows rejected);"
            f" run `evalkit check {args.folder}` to see them, or pass --allow-errors to rank"
            " the rows that loaded"
        )
    if args.year is None:
        if dataset.default_year is None:
            raise UserError(f"{args.folder}: no submissions loaded, so there is no year to rank")
        args.year = dataset.default_year  # the latest year with a real share of the data
    elif args.year not in dataset.years:
        span = getattr(args, "span", None)
        option = f"--period {args.period}" if span else f"--year {args.year}"
        raise UserError(f"{option}: the data has submissions in {dataset.years} only")
    args.tag = getattr(args, "tag", None) or str(args.year)
    return dataset


def _rules(path):
    from evalkit.scoring.rules import load_rules

    return load_rules(path)


def _out(args: argparse.Namespace, default: str | Path | None = None) -> Path:
    """The output folder, checked before any work: not a file, not under one, writable."""
    from evalkit.outputs._staging import OutputFolderError, check_output_folder

    out = (
        Path(args.out)
        if args.out
        else Path(default or Path("reports") / (getattr(args, "tag", None) or str(args.year)))
    )
    try:
        return check_output_folder(out)
    except OutputFolderError as error:
        raise UserError(f"--out {error}") from None


def cmd_score(args: argparse.Namespace) -> int:
    from evalkit.outputs._excel import Sheet, write_csv, write_workbook
    from evalkit.outputs.pack import localise
    from evalkit.scoring.scorer import score, score_informants

    _period(args)
    _rules(args.rules)  # a bad rules file (or --out) fails before the data is read
    if args.out:
        _out(args)
    dataset = _load_clean(args)
    rules = _checked_rules(args, dataset, args.rules)
    with _step(f"scoring {args.span.label if args.span else args.year}"):
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
    from evalkit.outputs._staging import staged_folder
    from evalkit.outputs.pack import write_pack

    _period(args)
    _rules(args.rules)  # a bad rules file (or --out) fails before the data is read
    if args.out:
        _out(args)
    dataset = _load_clean(args)
    rules = _checked_rules(args, dataset, args.rules)
    out = _out(args)
    # Written beside the old pack and moved into place at the end: a failed or interrupted
    # run leaves the previous pack whole.
    steps = _Steps(_progress_after())  # scoring, charts, the workbook ...: each over 2 s
    with staged_folder(out) as staging:
        try:
            files = write_pack(dataset, rules, args.year, staging, lang=args.lang, svg=args.svg,
                               progress=lambda message: steps(message.replace(str(staging),
                                                                              str(out))),
                               period=args.span, tag=args.tag)  # fmt: skip
        finally:
            steps.close()
    print(f"{len(files)} files in {out}; open {out / 'README.md'} first")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from evalkit.outputs.pack import write_comparison

    _rules(args.rules), _rules(args.against)  # bad rules files fail before the data is read
    if args.out:
        _out(args)
    dataset = _load_clean(args)
    summary = write_comparison(dataset, _checked_rules(args, dataset, args.rules),
                               _checked_rules(args, dataset, args.against), args.year,
                               _out(args), lang=args.lang)  # fmt: skip
    print(summary)
    return EXIT_OK


def cmd_bulletin(args: argparse.Namespace) -> int:
    from evalkit.outputs.bulletin import bulletin_period, write_bulletin

    bulletin_period(args.period)  # a bad period, rules file or output folder fails first
    _rules(args.rules)
    out = _out(args, default=BULLETIN_OUT)
    args.year, args.span = None, None  # the period names the year
    dataset = _load_clean(args)
    rules = _checked_rules(args, dataset, args.rules)
    with _step(f"writing the bulletin of {args.period}"):
        if args.format == "docx":  # the 通报 as an official document (Chinese by nature)
            from evalkit.outputs.bulletin_doc import write_bulletin_docx

            path = write_bulletin_docx(dataset, rules, args.period, out)
        else:
            path = write_bulletin(dataset, rules, args.period, out, lang=args.lang)
    print(path)
    return EXIT_OK


def cmd_rules_show(args: argparse.Namespace) -> int:
    from evalkit.outputs.rules_text import rules_text

    print(rules_text(_rules(args.rules), lang=args.lang), end="")
    return EXIT_OK


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
