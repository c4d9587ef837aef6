"""The bodies of the ``evalkit`` commands (:mod:`evalkit.cli` builds the parser and runs
them): the checks of their inputs before any work, the progress of slow steps on stderr,
and :class:`UserError`, the one-line failure of anything the user can fix.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
from pathlib import Path

import pandas as pd

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
BULLETIN_OUT = Path("reports") / "bulletins"
MAX_SHOWN = 50


class UserError(Exception):
    """A problem with the user's input or options: printed as one line, exit code 2."""


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


def _data_and_rules(args: argparse.Namespace):
    """The data and the rules of ``score`` and ``report``: the period, the rules file and
    the output folder are checked first, so that a mistake in them fails before the data
    is read."""
    _period(args)
    _rules(args.rules)
    if args.out:
        _out(args)
    dataset = _load_clean(args)
    return dataset, _checked_rules(args, dataset, args.rules)


def cmd_score(args: argparse.Namespace) -> int:
    from evalkit.outputs._excel import Sheet, write_csv, write_workbook
    from evalkit.outputs.pack import localise
    from evalkit.scoring.scorer import score, score_informants

    dataset, rules = _data_and_rules(args)
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

    dataset, rules = _data_and_rules(args)
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
