"""A large data set of one year for the benchmarks, made in seconds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.data._sample_county import (
    CATEGORIES,
    DAY,
    GENERAL_TOPICS,
    LAG_DAYS,
    MINUTE,
    NAT,
    TOWNSHIP_TOPICS,
    VOLUMES,
    categorical,
    draw_names,
    office_minutes,
    render_titles,
    typed,
    work_calendar,
)
from evalkit.data._sample_generate import (
    adoption_details,
)
from evalkit.data._schema import ENUMS


def generate_large(n_submissions: int = 1_000_000, n_adoptions: int = 400_000, n_units: int = 5_000,
                   seed: int = 0, year: int = 2025) -> dict[str, pd.DataFrame]:  # fmt: skip
    """A large data set of one year in the raw form of :func:`generate`, made in seconds.

    Units are named 乡镇00001 / 部门00001 ... (30% townships, departments in
    three classes, every 500th unit with a former name), two informants each;
    about 2% of items are joint. Adoptions nest: the items adopted at a level
    are a subset of those adopted at the level below.

    Parameters
    ----------
    n_submissions, n_adoptions, n_units : int
        Sizes of the tables (``n_adoptions`` at most about twice ``n_submissions``).
    seed : int
        Seed of ``numpy.random.default_rng``.
    year : int
        The calendar year of every submission.

    Returns
    -------
    dict of str to DataFrame
        ``units``, ``submissions``, ``adoptions``, ``faults`` in canonical columns.
    """
    rng = np.random.default_rng(seed)
    n = n_submissions
    town = np.arange(n_units) < n_units * 3 // 10
    key = np.where(town, "乡镇", np.array(["一类", "二类", "三类"])[rng.integers(0, 3, n_units)])
    numbers = np.strings.zfill(np.arange(1, n_units + 1).astype("U"), 5).astype(object)
    names = np.where(town, "乡镇", "部门") + numbers
    units = typed(pd.DataFrame({
        "unit": names, "group": np.where(town, "乡镇组", "部门组"), "class": np.where(town, None, key),
        "aliases": np.where(np.arange(n_units) % 500 == 0, "原" + names, None),
        "quota": pd.Series(key).map({k: v[2] for k, v in VOLUMES.items()}),
    }), "units")  # fmt: skip
    volume = pd.Series(key).map({k: v[1] for k, v in VOLUMES.items()}).to_numpy(dtype=float)
    lead = rng.choice(n_units, n, p=volume / volume.sum())
    partner = (lead + rng.integers(1, n_units, n)) % n_units
    joint = rng.random(n) < 0.02
    people = draw_names(rng, 2 * n_units).reshape(n_units, 2)
    category = categorical(rng, np.tile([0.9, 0.04, 0.05, 0.01], (n, 1)))
    calendar = work_calendar(np.array([year]))
    day = calendar["day"].to_numpy()[calendar["work"].to_numpy()]
    submitted = day[rng.integers(0, len(day), n)] + office_minutes(rng, n) * MINUTE
    pool = np.array(TOWNSHIP_TOPICS + GENERAL_TOPICS, dtype=object)
    submissions = pd.DataFrame({
        "submission_id": f"{year}-" + np.strings.zfill(np.arange(1, n + 1).astype("U"), 7).astype(object),
        "units": np.where(joint, names[lead] + "、" + names[partner], names[lead]),
        "informants": people[lead, (rng.random(n) < 0.3).astype(int)],
        "title": render_titles(rng, "ordinary", names[lead], pool[rng.integers(0, len(pool), n)]),
        "category": np.array(CATEGORIES)[category],
        "event_at": np.where(category == 1, submitted - rng.integers(8, 300, n) * MINUTE, NAT),
        "submitted_at": submitted,
        "due_at": np.where(category == 3, submitted.astype("datetime64[D]") + rng.integers(-2, 8, n) * DAY
                           + np.timedelta64(1050, "m"), NAT),
    })  # fmt: skip
    shares = np.array([0.0005, 0.012, 0.07])  # national, province, city; the county takes the rest
    upper = np.minimum(np.rint(shares * n_adoptions).astype(np.int64), n)
    counts = np.array(
        [min(n_adoptions - upper.sum(), n), *upper[::-1]]
    )  # county, city, province, national
    adopted_items = rng.permutation(n)
    item = np.concatenate([adopted_items[:c] for c in counts])
    level = np.arange(4).repeat(counts)
    details = adoption_details(rng, level, category[item] == 2)
    lag = rng.integers(LAG_DAYS[level, 0], LAG_DAYS[level, 1] + 1) + level * 5
    adopted = (
        submitted[item].astype("datetime64[D]")
        + lag * DAY
        + rng.integers(540, 1050, len(item)) * MINUTE
    )
    adoptions = details.assign(
        submission_id=submissions["submission_id"].to_numpy()[item], adopted_at=adopted
    )
    n_faults = max(n_units // 5, 5)
    fault_day = day[rng.integers(0, len(day), n_faults)]
    faults = pd.DataFrame({
        "unit": names[rng.integers(0, n_units, n_faults)],
        "kind": np.array(ENUMS["fault_kind"].values)[np.arange(n_faults) % 5],
        "occurred_at": fault_day + office_minutes(rng, n_faults) * MINUTE, "submission_id": None,
        "note": "",
    })  # fmt: skip
    return {"units": units, "submissions": typed(submissions, "submissions"),
            "adoptions": typed(adoptions, "adoptions"), "faults": typed(faults, "faults")}  # fmt: skip
