"""crossgen analysis: storage, importers, metrics and statistics. Never imports Dash."""

import os

# The models here are small (thousands of rows, tens of columns): multi-threaded BLAS only adds
# contention, which made each regression ~10x slower on a shared 2-core machine. Set before numpy
# loads; an explicit setting in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
