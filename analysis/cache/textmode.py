"""How pandas holds text in a process: Arrow strings (pandas 3's default) or NumPy objects."""

from __future__ import annotations

import warnings

import pandas as pd
from pandas.errors import Pandas4Warning


def use_object_text() -> None:
    """Infer text columns as NumPy object arrays instead of pandas 3's Arrow-backed ``str``,
    for the rest of this process: the dashboard server's choice.

    A filter change builds a few thousand small frames (a row per cell, a column per
    statistic), and Arrow strings cost a conversion on every column insert, row selection and
    column-name lookup: object text made the server's filter changes ~1.4× faster at 200,000
    employees. The batch commands (import, metrics) work on whole tables, where Arrow is the
    faster one, and keep the default. Both give the same numbers and the same responses (every
    dashboard response compared byte for byte in both modes). The option is deprecated for
    pandas 4, which requirements.lock does not allow; revisit when moving to pandas 4.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Pandas4Warning)
        pd.set_option("future.infer_string", False)
