"""evalkit: evaluate government information work (政务信息工作考核).

Load and validate submission, adoption, unit and fault records; count, score
and rank units and informants under rules held as data; compare rule sets;
and write the year-end workbook, charts and bulletins. Charts are in
:mod:`evalkit.plots`.

The public names are imported on first use, so ``evalkit check`` does not pay
for SciPy and matplotlib.
"""

from importlib import import_module

from evalkit._dataset import Dataset
from evalkit._io import DataError
from evalkit.loading import load, load_frames

__version__ = "0.1.0"

_LAZY = {
    "Rules": "evalkit.rules",
    "RulesError": "evalkit.rules",
    "load_rules": "evalkit.rules",
    "available_rules": "evalkit.rules",
    "Scorer": "evalkit.scoring",
    "score": "evalkit.scoring",
    "ledger": "evalkit.scoring",
    "score_informants": "evalkit.scoring",
    "select_awards": "evalkit.awards",
    "compare": "evalkit.whatif",
    "Comparison": "evalkit.whatif",
    "compute_metrics": "evalkit.metrics",
    "monthly": "evalkit.metrics",
    "lags": "evalkit.metrics",
    "resolve_period": "evalkit.metrics",
    "wilson_interval": "evalkit.metrics",
    "funnel_data": "evalkit.uncertainty",
    "rank_bands": "evalkit.uncertainty",
    "write_pack": "evalkit.reports",
    "write_comparison": "evalkit.reports",
    "bulletin_tables": "evalkit.bulletin",
    "write_bulletin": "evalkit.bulletin",
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
