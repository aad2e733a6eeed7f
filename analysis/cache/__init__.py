"""Speed without changing an answer: results kept per data version, integer-coded cubes,
and how a process holds text."""
