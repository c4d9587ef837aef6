"""The data layer: the schema, reading files, validation, the Dataset and the sample.

Nothing here imports from :mod:`evalkit.metrics`, :mod:`evalkit.scoring` or
:mod:`evalkit.outputs`; imports flow one way, from data to outputs.
"""

from evalkit.data._dataset import Dataset
from evalkit.data._io import DataError
from evalkit.data.loading import load, load_frames

__all__ = ["DataError", "Dataset", "load", "load_frames"]
