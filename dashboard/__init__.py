"""crossgen dashboard (Dash). Imports analysis; analysis never imports this package."""

from analysis.cache.textmode import use_object_text

use_object_text()  # before any frame is built: see analysis/cache/textmode.py
