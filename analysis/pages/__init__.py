"""Page bundles: what one dashboard page (or one exported chart) shows, as tidy DataFrames.

Business logic only — no Dash import. Every number here has passed :mod:`analysis.privacy.rules`.
Metrics that the registry does not (yet) provide come back as empty frames flagged
``available = False`` so the page can say so honestly instead of inventing numbers.
"""
