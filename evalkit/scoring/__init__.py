"""Scoring: rules held as data, the scorer, awards, what-if and rank uncertainty.

Modules are imported by name (``evalkit.scoring.scorer``, ``evalkit.scoring.rules``);
this package imports nothing on its own so that ``evalkit check`` stays light.
"""
