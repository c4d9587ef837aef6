"""evalkit: evaluate government information work (政务信息工作考核).

Load and validate submission, adoption, unit and fault records; count, score
and rank units and informants under rules held as data; compare rule sets;
and write the year-end workbook, charts and bulletins.
"""

from evalkit._dataset import Dataset
from evalkit._io import DataError
from evalkit.loading import load, load_frames

__all__ = ["DataError", "Dataset", "load", "load_frames"]
__version__ = "0.1.0"
