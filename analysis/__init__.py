"""crossgen analysis: storage, importers, metrics and statistics. Never imports Dash."""

__version__ = "0.1.0"
