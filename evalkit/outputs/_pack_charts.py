"""The charts of the year-end pack (:func:`evalkit.outputs.pack.write_pack`): which charts,
from which tables, and the worker processes that draw them.

A chart job is a tuple ``(file stem, index line, plot function name, arguments,
keyword arguments)``; its arguments are picklable, so the charts render in forked
worker processes while the main process writes the workbook and the documents.
"""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path

import pandas as pd

from evalkit.data._dataset import Dataset
from evalkit.outputs._labels import translate
from evalkit.outputs._pack_words import text as _text

PACK_DPI = 150  # 1,999 x 1,125 pixels: sharp on a 1080p projector, half the pixels of 200 dpi


def early_jobs(dataset: Dataset, year: int, lang: str, span) -> list[tuple]:
    """The charts drawn from the data alone, which can start before any table is computed."""
    jobs = [("chart_heatmap", _text("chart_heatmap", lang), "plot_heatmap", (dataset, year),
             {"lang": lang})]  # fmt: skip
    if span is None:  # a period's adoption funnel is drawn from its metrics
        jobs.insert(0, ("chart_adoption_funnel", _text("chart_adoption_funnel", lang),
                        "plot_adoption_funnel", (dataset,), {"year": year, "lang": lang}))  # fmt: skip
    return jobs


def titled(jobs: list[tuple], when: str, span) -> list[tuple]:
    """A period's charts are titled with the period, not the year."""
    if span is None:
        return jobs
    return [(stem, text, name, args, {**kwargs, "title": f"{when} · {text}"})
            for stem, text, name, args, kwargs in jobs]  # fmt: skip


_CLASS_ORDER = ("一类", "二类", "三类", "四类", "五类")  # not the characters' code order


def ranking_pools(t: dict, rank_by: str, lang: str):
    """The pools the units are ranked in, one ranking chart each: ``(name, scores, awards,
    group)``, ``group`` being what the charts select and title by.

    A group, or under ``rank_by = "class"`` each class of a group that has classes
    (部门组一类, 部门组二类 ...): one chart of a group whose classes each have their own
    first place would show several units ranked 1 side by side. A class pool's frames
    carry the pool's name in ``group``.
    """
    scores, awards = t["scores"], t["awards"]
    for group in scores["group"].cat.categories:
        rows = scores[scores["group"] == group]
        name = translate(str(group), lang)
        classes = rows["class"].dropna().unique().tolist() if rank_by == "class" else []
        classes.sort(key=lambda c: (_CLASS_ORDER.index(c) if c in _CLASS_ORDER else 99, c))
        if not classes:
            yield name, scores, awards, group
            continue
        for cls in [*classes, None] if rows["class"].isna().any() else classes:
            part = rows[rows["class"].isna()] if cls is None else rows[rows["class"] == cls]
            pool = name if cls is None else name + (translate(cls, lang) if lang == "zh"
                                                    else f" {translate(cls, lang)}")  # fmt: skip
            won = awards[awards["unit"].isin(part["unit"])]
            yield pool, part.assign(group=pool), won.assign(group=pool), pool


def chart_jobs(t: dict, dataset: Dataset, year: int, lang: str, span, early: list,
               rank_by: str = "group") -> list[tuple]:  # fmt: skip
    """The pack's charts in the order of its index, the ``early`` ones (already titled) in
    their places.

    Each job: file stem, index line, plot function name, its arguments (picklable, so
    the charts can render in parallel processes) and keyword arguments.
    """
    kw = {"year": year, "lang": lang}
    by_stem = {job[0]: job for job in early}
    jobs = []
    for i, (pool, scores, awards, group) in enumerate(ranking_pools(t, rank_by, lang), start=1):
        jobs.append((f"chart_{i:02d}_ranking", _text("chart_ranking", lang, group=pool),
                     "plot_ranking", (scores, awards, group), kw))  # fmt: skip
        jobs.append((f"chart_{i:02d}_composition", _text("chart_composition", lang, group=pool),
                     "plot_composition", (scores, group), kw))  # fmt: skip
    points, limits = _funnel(t["metrics"])
    jobs += [
        ("chart_adoption_funnel", _text("chart_adoption_funnel", lang), "plot_adoption_funnel",
         (dataset if span is None else t["metrics"],), kw),
        ("chart_monthly", _text("chart_monthly", lang), "plot_monthly", (t["monthly"], year),
         {"lang": lang}),
        ("chart_funnel_plot", _text("chart_funnel", lang), "plot_funnel", (points, limits), kw),
        ("chart_timeliness", _text("chart_timeliness", lang), "plot_timeliness", (t["lags"],), kw),
        ("chart_heatmap", _text("chart_heatmap", lang), "plot_heatmap", (dataset, year),
         {"lang": lang}),
        ("chart_top_informants", _text("chart_top_informants", lang), "plot_top_informants",
         (t["informants"], 20, t["awards"]), kw),
        ("chart_late", _text("chart_late", lang), "plot_late",
         (t["metrics"].assign(vetoed=t["metrics"]["unit"].map(
             t["scores"].set_index("unit")["vetoed"])),), kw),
    ]  # fmt: skip
    if t["previous"] is not None:
        from evalkit.outputs.plots import score_changes

        jobs.append(("chart_improvement", _text("chart_improvement", lang), "plot_improvement",
                     (score_changes(t["scores"], t["previous"]),), kw))  # fmt: skip
    return [by_stem.get(job[0], job) for job in jobs]


def render(job: tuple, out: Path, formats=("png",)) -> list[Path]:
    from evalkit.outputs import plots

    stem, _, name, args, kwargs = job
    # A chart's artists live until it is saved: collections meanwhile would walk them again
    # and again. Paused, they all stay in the youngest generation, and the first collection
    # after (at the next allocations) frees the whole figure in one pass.
    with gc_paused():
        figure = getattr(plots, name)(*args, **kwargs)
        return plots.save_figure(figure, out / stem, formats, dpi=PACK_DPI)


def chart_pool(n_jobs: int):
    """Worker processes for the charts (fork keeps them cheap); one thread where fork is missing."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from evalkit.outputs._fonts import cjk_font

    cjk_font()  # chosen (and any warning given) once here, not in every worker
    workers = min(max(n_jobs, 1), os.cpu_count() or 1)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return ThreadPoolExecutor(max_workers=1)
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_leave_interrupts_to_the_parent)  # fmt: skip


@contextlib.contextmanager
def frozen_heap():
    """The objects alive on entry (the modules, the dataset) kept out of garbage collection
    until exit, here and in the chart workers forked meanwhile.

    A full collection walks every tracked object; these are long-lived, and the workers
    inherit them by fork, so each collection in either walked them again for nothing
    (about 0.5 s of CPU over the sample report, a third of its collection time). A
    caller's own :func:`gc.freeze` is left as it is.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def gc_paused():
    """No garbage collection inside: for writing the workbook, whose tens of thousands of
    cells live until it is saved, so each collection meanwhile walked them all again for
    nothing (a quarter of the workbook's CPU on the sample). Cycles made inside are
    collected after, as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _leave_interrupts_to_the_parent() -> None:
    """Chart workers ignore Ctrl-C: the main process stops the run and says so in one line."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _funnel(metrics: pd.DataFrame):
    from evalkit.scoring.funnel import funnel_data

    return funnel_data(metrics)
