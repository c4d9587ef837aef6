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


def _in_order(ids: pa.Array, among: pa.Array) -> np.ndarray | None:
    """Row of each id in ``among`` when the ids run in ``among``'s order (None otherwise).

    Credit rows usually list the submissions in order, one run of rows per
    item: then no id needs hashing, and the comparison runs in Arrow.
    """
    if not len(ids):
        return np.zeros(0, np.int64)
    starts = np.ones(len(ids), dtype=bool)
    starts[1:] = _bool(pc.not_equal(ids[1:], ids[:-1]))
    if starts.sum() != len(among) or not ids.filter(pa.array(starts)).equals(among):
        return None
    return np.cumsum(starts) - 1


# The dataset's frames whose records name a submission (besides the credit rows).
_REFERRING = ("adoptions", "instructions", "faults", "forwardings")


def _years(at: np.ndarray) -> np.ndarray:
    """A number per calendar year of each time, in order (cheaper than ``astype("M8[Y]")``)."""
    known = at[~np.isnat(at)]
    if not len(known):
        return np.zeros(len(at), dtype=np.int64)
    first, last = known.min().astype("M8[Y]"), known.max().astype("M8[Y]")
    return kit.edges_passed(np.arange(first, last + 2), at)  # a missing time: 0


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
        self._rows: dict[str, np.ndarray] = {}  # rows_of
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
        return self.ids_of(self.c_sub)

    @functools.cached_property
    def ac_ids(self) -> np.ndarray:
        """The submission id of each adoption credit row (for the ledger)."""
        return self.ids_of(self.a_sub[self.ac_j])

    def rows_of(self, frame: str) -> np.ndarray:
        """Row among the submissions of each ``submission_id`` of ``dataset.<frame>`` (-1: none).

        Adoptions, instructions, faults and forwardings are looked up together
        the first time one is asked for, in one pass (see :meth:`_lookup`).
        """
        if frame not in self._rows:
            names = [n for n in _REFERRING if "submission_id" in getattr(self.dataset, n).columns]
            found = self._lookup(
                [_strings(getattr(self.dataset, n)["submission_id"]) for n in names]
            )
            self._rows.update(zip(names, found, strict=True))
        return self._rows[frame]

    def _lookup(self, columns: list[pa.Array]) -> list[np.ndarray]:
        """Row among the submissions of each id in each of ``columns`` (-1: none).

        One dictionary encoding of the submission ids and every column at once,
        in Arrow's C++: hashing the million ids of a large year in Python
        (``pd.Index.get_indexer``) cost half a second, and a quarter of a second
        more for each further column looked up on its own.
        """
        n = len(self._sub_arrow)
        both = pc.dictionary_encode(pa.concat_arrays([self._sub_arrow, *columns]))
        codes = both.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        row = np.full(len(both.dictionary) + 1, -1)  # last entry: a missing id
        row[codes[:n][::-1]] = np.arange(n)[::-1]  # the first row of an id, as get_indexer
        ends = np.cumsum([n, *(len(c) for c in columns)])
        return [row[codes[start:end]] for start, end in zip(ends[:-1], ends[1:], strict=True)]

    def ids_of(self, rows: np.ndarray) -> np.ndarray:
        """The submission ids of submission ``rows``, as Python strings (object array)."""
        taken = self._sub_arrow.take(pa.array(np.asarray(rows, dtype=np.int64)))
        return taken.to_numpy(zero_copy_only=False).astype(object)

    def credits_of(self, sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Join records of items ``sub`` (adoptions, instructions ...) to their items' credit rows.

        Returns ``(j, i)``: record ``j[k]`` is credited through credit row ``i[k]``,
        one pair per (record, person credited with its item), sorted by credit row
        then record.
        """
        first, count = self._c_first[sub], np.where(sub >= 0, self._c_count[sub], 0)
        j = np.repeat(np.arange(len(sub)), count)
        offset = np.arange(len(j)) - np.repeat(np.cumsum(count) - count, count)
        i = self._c_by_item[np.repeat(first, count) + offset]
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
        if self.by == "unit":  # a million credit rows among a few thousand units, in Arrow
            known = _strings(self.people["unit"].astype(str))
            found = pc.index_in(_strings(credits["unit"]), value_set=known)
            self._ben = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        else:
            index = pd.MultiIndex.from_frame(self.people[keys].astype(str))
            self._ben = index.get_indexer(pd.MultiIndex.from_frame(credits[keys].astype(str)))
        self._credits = credits
        self.unit_quota = units["quota"].to_numpy(dtype=float, na_value=np.nan)
        self.unit_group = units["group"].astype(str).to_numpy()
        self.unit_class = units["class"].astype(str).where(units["class"].notna(), "").to_numpy()
        self.unit_index = pd.Index(units["unit"].astype(str))

    def _items(self, ds: Dataset) -> None:
        subs = ds.submissions.reset_index(drop=True)
        self._sub_arrow = _strings(subs["submission_id"])
        self.n_subs = len(subs)
        self.sub_cat = np.maximum(kit.codes(subs["category"], kit.CATEGORIES), 0)
        at = kit.times(subs["submitted_at"])
        self.sub_at, self.sub_in = at, self.in_window(at)
        # credit rows: one per (item, person); sorted by person, year, time, id for running caps
        credited = _strings(self._credits["submission_id"])
        sub = _in_order(credited, self._sub_arrow)
        if sub is None:
            (sub,) = self._lookup([credited])
        ok = (sub >= 0) & (self._ben >= 0)
        sub, ben, n = sub[ok], self._ben[ok], self._credits["n"].to_numpy(dtype=float)[ok]
        time_rank = np.empty(len(at), dtype=np.int64)
        time_rank[kit.lexsort((self._id_rank(), at))] = np.arange(len(at))
        order = kit.stable_argsort(ben * max(len(at), 1) + time_rank[sub])
        year = _years(at)[sub]
        self.c_sub, self.c_ben, self.c_n = sub[order], ben[order], n[order]
        # credit rows grouped by item (stable), for joining adoptions to their credits
        position = np.empty_like(order)
        position[order] = np.arange(len(order))
        self._c_by_item = position[np.argsort(sub, kind="stable")]
        self._c_count = np.bincount(self.c_sub, minlength=len(at))
        self._c_first = np.cumsum(self._c_count) - self._c_count
        self.c_capgroup = np.cumsum(kit.group_starts(self.c_ben, year[order])) - 1
        self.c_in = self.sub_in[self.c_sub]

    def _id_rank(self) -> np.ndarray:
        """Each submission's place in the order of the ids (no sort when they are in order)."""
        ids, n = self._sub_arrow, len(self._sub_arrow)
        if n < 2 or pc.all(pc.less(ids[:-1], ids[1:])).as_py():
            return np.arange(n)
        rank = np.empty(n, dtype=np.int64)  # Arrow's sort is stable, by UTF-8 bytes: as Python's
        rank[pc.sort_indices(ids).to_numpy()] = np.arange(n)
        return rank

    @functools.cached_property
    def c_at(self) -> np.ndarray:
        """Submission time of each credit row."""
        return self.sub_at[self.c_sub]

    @functools.cached_property
    def c_cat(self) -> np.ndarray:
        """Category code of each credit row's item."""
        return self.sub_cat[self.c_sub]

    def _adoptions(self, ds: Dataset) -> None:
        ad = ds.adoptions.reset_index(drop=True)
        sub = self.rows_of("adoptions")
        outlet = pc.utf8_trim_whitespace(_strings(ad["outlet"]))
        level = kit.codes(ad["level"], kit.LEVELS)
        ok = (sub >= 0) & (level >= 0)
        adopt_type = np.maximum(kit.codes(ad["adoption_type"], kit.ADOPTION_TYPES), 0)
        at = kit.times(ad["adopted_at"])
        self.outlet_names = sorted(pc.unique(outlet).drop_null().to_pylist())
        names = pa.array(self.outlet_names, pa.large_string())
        outlet_rank = pc.index_in(outlet, value_set=names).fill_null(-1).to_numpy().astype(np.int64)
        adoption_id = ad["adoption_id"].to_numpy()
        order = kit.lexsort((adoption_id, outlet_rank, adopt_type, level, at, sub))
        order = order[ok[order]]
        self.a_order = order  # adoption row k is the dataset's row a_order[k]
        self.a_sub, self.a_level, self.a_type = sub[order], level[order], adopt_type[order]
        self.a_at = at[order]
        self.a_outlet_code = outlet_rank[order]  # in outlet_names (-1: none)
        self.a_outlet = np.array([*self.outlet_names, None], dtype=object)[self.a_outlet_code]
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
