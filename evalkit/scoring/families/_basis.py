"""The records every rule family scores, as arrays built once per dataset and window.

Three kinds of rows, each sorted once:

* **people**: who is scored (units in the unit list's order, or informants);
* **credit rows** (``c_*``): one per (item, person credited with it), sorted by
  person, then submission time, then id, so running caps per person and year
  are cumulative sums;
* **adoption rows** (``a_*``): one per adoption, sorted by item, time, level,
  type, outlet, id; and **adoption credit rows** (``ac_*``): one per
  (adoption, person credited with its item), joining the two.

``*_in`` flags say whether a row falls in the scored window.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.data._dataset import Dataset
from evalkit.scoring.families import _base as kit


def _positions(index: pd.Index, ids, lookup) -> np.ndarray:
    """Row of each id in ``index`` (-1 when absent); no hashing when ids run in index order.

    ``lookup(ids)`` finds the rows otherwise (:meth:`Basis.sub_rows`).
    """
    values = np.asarray(ids, dtype=object)
    starts = kit.group_starts(values)
    if starts.sum() == len(index) and np.array_equal(values[starts], index.to_numpy()):
        return np.cumsum(starts) - 1
    return lookup(ids)


def _strings(values) -> pa.Array:
    """Texts as one Arrow large_string array (Arrow-backed columns without a copy)."""
    if isinstance(values, pd.Series | pd.Index):
        values = values.array
    array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def _bool(array) -> np.ndarray:
    return array.fill_null(False).to_numpy(zero_copy_only=False)


class Basis:
    """People, items, credits and adoptions of one dataset in one window (see the module doc).

    Parameters
    ----------
    dataset : Dataset
    span : evalkit.metrics.Span
        The window scored.
    by : {"unit", "informant"}
    """

    def __init__(self, dataset: Dataset, span, by: str):
        self.dataset, self.span, self.by = dataset, span, by
        self._people(dataset)
        self._items(dataset)
        self._adoptions(dataset)

    def in_window(self, at: np.ndarray) -> np.ndarray:
        start, end = np.datetime64(self.span.start, "ns"), np.datetime64(self.span.end, "ns")
        return (at >= start) & (at < end)

    def share(self, rules) -> np.ndarray:
        """Each credit row's share of its item: 1, or 1/n for joint items split evenly."""
        joint = rules["informants.joint"] if self.by == "informant" else rules["adoption.joint"]
        return np.ones_like(self.c_n) if joint == "full" else 1.0 / self.c_n

    @functools.cached_property
    def c_ids(self) -> np.ndarray:
        """The submission id of each credit row (for the ledger: built when first asked)."""
        return self.sub_ids[self.c_sub]

    @functools.cached_property
    def ac_ids(self) -> np.ndarray:
        """The submission id of each adoption credit row (for the ledger)."""
        return self.sub_ids[self.a_sub[self.ac_j]]

    def sub_rows(self, ids) -> np.ndarray:
        """Row of each submission id in ``ids`` among the dataset's submissions (-1: none).

        Hashing the million ids of a large year in Python (``pd.Index.get_indexer``)
        cost half a second; Arrow's kernels do it in C++. Few ids (faults,
        instructions) are looked up among the submissions that ``is_in`` finds;
        many (adoptions) by one dictionary encoding of both id columns together.
        """
        wanted = _strings(ids)
        if len(wanted) * 4 < len(self.sub_ids):
            hit = np.flatnonzero(_bool(pc.is_in(self._sub_arrow, value_set=wanted)))
            found = pd.Index(self.sub_ids[hit], dtype=object).get_indexer(
                np.asarray(wanted.to_pylist(), dtype=object)
            )
            return np.append(hit, -1)[found]  # found -1: not a submission
        n = len(self._sub_arrow)
        both = pc.dictionary_encode(pa.concat_arrays([self._sub_arrow, wanted]))
        codes = both.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        row = np.full(len(both.dictionary) + 1, -1)  # last entry: a missing id
        row[codes[:n][::-1]] = np.arange(n)[::-1]  # the first row of an id, as get_indexer
        return row[codes[n:]]

    def credits_of(self, sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Join records of items ``sub`` (adoptions, instructions ...) to their items' credit rows.

        Returns ``(j, i)``: record ``j[k]`` is credited through credit row ``i[k]``,
        one pair per (record, person credited with its item), sorted by credit row
        then record.
        """
        by_item = self._c_by_item
        first = np.searchsorted(self.c_sub[by_item], sub, "left")
        count = np.searchsorted(self.c_sub[by_item], sub, "right") - first
        j = np.repeat(np.arange(len(sub)), count)
        offset = np.arange(len(j)) - np.repeat(np.cumsum(count) - count, count)
        i = by_item[np.repeat(first, count) + offset]
        pair = np.argsort(i * max(len(sub), 1) + j)
        return j[pair], i[pair]

    def _people(self, ds: Dataset) -> None:
        units = ds.units.reset_index(drop=True)
        if self.by == "unit":
            people = units[["unit", "group", "class"]].copy()
            credits = ds.submission_units.rename(columns={"n_units": "n"})
            keys = ["unit"]
        else:
            credits = ds.submission_informants.rename(columns={"n_informants": "n"})
            keys = ["informant", "unit"]
            people = credits[keys].drop_duplicates().sort_values(keys, ignore_index=True)
            people = people.merge(units[["unit", "group"]], on="unit", how="left")
        self.people = people.reset_index(drop=True)
        index = pd.MultiIndex.from_frame(self.people[keys].astype(str))
        self._ben = index.get_indexer(pd.MultiIndex.from_frame(credits[keys].astype(str)))
        self._credits = credits
        self.unit_quota = units["quota"].to_numpy(dtype=float, na_value=np.nan)
        self.unit_group = units["group"].astype(str).to_numpy()
        self.unit_class = units["class"].astype(str).where(units["class"].notna(), "").to_numpy()
        self.unit_index = pd.Index(units["unit"].astype(str))

    def _items(self, ds: Dataset) -> None:
        subs = ds.submissions.reset_index(drop=True)
        self.sub_ids = subs["submission_id"].to_numpy(dtype=object)
        self._sub_arrow = _strings(subs["submission_id"])
        self.sub_index = pd.Index(self.sub_ids, dtype=object)  # hashed only if asked
        self.sub_cat = np.maximum(kit.codes(subs["category"], kit.CATEGORIES), 0)
        at = kit.times(subs["submitted_at"])
        self.sub_at, self.sub_in = at, self.in_window(at)
        # credit rows: one per (item, person); sorted by person, year, time, id for running caps
        sub = _positions(self.sub_index, self._credits["submission_id"], self.sub_rows)
        ok = (sub >= 0) & (self._ben >= 0)
        sub, ben, n = sub[ok], self._ben[ok], self._credits["n"].to_numpy(dtype=float)[ok]
        by_id = np.argsort(self.sub_ids, kind="stable")
        by_time = by_id[np.argsort(at[by_id], kind="stable")]
        time_rank = np.empty(len(at), dtype=np.int64)
        time_rank[by_time] = np.arange(len(at))
        order = np.argsort(ben * max(len(at), 1) + time_rank[sub], kind="stable")
        year = at.astype("datetime64[Y]").astype(np.int64)[sub]
        self.c_sub, self.c_ben, self.c_n = sub[order], ben[order], n[order]
        # credit rows grouped by item (stable), for joining adoptions to their credits
        position = np.empty_like(order)
        position[order] = np.arange(len(order))
        self._c_by_item = position[np.argsort(sub, kind="stable")]
        self.c_capgroup = np.cumsum(kit.group_starts(self.c_ben, year[order])) - 1
        self.c_in = self.sub_in[self.c_sub]

    def _adoptions(self, ds: Dataset) -> None:
        ad = ds.adoptions.reset_index(drop=True)
        sub = self.sub_rows(ad["submission_id"])
        outlet = ad["outlet"].astype("string").str.strip()
        level = kit.codes(ad["level"], kit.LEVELS)
        ok = (sub >= 0) & (level >= 0)
        adopt_type = np.maximum(kit.codes(ad["adoption_type"], kit.ADOPTION_TYPES), 0)
        at = kit.times(ad["adopted_at"])
        self.outlet_names = sorted(outlet.dropna().unique())
        outlet_rank = kit.codes(outlet, self.outlet_names)
        order = np.lexsort((ad["adoption_id"].to_numpy(), outlet_rank, adopt_type, level, at, sub))
        order = order[ok[order]]
        self.a_order = order  # adoption row k is the dataset's row a_order[k]
        self.a_sub, self.a_level, self.a_type = sub[order], level[order], adopt_type[order]
        self.a_at = at[order]
        self.a_outlet = outlet.to_numpy(dtype=object, na_value=None)[order]
        self.a_outlet_code = outlet_rank[order]  # in outlet_names (-1: none)
        self.a_cat = self.sub_cat[self.a_sub]
        self.a_first = kit.group_starts(self.a_sub)
        self.a_in = self.in_window(self.a_at)
        # adoption credit rows: one per (adoption, person of its item)
        self.ac_j, self.ac_i = self.credits_of(self.a_sub)
        self.ac_ben = self.c_ben[self.ac_i]
        self.ac_in = self.a_in[self.ac_j]
        n_people = len(self.people)
        adopted = np.zeros(len(self.c_sub), dtype=bool)  # credit rows adopted in the window
        adopted[self.ac_i[self.ac_in]] = True
        self.n_adopted = np.bincount(self.c_ben[adopted], minlength=n_people)
        self.n_items = np.bincount(self.c_ben[self.c_in], minlength=n_people)
