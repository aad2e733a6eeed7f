"""The metrics: the registry, and per family the SQL of its units and rows and the
statistic it calls (analysis.stats)."""
