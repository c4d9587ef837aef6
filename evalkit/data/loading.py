"""Load a data folder (or in-memory frames) into a validated :class:`Dataset`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.data import _records  # instruction and forwarding records
from evalkit.data._columns import check_years
from evalkit.data._dataset import COUNT_COLUMNS, ISSUE_COLUMNS, Dataset
from evalkit.data._io import DataError, RawTable, frame_to_raw, header_lookup, read_table
from evalkit.data._mapping import check_mapping, find_files, read_mapping
from evalkit.data._schema import TABLES
from evalkit.data._tables import adoptions_table, faults_table, submissions_table, units_table
from evalkit.data.validation import UnitMatcher

__all__ = ["DataError", "load", "load_frames"]


def load(folder: str | Path) -> Dataset:
    """Load and validate the units, submissions, adoptions and faults files of ``folder``.

    Every input row ends up either in the Dataset or in ``dataset.rejected`` with
    its reason; ``dataset.issues`` lists every error and warning with file, row
    (as Excel numbers it), column and value.

    Parameters
    ----------
    folder : str or Path
        A folder holding ``units``, ``submissions``, ``adoptions`` and optionally
        ``faults`` as ``.csv`` or ``.xlsx`` (see ``docs/data-format.md``), and
        optionally a ``mapping.toml`` for the office's own header spellings.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        When the folder does not exist or its ``mapping.toml`` is unreadable.

    Examples
    --------
    >>> import evalkit
    >>> ds = evalkit.load("data/sample")
    >>> ds.errors.empty
    True
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise DataError(
            f"{folder}: is a file, not a folder; give the data folder that holds the units,"
            " submissions and adoptions files"
        )
    if not folder.is_dir():
        raise DataError(f"{folder}: no such data folder")
    mapping = read_mapping(folder)
    paths, file_issues = find_files(folder, mapping)
    raws = {table: read_table(table, path, mapping) for table, path in paths.items()}
    dataset = _build(raws, mapping, file_issues)
    dataset.folder = folder
    return dataset


def load_frames(
    units: pd.DataFrame,
    submissions: pd.DataFrame,
    adoptions: pd.DataFrame,
    faults: pd.DataFrame | None = None,
    mapping: dict | None = None,
    instructions: pd.DataFrame | None = None,
    forwardings: pd.DataFrame | None = None,
) -> Dataset:
    """Validate in-memory frames exactly as :func:`load` validates files.

    Headers may be canonical (``unit``, ``submitted_at`` ...) or any accepted
    Chinese spelling; rows are numbered as if the frame were a sheet whose
    header is row 1.

    Examples
    --------
    >>> import pandas as pd, evalkit
    >>> ds = evalkit.load_frames(
    ...     units=pd.DataFrame({"单位名称": ["城关镇"], "组别": ["乡镇组"]}),
    ...     submissions=pd.DataFrame({"编号": ["A1"], "报送单位": ["城关镇"], "标题": ["春耕"],
    ...                               "报送时间": ["2025年3月5日 14:30"]}),
    ...     adoptions=pd.DataFrame({"编号": ["A1"], "采用级别": ["市级"], "采用时间": ["2025/3/9"]}),
    ... )
    >>> ds.adoptions["level"].tolist()
    ['city']
    """
    mapping = check_mapping(mapping or {})
    frames = {"units": units, "submissions": submissions, "adoptions": adoptions, "faults": faults,
              "instructions": instructions, "forwardings": forwardings}  # fmt: skip
    raws = {}
    for table, frame in frames.items():
        if frame is None:
            continue
        header = frame.columns.to_numpy(dtype=object)
        cells = pd.DataFrame(np.vstack([header, frame.to_numpy(dtype=object)]))
        raws[table] = frame_to_raw(table, f"<{table}>", cells, mapping, header_row=0)
    return _build(raws, mapping, [])


def _build(raws: dict[str, RawTable], mapping: dict, file_issues: list[dict]) -> Dataset:
    overrides = mapping["values"]
    for table in TABLES:  # an unreadable or missing file still gets an (empty) table
        if table not in raws:  # (made only then: a frame costs a millisecond)
            raws[table] = RawTable(table, "", pd.DataFrame({"_row": []}), fatal=True)
    lookups = {table: header_lookup(table, mapping) for table in TABLES}
    units, aliases, c_units = units_table(raws["units"], lookups["units"])
    matcher = UnitMatcher(units, aliases)
    subs, sub_units, sub_informants, c_subs = submissions_table(
        raws["submissions"], lookups["submissions"], matcher, overrides
    )
    adoptions, c_adopt, derived = adoptions_table(
        raws["adoptions"], lookups["adoptions"], subs, overrides
    )
    faults, c_faults = faults_table(raws["faults"], lookups["faults"], matcher, subs, overrides)
    filed, c_instr = _records.load_instructions(
        raws["instructions"], subs, adoptions, overrides, lookups["instructions"]
    )
    instructions = _records.instruction_records(derived[0], filed)
    _records.warn_repeats(c_instr, instructions, ["submission_id", "leader_level", "leader"],
                          "leader", "the same leader's instruction on this item is")  # fmt: skip
    sent, c_fwd = _records.load_forwardings(
        raws["forwardings"], subs, overrides, lookups["forwardings"]
    )
    forwardings = _records.forwarding_records(derived[1], sent)
    _records.warn_repeats(c_fwd, forwardings, ["submission_id", "to_level"], "to_level",
                          "counted once per item and level; the item's forwarding there is")  # fmt: skip
    checkers = [c_units, c_subs, c_adopt, c_faults, c_instr, c_fwd]
    check_years(checkers, subs["submitted_at"])
    found = [file_issues, *(raw.issues for raw in raws.values())]
    issue_frames = [pd.DataFrame(f, columns=ISSUE_COLUMNS) for f in found if f]  # empty: left out
    issue_frames += [f for c in checkers for f in c.issues]
    issues = pd.concat(
        [f for f in issue_frames if not f.empty] or [pd.DataFrame(columns=ISSUE_COLUMNS)],
        ignore_index=True,
    )
    issues["row"] = issues["row"].astype("Int64")
    issues = issues.sort_values(["table", "severity", "row"], key=_table_order, kind="stable")
    rejected = pd.concat([c.rejected() for c in checkers], ignore_index=True)
    counts = pd.DataFrame(
        [
            {
                "table": c.raw.table,
                "file": c.raw.file,
                "rows_read": len(c.frame) + c.raw.blank_rows,  # every row below the header
                "loaded": int(c.ok.sum()),
                "rejected": int((~c.ok).sum()),
                "blank_rows": c.raw.blank_rows,
            }
            for c in checkers
            if c.raw.file
        ],
        columns=COUNT_COLUMNS,
    )
    return Dataset(
        units=units,
        submissions=subs,
        submission_units=sub_units,
        submission_informants=sub_informants,
        adoptions=adoptions,
        faults=faults,
        instructions=instructions,
        forwardings=forwardings,
        issues=issues.reset_index(drop=True),
        rejected=rejected,
        counts=counts,
        aliases=aliases,
    )


def _table_order(col: pd.Series) -> pd.Series:
    if col.name == "table":
        return col.map({t: i for i, t in enumerate(TABLES)})
    if col.name == "severity":
        return col.map({"error": 0, "warning": 1})
    return col
