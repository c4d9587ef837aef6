"""The year-end pack: the ranking workbook, the CSV tables, the charts and an index.

:func:`write_pack` reads everything from the engine (scores, ledger, awards,
metrics) so the workbook, the CSV files and the charts always show the same
numbers. Headers and chart text are Chinese by default, English with
``lang="en"``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from evalkit.data._dataset import Dataset
from evalkit.outputs._excel import Sheet, write_csv, write_workbook
from evalkit.outputs._files import replace_atomically
from evalkit.outputs._labels import enum_label, header_labels, label, rule_label, translate
from evalkit.outputs._pack_charts import (
    chart_jobs,
    chart_pool,
    early_jobs,
    frozen_heap,
    gc_paused,
    render,
    titled,
)
from evalkit.outputs._pack_words import text as _text
from evalkit.outputs.rules_text import rules_rows
from evalkit.scoring.rules import Rules, load_rules

__all__ = ["localise", "pack_tables", "write_comparison", "write_pack"]

Progress = Callable[[str], None]


def _stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def localise(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Headers in ``lang``; enumeration values and Chinese data values translated for English."""
    out = frame.copy()
    enums = {"category": "category", "level": "level", "adoption_type": "adoption_type",
             "instruction_level": "instruction_level", "kind": "fault_kind",
             "severity": "severity", "table": "table"}  # fmt: skip
    for col, enum in enums.items():
        if col in out:
            out[col] = out[col].astype("string").map(lambda v, e=enum: enum_label(e, v, lang),
                                                     na_action="ignore")  # fmt: skip
    for col in ("group", "class", "award"):
        if col in out and lang == "en":
            out[col] = (
                out[col].astype("string").map(lambda v: translate(v, lang), na_action="ignore")
            )
    for col in ("vetoed", "vetoed_a", "vetoed_b"):
        if col in out:
            out[col] = out[col].map({True: _text("vetoed_yes", lang), False: None})
    if "quota_met" in out:
        out["quota_met"] = out["quota_met"].map({True: _text("vetoed_yes", lang), False: None})
    if "rule" in out:  # ledger rule keys in words
        out["rule"] = out["rule"].map(lambda key: rule_label(str(key), lang), na_action="ignore")
    if "record" in out and lang == "zh":
        out["record"] = out["record"].str.replace(r"^fault:", "问题记录", regex=True)
    if "points" in out:
        out = out.rename(columns={"points": "ledger_points"})
    return out.rename(columns=header_labels(out.columns, lang))


def _blank_zeros(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Zero points shown as empty cells: a table of components reads by what is there."""
    return frame.assign(**{c: frame[c].mask(frame[c].eq(0)) for c in columns})


def _part_of_year(year: int, period) -> Any:
    """``period`` as a :class:`~evalkit.metrics.Span` when it is less than the calendar year
    ``year`` (a half year, quarter or month), else None: a whole year is the year's pack."""
    if period is None:
        return None
    from evalkit.metrics import resolve_period

    span = resolve_period(period)
    whole = (pd.Timestamp(year, 1, 1), pd.Timestamp(year + 1, 1, 1))
    return None if (span.start, span.end) == whole else span


def _when(year: int, span, lang: str) -> str:
    """What the pack covers, for titles: 2025年度 / 2025, or the period's label (2025年上半年)."""
    if span is None:
        return f"{year}年度" if lang == "zh" else str(year)
    return span.label


def pack_tables(
    dataset: Dataset, rules: Rules, year: int, lang: str = "zh", period: Any = None
) -> dict[str, pd.DataFrame]:
    """Compute every table of the year-end pack (canonical column names, not localised).

    Returns a dict with ``scores``, ``informants``, ``awards``, ``ledger``,
    ``metrics``, ``monthly``, ``lags``, ``adopted``, ``faults`` and ``previous``
    (last year's scores under the same rules, or None without last year's data).
    With ``period`` (anything :func:`evalkit.metrics.resolve_period` takes, inside
    ``year``), the tables are that period's and ``previous`` is the same period a
    year earlier.
    """
    tables, scorer = _tables(dataset, rules, year, period)
    return tables | {"ledger": scorer.ledger(lang=lang)}


def _tables(dataset: Dataset, rules: Rules, year: int, period: Any = None):
    """Every table of :func:`pack_tables` but the ledger, and the Scorer that gives it.

    The charts need no ledger: :func:`write_pack` starts them before it is listed.
    """
    from evalkit.metrics import adopted_items, compute_metrics, lags, monthly
    from evalkit.scoring.awards import select_awards
    from evalkit.scoring.scorer import Scorer

    span = _part_of_year(year, period)
    # one preparation for the scores and their ledger
    scorer = Scorer(dataset, rules, year, period=span)
    scores = scorer.score()
    sent = dataset.submissions["submitted_at"]
    if span is None:
        has_previous = sent.dt.year.eq(year - 1).any()
        previous = Scorer(dataset, rules, year - 1).score() if has_previous else None
    else:  # the same period a year earlier
        a_year = pd.DateOffset(years=1)
        before = (span.start - a_year, span.end - a_year - pd.Timedelta(days=1))
        has_previous = ((sent >= before[0]) & (sent < span.end - a_year)).any()
        previous = Scorer(dataset, rules, year - 1, period=before).score() if has_previous else None
    informants = Scorer(dataset, rules, year, by="informant", period=span).score()
    informants = informants[informants["n_items"] > 0].reset_index(drop=True)
    awards = select_awards(scores, rules, informants)
    unit_awards = awards[awards["kind"] == "unit"].set_index("unit")["award"]
    scores = scores.assign(award=scores["unit"].map(unit_awards))
    person_awards = awards[awards["kind"] == "informant"].set_index(["informant", "unit"])["award"]
    informants = informants.assign(
        award=pd.MultiIndex.from_frame(informants[["informant", "unit"]]).map(
            person_awards.to_dict().get
        )
    )
    adopted = adopted_items(dataset, year=year, period=span).drop(columns="adoption_id")
    adopted = adopted[["submission_id", "units", "title", "category", "level", "outlet", "adoption_type",
                       "adopted_at", "instruction_level", "instructed_by"]]  # fmt: skip
    when = dataset.faults["occurred_at"]
    faults = dataset.faults[
        when.dt.year.eq(year) if span is None else (when >= span.start) & (when < span.end)
    ]
    tables = {
        "scores": scores,
        "informants": informants,
        "awards": awards,
        "metrics": compute_metrics(dataset, year=year, period=span, deadlines=rules),
        "monthly": monthly(dataset, years=[year - 1, year]),
        "lags": lags(dataset, year=year, period=span, deadlines=rules),
        "adopted": adopted,
        "faults": faults.drop(columns="fault_id").reset_index(drop=True),
        "previous": previous,
    }
    return tables, scorer


def _sheets(
    t: dict[str, pd.DataFrame], dataset: Dataset, rules: Rules, when: str, lang: str
) -> list[Sheet]:
    def sheet(key, frame, *, detail=False, **fields):
        name = _text(key, lang, **fields)
        title = _text("title", lang, when=when, sheet=name, rules=rules.name)
        subtitle = (
            _text("detail_subtitle", lang, rules=rules.name, n=len(frame))
            if detail
            else _text("subtitle", lang, rules=rules.name)
        )
        return Sheet(name, localise(frame, lang), title, subtitle=subtitle, print_table=not detail)

    sheets = []
    point_cols = [c for c in t["scores"].columns if c.startswith("points_")]
    metrics = t["metrics"].set_index("unit")
    for group, frame in t["scores"].groupby("group", observed=True, sort=False):
        frame = frame.assign(rate=frame["unit"].map(metrics["rate"]))
        shown = [c for c in point_cols if frame[c].ne(0).any()]  # components this group earned
        cols = ["rank", "unit", "class", "score", "award", "n_items", "n_adopted", "rate", *shown]
        if frame["vetoed"].any():
            cols.append("vetoed")
        if frame["class"].isna().all():
            cols.remove("class")
        s = sheet("ranking", _blank_zeros(frame[cols], shown), group=translate(str(group), lang))
        s.formats = {label("rate", lang): "0.0%"}
        s.note = _text("tie_note", lang)
        sheets.append(s)
    inf_cols = ["rank", "informant", "unit", "group", "score", "award", "n_items", "n_adopted"]
    sheets.append(sheet("informants", t["informants"].sort_values(["rank", "informant"])[inf_cols]))
    award_cols = ["kind", "group", "award", "unit", "informant", "score", "rank"]
    sheets.append(sheet("awards", t["awards"][award_cols].drop(columns="kind")))
    timely = t["metrics"][["unit", "group", "urgent", "urgent_late", "commissioned", "commissioned_on_time",
                           "commissioned_late", "commissioned_missed", "lag_hours_median",
                           "lag_hours_p90"]]  # fmt: skip
    timely_sheet = sheet("timeliness", timely)
    timely_sheet.formats = {label(c, lang): "0.0" for c in ("lag_hours_median", "lag_hours_p90")}
    sheets.append(timely_sheet)
    late = t["lags"][t["lags"]["late"]].drop(columns="late")
    late_sheet = sheet("late_items", late)
    late_sheet.formats = {label(c, lang): "0.0" for c in ("lag_hours", "deadline_hours")}
    sheets.append(late_sheet)
    vetoed = t["scores"].loc[t["scores"]["vetoed"], "unit"]
    faults = sheet("faults", t["faults"])
    faults.note = _text(
        "vetoed_note", lang, units=("、" if lang == "zh" else ", ").join(vetoed) or "-"
    )
    sheets.append(faults)
    clauses = rules_rows(rules, lang).set_axis(
        [_text("number", lang), _text("clause", lang)], axis=1
    )
    sheets.append(Sheet(_text("rules", lang), clauses, _text("title", lang, when=when,
                        sheet=_text("rules", lang), rules=rules.name)))  # fmt: skip
    issues = pd.concat([
        dataset.issues,
        dataset.rejected.assign(severity="rejected", message=dataset.rejected["reason"]),
    ], ignore_index=True)[["severity", "table", "file", "row", "column", "value", "message"]]  # fmt: skip
    check_sheet = sheet("checks", dataset.counts)
    if len(issues):
        check_sheet.tables = [(_text("issues", lang), localise(issues, lang))]
    else:
        check_sheet.note = _text("no_issues", lang)
    sheets.append(check_sheet)
    upward = t["adopted"][t["adopted"]["level"] >= "city"]
    sheets.append(sheet("adopted", upward))
    sheets.append(sheet("adopted_all", t["adopted"], detail=True))
    sheets.append(sheet("ledger", t["ledger"], detail=True))
    return sheets


def write_pack(
    dataset: Dataset,
    rules: Rules | str | Path = "default",
    year: int = 2025,
    out: str | Path = "reports/2025",
    *,
    lang: str = "zh",
    charts: bool = True,
    svg: bool = False,
    progress: Progress | None = _stderr_progress,
    period: Any = None,
    tag: str | None = None,
) -> list[Path]:
    """Write the year-end pack into ``out`` and return the files written.

    The pack holds the ranking workbook, CSV tables of scores, informants,
    awards and the point ledger, the rules used (TOML), every chart as PNG
    (150 dpi: 1,999 x 1,125 pixels), with ``svg=True`` also as SVG, the 表彰决定
    and the meeting's deck, and ``README.md``, an index with one line on each file.

    With ``period`` (a half year, quarter or month of ``year``: anything
    :func:`evalkit.metrics.resolve_period` takes), the pack is that period's:
    its scores, ranking, awards, tables and charts, titled with the period and
    compared with the same period a year earlier; the 表彰决定 and the deck are
    year-end documents and are left out. File names carry ``tag`` (``2025H1``;
    the year by default).
    """
    rules = load_rules(rules)
    out = Path(out)
    say = progress or (lambda message: None)
    span = _part_of_year(year, period)
    when, tag = _when(year, span, lang), tag or str(year)
    say(f"evalkit: scoring {span.label if span else year} under {rules.name}")
    if charts:
        # Imported before the pool forks, so the workers inherit matplotlib, the fonts and
        # the plots module instead of importing them each.
        from evalkit.outputs import plots
        from evalkit.outputs._fonts import chart_rc

        chart_rc()
        del plots
    # Charts render in worker processes while this one computes the tables and writes the
    # workbook, the documents and the CSV files: the charts of the data alone start first,
    # the others as soon as their tables are there, before the ledger is listed.
    with frozen_heap(), chart_pool((os.cpu_count() or 1) if charts else 0) as pool:
        formats = ("png", "svg") if svg else ("png",)
        early = titled(early_jobs(dataset, year, lang, span), when, span) if charts else []
        started = {job[0]: pool.submit(render, job, out, formats) for job in early}
        t, scorer = _tables(dataset, rules, year, period=span)
        pools = rules["final.rank_by"]
        jobs = (
            titled(chart_jobs(t, dataset, year, lang, span, early, pools), when, span)
            if charts
            else []
        )
        started |= {job[0]: pool.submit(render, job, out, formats) for job in jobs
                    if job[0] not in started}  # fmt: skip
        if jobs:
            say(f"evalkit: drawing {len(jobs)} charts")
        t["ledger"] = scorer.ledger(lang=lang)
        return _write_documents(t, dataset, rules, year, out, lang, jobs, started, say,
                                svg=svg, span=span, when=when, tag=tag)  # fmt: skip


def _write_documents(t, dataset, rules, year, out, lang, jobs, started, say, *, svg, span,
                     when, tag) -> list[Path]:  # fmt: skip
    """The workbook, the CSV files, the rules, the 表彰决定 and the deck, then the charts
    as they finish, and the README that indexes them all."""
    index: list[tuple[str, str]] = []
    files: list[Path] = []

    def record(path: Path, description: str) -> None:
        files.append(path)
        index.append((path.name, description))

    say("evalkit: writing the workbook")
    sheets = _sheets(t, dataset, rules, when, lang)
    with gc_paused():
        workbook = write_workbook(out / f"ranking_{tag}.xlsx", sheets,
                                  title=_text("index_title", lang, when=when), lang=lang)  # fmt: skip
    record(workbook, _text("workbook", lang))
    for key, name in (("scores", "units"), ("informants", "informants"), ("awards", "awards"),
                      ("ledger", "ledger")):  # fmt: skip
        record(write_csv(out / f"{name}_{tag}.csv", t[key]), _text(f"csv_{name}", lang))
    rules_path = replace_atomically(out / f"rules_{tag}.toml", rules.to_toml().encode("utf-8"))
    record(rules_path, _text("rules_file", lang))
    from evalkit.outputs.decision import write_decision
    from evalkit.outputs.slides import write_deck

    if span is None:  # the 表彰决定 and the meeting's deck are the year's
        record(write_decision(dataset, rules, year, t, out), _text("decision", lang))
        record(write_deck(dataset, rules, year, t, out), _text("deck", lang))
    for n, job in enumerate(jobs, start=1):
        png, *vector = started[job[0]].result()
        say(f"evalkit: chart {n}/{len(jobs)} {png.name}")
        record(png, job[1])
        files += vector
    lines = [f"# {_text('index_title', lang, when=when)}", "",
             _text("index_intro", lang, folder=dataset.folder or "-", rules=rules.name,
                   fingerprint=rules.fingerprint), "",
             "| 文件 | 内容 |" if lang == "zh" else "| file | what it shows |", "|---|---|"]  # fmt: skip
    lines += [f"| [{name}]({name}) | {description} |" for name, description in index]
    if jobs and svg:
        lines += [
            "",
            "每张图另有同名 .svg 矢量版本。"
            if lang == "zh"
            else "Every chart also has an .svg version.",
        ]
    files.append(replace_atomically(out / "README.md", ("\n".join(lines) + "\n").encode("utf-8")))
    say(f"evalkit: wrote {len(files)} files into {out}")
    return files


def write_comparison(
    dataset: Dataset,
    rules_a: Rules | str | Path,
    rules_b: Rules | str | Path,
    year: int,
    out: str | Path,
    *,
    lang: str = "zh",
    progress: Progress | None = _stderr_progress,
) -> str:
    """Score ``year`` under two rule sets; write the rank-change table and bump charts.

    Returns a short summary (correlations, how many units move, award changes)
    for the command line.
    """
    from evalkit.outputs import plots
    from evalkit.scoring.awards import select_awards
    from evalkit.scoring.scorer import score
    from evalkit.scoring.whatif import compare

    rules_a, rules_b = load_rules(rules_a), load_rules(rules_b)
    out = Path(out)
    say = progress or (lambda message: None)
    say(f"evalkit: scoring {year} under {rules_a.name} and {rules_b.name}")
    scores_a, scores_b = score(dataset, rules_a, year=year), score(dataset, rules_b, year=year)
    result = compare(
        scores_a, scores_b, select_awards(scores_a, rules_a), select_awards(scores_b, rules_b)
    )
    table = result.table
    write_csv(out / f"compare_{year}.csv", table)
    title = f"{year} · {rules_a.name} → {rules_b.name}"
    sheets = [Sheet("名次变化" if lang == "zh" else "Rank changes", localise(table, lang), title)]
    for name, frame in (("entered", result.entered), ("left", result.left)):
        sheets.append(Sheet({"entered": "新进表彰", "left": "退出表彰"}[name] if lang == "zh" else name.title(),
                            localise(frame, lang), title))  # fmt: skip
    write_workbook(out / f"compare_{year}.xlsx", sheets, title=title, lang=lang)
    for i, group in enumerate(table["group"].astype("category").cat.categories, start=1):
        say(f"evalkit: bump chart {group}")
        # The rule-set names head the two columns; the title stays short so it clears the legend.
        title = label("title_bump", lang, group=translate(str(group), lang), label_a=label("rule_a", lang),
                      label_b=label("rule_b", lang))  # fmt: skip
        figure = plots.plot_bump(table, rules_a.name, rules_b.name, group, lang=lang, title=title)
        plots.save_figure(figure, out / f"compare_{year}_bump_{i:02d}")
    moved = result.moved(3)
    return "\n".join([
        f"{rules_a.name} → {rules_b.name} ({year}, {len(table)} units)",
        f"Spearman {result.spearman:.3f}, Kendall {result.kendall:.3f}; {moved} units move 3 or more places",
        f"entering the award lists: {'、'.join(result.entered['unit']) or '-'}",
        f"leaving the award lists: {'、'.join(result.left['unit']) or '-'}",
        f"written to {out}",
    ])  # fmt: skip
