"""The charts, one module per kind; :mod:`evalkit.outputs.plots` is their public face.

- :mod:`.ranking`: a group's ranking, its score composition, the commended informants;
- :mod:`.adoption`: items adopted at each level, the funnel plot of adoption rates;
- :mod:`.monthly`: items by month against the year before, the unit-by-month heatmap;
- :mod:`.timeliness`: time from event to submission, late or missed items per unit;
- :mod:`.changes`: ranks under two rule sets, rank uncertainty, gains on last year.

The machinery they share (style, figures, colours, panels, names, legends) is in
:mod:`evalkit.outputs._chartkit`.
"""
