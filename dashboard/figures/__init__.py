"""Figure builders: pure functions from tidy DataFrames to plotly figures (plotly only).

The dashboard, PNG/SVG export and the slide deck all draw these same figures.
"""
