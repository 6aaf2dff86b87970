"""Kroniek: a searchable, time-anchored archive of dated Dutch news articles."""

import os

# The Dutch model's matrix products are small: a second BLAS thread costs CPU time and gains no wall time (see
# docs/benchmarks.md, "Speed on BLAS matrix products"). One thread unless the user chose otherwise; this must be
# set before numpy is first imported, which is why it lives here.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
del _var

__version__ = "0.1.0"
