"""The demo company: a seeded generator of a fictional programme's vendor exports (the demo
database is built from them by :mod:`analysis.ingest.demo_db`, as a user would import them)."""
