"""Outputs: the workbook writer, labels, fonts, charts, the year-end pack and bulletins.

Modules are imported by name (``evalkit.outputs.pack``, ``evalkit.outputs.plots``);
this package imports nothing on its own so that matplotlib loads only for charts.
"""
