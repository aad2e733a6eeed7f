"""crossgen analysis: storage, importers, metrics and statistics. Never imports Dash."""

import os
import warnings

# The models here are small (thousands of rows, tens of columns): multi-threaded BLAS only adds
# contention, which made each regression ~10x slower on a shared 2-core machine. Set before numpy
# loads; an explicit setting in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pandas as pd  # noqa: E402  (after the BLAS settings above)
from pandas.errors import Pandas4Warning  # noqa: E402

# Text as NumPy object arrays, not pandas 3's Arrow-backed "str": a filter change builds a few
# thousand small frames (a row per cell, a column per statistic), and Arrow strings cost a
# conversion on every column insert, row selection and column-name lookup — 1.4x on the
# dashboard's filter changes at 200k employees (README "Benchmarks"). Deprecated for pandas 4,
# which requirements.lock does not allow; revisit when moving to pandas 4.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", Pandas4Warning)
    pd.set_option("future.infer_string", False)

__version__ = "0.1.0"
