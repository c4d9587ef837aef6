"""evalkit: evaluate government information work (政务信息工作考核).

Load and validate submission, adoption, unit and fault records; count, score
and rank units and informants under rules held as data; compare rule sets;
and write the year-end workbook, charts and bulletins.
"""

from evalkit._dataset import Dataset

__all__ = ["Dataset"]
__version__ = "0.1.0"
