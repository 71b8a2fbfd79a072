"""Charts of runs, studies and comparisons, in Chinese or English, as PNG (300 dpi) and SVG.

``style`` holds the house style, fonts, figure frame and file writing; ``text`` the catalogue of
every word a chart shows, in both languages; ``tables`` what the charts read from the model's
tables; ``run``, ``fans``, ``comparison`` and ``map`` one family of charts each. Callers import
the module of the family they draw, e.g. ``from sim.charts.run import render_run_charts``.
"""
