"""evalkit: evaluate government information work (政务信息工作考核).

Load and validate submission, adoption, unit and fault records; count, score
and rank units and informants under rules held as data; compare rule sets;
and write the year-end workbook, charts and bulletins. Charts are in
:mod:`evalkit.outputs.plots`.

The public names are imported on first use, so ``evalkit check`` does not pay
for SciPy and matplotlib.
"""

from importlib import import_module

from evalkit.data._dataset import Dataset
from evalkit.data._io import DataError
from evalkit.data.loading import load, load_frames

__version__ = "0.1.0"

_LAZY = {
    "Rules": "evalkit.scoring.rules",
    "RulesError": "evalkit.scoring.rules",
    "load_rules": "evalkit.scoring.rules",
    "available_rules": "evalkit.scoring.rules",
    "Scorer": "evalkit.scoring.scorer",
    "score": "evalkit.scoring.scorer",
    "ledger": "evalkit.scoring.scorer",
    "score_informants": "evalkit.scoring.scorer",
    "select_awards": "evalkit.scoring.awards",
    "compare": "evalkit.scoring.whatif",
    "Comparison": "evalkit.scoring.whatif",
    "compute_metrics": "evalkit.metrics",
    "monthly": "evalkit.metrics",
    "lags": "evalkit.metrics",
    "resolve_period": "evalkit.periods",
    "wilson_interval": "evalkit.metrics",
    "funnel_data": "evalkit.scoring.uncertainty",
    "rank_bands": "evalkit.scoring.uncertainty",
    "write_pack": "evalkit.outputs.pack",
    "write_comparison": "evalkit.outputs.pack",
    "bulletin_tables": "evalkit.outputs.bulletin",
    "write_bulletin": "evalkit.outputs.bulletin",
    "whatif_panel": "evalkit.widgets",
}

__all__ = ["DataError", "Dataset", "load", "load_frames", *sorted(_LAZY)]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'evalkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
