"""The demo company: a seeded generator of vendor exports, and the demo database built
by importing them as a user would."""
