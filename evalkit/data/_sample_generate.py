"""The county sample: units, submissions, adoptions, faults, instructions and forwardings over two years."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.data._sample_county import (
    CATEGORIES,
    DAY,
    DEPARTMENTS,
    GENERAL_TOPICS,
    INCIDENTS,
    INSTRUCTION_P,
    LAG_DAYS,
    LEADER_P,
    LEADERS,
    LEVELS,
    MINUTE,
    NAT,
    OUTLET_P,
    OUTLETS,
    RENAMED,
    RESEARCH_OUTLET_P,
    TEMPLATES,
    TOWNSHIP_TOPICS,
    TOWNSHIPS,
    TYPE_P,
    VOLUMES,
    categorical,
    draw_days,
    draw_names,
    office_minutes,
    render_titles,
    top_k,
    typed,
    work_calendar,
)
from evalkit.data._schema import ENUMS


def _units(rng) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The units table, each unit's class key and its topic pool (units x 8 topics)."""
    rows = [line.split("|") for line in DEPARTMENTS.strip().splitlines()]
    names = TOWNSHIPS + [r[0] for r in rows]
    key = np.array(["乡镇"] * len(TOWNSHIPS) + [r[1] for r in rows])
    own = np.array([r[2].split() for r in rows], dtype=object)
    general = rng.permuted(np.tile(np.array(GENERAL_TOPICS, dtype=object), (len(rows), 1)), axis=1)
    town = rng.permuted(
        np.tile(np.array(TOWNSHIP_TOPICS, dtype=object), (len(TOWNSHIPS), 1)), axis=1
    )
    units = pd.DataFrame({
        "unit": names,
        "group": np.where(key == "乡镇", "乡镇组", "部门组"),
        "class": pd.Series(key).where(key != "乡镇"),
        "aliases": pd.Series(names).map({RENAMED[1]: RENAMED[0]}),
        "quota": pd.Series(key).map({k: v[2] for k, v in VOLUMES.items()}),
    })  # fmt: skip
    return typed(units, "units"), key, np.vstack([town[:, :8], np.hstack([own, general[:, :5]])])


def _items(
    rng, key: np.ndarray, calendar: pd.DataFrame, n_years: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per item: lead unit, year position, quality, category, times, partners.

    Returns the items (not yet sorted) and the due days of the ten commissions of each year.
    """
    n_units = len(key)
    lo, hi, _, urgent_share = (np.array([VOLUMES[k][i] for k in key]) for i in range(4))
    # a unit's lasting quality: its volume and its adoptions follow it
    talent = np.clip(rng.normal(size=n_units), -2, 1.8)
    quality = np.exp(0.5 * talent + 0.15 * rng.normal(size=(n_years, n_units)))
    position = np.clip(0.5 + 0.22 * talent + 0.12 * rng.normal(size=(n_years, n_units)), 0, 1)
    n_items = np.rint(lo + (hi - lo) * position).astype(np.int64).ravel()
    unit = np.tile(np.arange(n_units), n_years).repeat(n_items)
    year = np.arange(n_years).repeat(n_units).repeat(n_items)
    n, q = len(unit), quality[year, unit]
    category = (rng.random(n) < urgent_share[unit]).astype(np.int64)
    category[(category == 0) & (rng.random(n) < np.clip(0.05 * q / q.mean(), 0, 0.25))] = 2
    category[top_k(rng, year, (category == 0) * np.sqrt(q), rng.integers(46, 55, n_years))] = 3

    day = draw_days(rng, calendar, year, np.where(calendar["work"], 1.0, 0.04))
    submitted = day + office_minutes(rng, n) * MINUTE
    # urgent items: an event at any time (not on 31 December), reported 8 min to 9 h later
    event_day = draw_days(rng, calendar, year, ~calendar["day"].dt.is_year_end)
    event = event_day + rng.integers(0, 1440, n) * MINUTE
    urgent = category == 1
    n_late = np.rint(0.07 * np.bincount(year[urgent], minlength=n_years)).astype(np.int64)
    late = top_k(rng, year, urgent.astype(float), n_late)  # 7% of urgent items, over 2 hours
    lag = np.where(late, rng.integers(125, 540, n), rng.integers(8, 110, n))
    # commissioned items: ten requests a year due at 17:30 between February and 20 December
    month, dom = calendar["day"].dt.month, calendar["day"].dt.day
    window = calendar["work"] & month.gt(1) & ~(month.eq(12) & dom.gt(20))
    due_days = draw_days(rng, calendar, np.arange(n_years).repeat(10), window).reshape(n_years, 10)
    batch = rng.integers(0, 10, n)
    due = due_days[year, batch] + np.timedelta64(1050, "m")
    overdue = rng.random(n) < 0.1
    handed_in = np.where(overdue, due + rng.integers(60, 3 * 1440, n) * MINUTE,
                         due - rng.integers(240, 6 * 1440, n) * MINUTE)  # fmt: skip
    commissioned = category == 3
    # joint items: one partner unit (sometimes two), never the lead unit
    joint = ~urgent & (rng.random(n) < 0.02)
    step1 = rng.integers(1, n_units, n)
    step2 = rng.integers(1, n_units - 1, n)
    step2 = step2 + (step2 >= step1)
    items = pd.DataFrame({
        "unit": unit, "quality": q, "category": np.array(CATEGORIES)[category],
        "event_at": np.where(urgent, event, NAT),
        "submitted_at": np.where(urgent, event + lag * MINUTE, np.where(commissioned, handed_in, submitted)),
        "due_at": np.where(commissioned, due, NAT), "batch": batch, "late": urgent & late,
        "lag": lag, "joint": joint, "partner1": (unit + step1) % n_units,
        "partner2": np.where(joint & (rng.random(n) < 0.15), (unit + step2) % n_units, -1),
    })  # fmt: skip
    return items, due_days


def _cells(
    rng, items: pd.DataFrame, units: pd.DataFrame, informant: np.ndarray, pool, last_year: int
):
    """The text cells of each item: unit names (as called that year), informants and title."""
    current = units["unit"].to_numpy(dtype=object)
    former = np.where(current == RENAMED[1], RENAMED[0], current)
    before_last = items["submitted_at"].dt.year.to_numpy() < last_year

    def name(u):
        return np.where(before_last, former[u], current[u])

    u, p1, p2 = (items[c].to_numpy() for c in ("unit", "partner1", "partner2"))
    joint = items["joint"].to_numpy()
    lead = name(u)
    members = np.where(joint, lead + "、" + name(p1), lead)
    members = np.where(p2 >= 0, members + "、" + name(p2), members)
    n = len(items)
    pick = rng.random(n)
    has_two = informant[1, u] != ""
    people = np.where(has_two & (pick > 0.6), informant[1, u], informant[0, u])
    people = np.where(has_two & (pick > 0.9), informant[0, u] + "、" + informant[1, u], people)
    people = np.where(joint & (rng.random(n) < 0.5), people + "、" + informant[0, p1], people)
    own = rng.random(n) < 0.6
    topic = pool[u, np.where(own, rng.integers(0, 3, n), rng.integers(3, 8, n))]
    incident = np.array(INCIDENTS, dtype=object)[rng.integers(0, len(INCIDENTS), n)]
    category = items["category"].to_numpy()
    topic = np.where(category == "urgent", incident, topic)
    family = np.where(joint, "joint", category)
    title = np.empty(n, dtype=object)
    redo = np.ones(n, dtype=bool)
    day = items["submitted_at"].dt.normalize().to_numpy()
    # redraw titles a unit would repeat on one day (the loader flags them as double entries)
    for _ in range(20):
        for fam in TEMPLATES:  # five template families, each rendered in one vectorised step
            mask = redo & (family == fam)
            title[mask] = render_titles(
                rng, fam, (members if fam == "joint" else lead)[mask], topic[mask]
            )
        redo = pd.DataFrame({"unit": lead, "title": title, "day": day}).duplicated().to_numpy()
        if not redo.any():
            break
    return lead, members, people, title


def generate(seed: int = 2025, years=(2024, 2025)) -> dict[str, pd.DataFrame]:
    """Generate one county's units, submissions, adoptions, faults, instructions and forwardings.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives identical frames.
    years : sequence of int
        Consecutive calendar years. 县农业农村局 is called by its former name
        县农业局 in every year but the last (in submissions and faults).

    Returns
    -------
    dict of str to DataFrame
        ``units``, ``submissions``, ``adoptions``, ``faults``, ``instructions``,
        ``forwardings`` in the canonical
        columns of :data:`evalkit.data._schema.COLUMNS`, as a raw file holds them:
        the units and informants of an item joined by 、, enumerations as
        canonical values, datetimes as naive local timestamps.

    Examples
    --------
    >>> tables = generate(seed=1)
    >>> sorted(tables)
    ['adoptions', 'faults', 'forwardings', 'instructions', 'submissions', 'units']
    """
    rng = np.random.default_rng(seed)
    years = np.asarray(sorted(years))
    units, key, pool = _units(rng)
    n_units = len(units)
    n_two = int(rng.integers(22, 29))  # units with a second informant, mostly the busier ones
    volume = np.array([VOLUMES[k][1] for k in key], dtype=float)
    second = top_k(rng, np.zeros(n_units, dtype=np.int64), volume, np.array([n_two]))
    people = draw_names(rng, n_units + n_two)
    informant = np.array([people[:n_units], np.full(n_units, "", dtype=object)])
    informant[1, second] = people[n_units:]

    calendar = work_calendar(years)
    items, due_days = _items(rng, key, calendar, len(years))
    items = items.sort_values(["submitted_at", "unit"], kind="stable", ignore_index=True)
    items["year"] = items["submitted_at"].dt.year
    sequence = (items.groupby("year").cumcount() + 1).astype(str).str.zfill(4)
    items["submission_id"] = items["year"].astype(str) + "-" + sequence
    lead, members, people_cells, title = _cells(rng, items, units, informant, pool, years[-1])
    items["lead"] = lead
    submissions = items[["submission_id", "category", "event_at", "submitted_at", "due_at"]].assign(
        units=members, informants=people_cells, title=title
    )
    adoptions = _adoptions(rng, items, years)
    faults = _faults(rng, items, units, due_days, years)
    # instructions and forwardings draw from a stream of their own, so the tables
    # above are the same as before these records existed
    extra = np.random.default_rng([seed, 1])
    instructions = _instructions(extra, adoptions)
    forwardings = _forwardings(extra, items, adoptions)
    return {"units": units, "submissions": typed(submissions, "submissions"),
            "adoptions": typed(adoptions, "adoptions"), "faults": typed(faults, "faults"),
            "instructions": typed(instructions, "instructions"),
            "forwardings": typed(forwardings, "forwardings")}  # fmt: skip


def _instructions(rng, adoptions: pd.DataFrame) -> pd.DataFrame:
    """Instruction records beyond the one leader an adoption row names (批示记录).

    A further leader of the same level on about a quarter of instructed
    adoptions (two of them in one cell now and then), and a 秘书长 or a general
    office leader (the tiers below 市领导) on about 5% of city adoptions.
    """
    ad = adoptions.reset_index(drop=True)
    level = pd.Categorical(ad["level"], categories=LEVELS).codes
    instructed = ad["instruction_level"].notna().to_numpy() & (level < 3)
    further = instructed & (rng.random(len(ad)) < 0.25)
    # the next title on the level's list after the first leader's (never the same leader)
    first = pd.Series(ad["instructed_by"]).map(
        {t: i for row in LEADERS for i, t in enumerate(row) if t}
    )
    nxt = (first.fillna(0).astype(int).to_numpy() + 1 + rng.integers(0, 2, len(ad))) % 4
    second = LEADERS[level.clip(0, 3), nxt]
    both = further & (rng.random(len(ad)) < 0.2)
    third = LEADERS[level.clip(0, 3), (nxt + 1) % 4]
    leader = np.where(both, second + "、" + third, second)
    tier = (level == 1) & (rng.random(len(ad)) < 0.05)
    tier_level = np.where(rng.random(len(ad)) < 0.6, "city_secretary", "city_office")
    tier_leader = np.where(tier_level == "city_secretary",
                           np.array(["市委秘书长", "市政府秘书长", "市政府副秘书长"])[rng.integers(0, 3, len(ad))],
                           np.array(["市委办公室主任", "市政府办公室主任"])[rng.integers(0, 2, len(ad))])  # fmt: skip
    rows = pd.concat([
        ad[further].assign(leader_level=ad["level"][further], leader=leader[further]),
        ad[tier].assign(leader_level=tier_level[tier], leader=tier_leader[tier]),
    ])  # fmt: skip
    n = len(rows)
    # the adoption is named by level; by outlet too when the item has another at that level
    several = rows.duplicated(["submission_id", "level"], keep=False) | (
        ad.groupby(["submission_id", "level"])["level"].transform("size")[rows.index] > 1
    )
    notes = np.array(["此做法很好，可总结推广。", "请有关部门阅研。", "信息反映的问题要抓紧研究解决。",
                      "经验做法值得肯定。"], dtype=object)  # fmt: skip
    note = notes[rng.integers(0, len(notes), n)]
    directive = (note == notes[1]) | (note == notes[2])
    return pd.DataFrame({
        "submission_id": rows["submission_id"].to_numpy(),
        "adoption_level": rows["level"].to_numpy(),
        "outlet": np.where(several.to_numpy(), rows["outlet"].to_numpy(), None),
        "leader_level": rows["leader_level"].to_numpy(),
        "leader": rows["leader"].to_numpy(),
        "instructed_at": (rows["adopted_at"].dt.normalize().to_numpy() + rng.integers(1, 8, n) * DAY
                          + office_minutes(rng, n) * MINUTE),
        "kind": np.where(directive, "directive", "affirmative"),
        "note": note,
    }).sort_values(["instructed_at", "submission_id"], kind="stable")  # fmt: skip


def _forwardings(rng, items: pd.DataFrame, adoptions: pd.DataFrame) -> pd.DataFrame:
    """Items the office forwarded upward (转报记录).

    Every item adopted above the county went up through the office (forwarded to
    the city, or straight to the province or the national offices from a city
    adoption), and the office forwards about as many again that are not adopted
    there: 6% of county adoptions to the city, a fifth of city adoptions to the
    province, a tenth of province adoptions to the national offices.
    """
    ad = adoptions.reset_index(drop=True)
    level = pd.Categorical(ad["level"], categories=LEVELS).codes
    ids = items["submission_id"].to_numpy()
    best = np.full((len(ids), 4), np.datetime64("NaT"), dtype="datetime64[ns]")
    row = pd.Index(ids).get_indexer(ad["submission_id"])
    order = np.argsort(ad["adopted_at"].to_numpy())[::-1]  # the earliest adoption per level wins
    best[row[order], level[order]] = ad["adopted_at"].to_numpy()[order]
    adopted = ~np.isnat(best)
    share = np.array([0.06, 0.2, 0.1])  # of the items adopted at the level below, not above
    records = []
    for target in (1, 2, 3):
        below = adopted[:, target - 1]
        chosen = adopted[:, target] | (
            below & ~adopted[:, target] & (rng.random(len(ids)) < share[target - 1])
        )
        # sent the day after it was taken up below (or submitted), before it is adopted above
        base = np.where(below, best[:, target - 1], items["submitted_at"].to_numpy())
        sent = base.astype("datetime64[D]") + DAY + office_minutes(rng, len(ids)) * MINUTE
        sent = np.where(
            adopted[:, target], np.minimum(sent, best[:, target] - np.timedelta64(60, "m")), sent
        )
        records.append(pd.DataFrame({"submission_id": ids[chosen], "to_level": LEVELS[target],
                                     "forwarded_at": sent[chosen]}))  # fmt: skip
    out = pd.concat(records, ignore_index=True)
    return out.sort_values(["forwarded_at", "submission_id"], kind="stable")


def adoption_details(rng, level: np.ndarray, research: np.ndarray) -> pd.DataFrame:
    """Outlet, adoption type and leader instruction for adoptions at ``level`` (codes 0-3)."""
    outlet_p = np.where((research & (level == 0))[:, None], RESEARCH_OUTLET_P, OUTLET_P[level])
    instructed = rng.random(len(level)) < INSTRUCTION_P[level]
    leader = LEADERS[level, categorical(rng, LEADER_P[level])]
    return pd.DataFrame({
        "level": np.array(LEVELS)[level],
        "outlet": OUTLETS[level, categorical(rng, outlet_p)],
        "adoption_type": np.array(ENUMS["adoption_type"].values)[categorical(rng, TYPE_P[level])],
        "instruction_level": np.where(instructed, np.array(LEVELS, dtype=object)[level], None),
        "instructed_by": np.where(instructed, leader, None),
    })  # fmt: skip


def _adoptions(rng, items: pd.DataFrame, years: np.ndarray) -> pd.DataFrame:
    """Adoptions at the four levels; an item adopted upward is nearly always adopted by the county."""
    group = np.searchsorted(years, items["year"].to_numpy())
    per_year = np.bincount(group, minlength=len(years))
    q = items["quality"].to_numpy()
    category = pd.Categorical(items["category"], categories=CATEGORIES).codes
    boost, upward_boost = np.array([1, 1.5, 3, 2])[category], np.array([1, 2, 5, 2])[category]

    def draw(weights, low, high):
        return top_k(rng, group, weights, np.rint(rng.uniform(low, high, len(years)) * per_year))

    county = draw(q**0.8 * boost, 0.33, 0.40)
    city = draw(q * upward_boost * np.where(county, 1, 0.03), 0.026, 0.034)
    province = draw(
        q * upward_boost * np.where(city, 1, np.where(county, 0.05, 0.002)), 0.004, 0.007
    )
    national = top_k(rng, group, q * np.where(province, 1, np.where(city, 0.01, 0)),
                      rng.integers(1, 4, len(years)))  # fmt: skip
    again = county & (rng.random(len(items)) < 0.04)  # a second county outlet takes it up too
    masks = [county, city, province, national, again]
    item = np.concatenate([np.flatnonzero(m) for m in masks])
    level = np.repeat([0, 1, 2, 3, 0], [m.sum() for m in masks])
    repeat = np.concatenate([np.zeros(len(item) - again.sum(), bool), np.ones(again.sum(), bool)])
    lag = rng.integers(LAG_DAYS[:, 0], LAG_DAYS[:, 1] + 1, size=(len(items), 4)).cumsum(axis=1)
    days = lag[item, level] + np.where(repeat, rng.integers(1, 6, len(item)), 0)
    start = items["submitted_at"].dt.normalize().to_numpy()[item]
    adopted = start + days * DAY + rng.integers(540, 1050, len(item)) * MINUTE
    details = adoption_details(rng, level, (items["category"].to_numpy() == "research")[item])
    # a repeat is in another county outlet than the item's first county adoption
    code = details["outlet"].map({o: i for i, o in enumerate(OUTLETS[0])}).to_numpy()
    county_outlet = np.full(len(items), -1)
    county_outlet[item[: county.sum()]] = code[: county.sum()]
    other = (county_outlet[item[repeat]] + rng.integers(1, 3, repeat.sum())) % 3
    details.loc[repeat, "outlet"] = OUTLETS[0, other]
    frame = details.assign(submission_id=items["submission_id"].to_numpy()[item], adopted_at=adopted,
                           _level=level)  # fmt: skip
    return frame.sort_values(["adopted_at", "submission_id", "_level"], kind="stable")


def _faults(rng, items: pd.DataFrame, units: pd.DataFrame, due_days, years) -> pd.DataFrame:
    """Faults of every kind; one township with a false item in the last year (a veto case)."""
    late = items[items["late"]]
    hours, minutes = np.divmod(late["lag"].to_numpy(), 60)
    late_rows = pd.DataFrame({
        "unit": late["lead"], "kind": "late", "occurred_at": late["submitted_at"],
        "submission_id": late["submission_id"],
        "note": "事发后" + pd.Series(hours).astype(str).to_numpy() + "小时"
        + pd.Series(minutes).astype(str).to_numpy() + "分钟才报送",
    })  # fmt: skip
    n_units, n_years = len(units), len(years)
    current = units["unit"].to_numpy(dtype=object)
    former = np.where(current == RENAMED[1], RENAMED[0], current)
    named = np.array([former] * (n_years - 1) + [current])  # [year position, unit]
    # omitted and concealed incidents: 1-3 and 1 a year, mostly in townships
    per_year = np.concatenate([rng.integers(1, 4, n_years), np.ones(n_years, dtype=np.int64)])
    kind = np.repeat(["omitted"] * n_years + ["concealed"] * n_years, per_year)
    year = np.tile(np.arange(n_years), 2).repeat(per_year)
    township = units["group"].eq("乡镇组").to_numpy()
    weight = np.where(township, 3.0, 1.0)
    unit = rng.choice(n_units, len(kind), p=weight / weight.sum())
    calendar = work_calendar(years)
    when = (
        draw_days(rng, calendar, year, calendar["work"]) + office_minutes(rng, len(kind)) * MINUTE
    )
    incident = np.array(INCIDENTS, dtype=object)[rng.integers(0, len(INCIDENTS), len(kind))]
    missing = pd.DataFrame({
        "unit": named[year, unit], "kind": kind, "occurred_at": when, "submission_id": None,
        "note": np.where(kind == "omitted", "辖区" + incident + "，未按要求报送",
                         "辖区" + incident + "，瞒报伤亡及损失情况"),
    })  # fmt: skip
    # commissions not delivered: 3-5 (unit, request) pairs a year among those that did not deliver;
    # in the first year the renamed department is one of them (under its former name)
    done = np.zeros((n_years, n_units, 10), dtype=bool)
    commissioned = items[items["category"].eq("commissioned")]
    year_of = np.searchsorted(years, commissioned["year"].to_numpy())
    done[year_of, commissioned["unit"].to_numpy(), commissioned["batch"].to_numpy()] = True
    n_missed = rng.integers(3, 6, n_years)
    year = np.arange(n_years).repeat(n_missed)
    unit = rng.integers(0, n_units, len(year))
    batch = rng.integers(0, 10, len(year))
    if n_years > 1:
        unit[0] = np.flatnonzero(current == RENAMED[1])[0]
        batch[0] = np.flatnonzero(~done[0, unit[0]])[0]
    keep = ~done[year, unit, batch]
    year, unit, batch = year[keep], unit[keep], batch[keep]
    missed = pd.DataFrame({
        "unit": named[year, unit], "kind": "commission_missed",
        "occurred_at": due_days[year, batch] + np.timedelta64(1050, "m"), "submission_id": None,
        "note": "第" + (batch + 1).astype(str).astype(object) + "期约稿未按时报送",
    })  # fmt: skip
    # a false item: the best township of the last year, on its last urgent (or any) item before December
    last = items[items["year"].eq(years[-1]) & items["submitted_at"].dt.month.lt(12)]
    towns = last[township[last["unit"].to_numpy()]]
    best = towns.groupby("unit")["quality"].mean().idxmax()
    candidates = towns[towns["unit"].eq(best)].assign(urgent=lambda f: f["category"].eq("urgent"))
    chosen = candidates.sort_values(["urgent", "submitted_at"], kind="stable").iloc[[-1]]
    false = pd.DataFrame({
        "unit": chosen["lead"], "kind": "false",
        "occurred_at": chosen["submitted_at"].dt.normalize() + pd.Timedelta(days=3, hours=10),
        "submission_id": chosen["submission_id"], "note": "报送信息与核实情况不符，经查属失实信息",
    })  # fmt: skip
    frames = [late_rows, missing, missed, false]
    return pd.concat(frames, ignore_index=True).sort_values("occurred_at", kind="stable")
