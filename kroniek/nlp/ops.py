"""Thinc operations for the model: matrix products through NumPy's BLAS instead of blis.

The tok2vec layers spend most of their time in matrix products of a few hundred tokens by a few hundred
features. On x86-64, NumPy's OpenBLAS runs those about three times faster than the blis kernels thinc uses by
default (docs/benchmarks.md, "Dutch model"), which is what the model's speed rests on. Everything else is
thinc's NumpyOps. The same idea as thinc's own AppleOps, which hands gemm to Apple's Accelerate.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from typing import Any

import numpy
from thinc.api import NumpyOps, registry

NAME = "kroniek"


@registry.ops("KroniekOps")
class KroniekOps(NumpyOps):
    """NumpyOps with `gemm` through numpy.matmul (BLAS)."""

    name = NAME

    def gemm(self, x: Any, y: Any, out: Any = None, trans1: bool = False, trans2: bool = False) -> Any:
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return numpy.matmul(a, b)
        numpy.matmul(a, b, out=out)
        return out


# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
# The largest arrays of a batch: a 64-article batch of long articles is some 50,000 tokens by 288 floats (55 MB).
KEEP_FREED_BYTES = 256 * 1024 * 1024


@functools.cache
def keep_freed_memory() -> bool:
    """Have glibc's malloc keep the memory of freed large arrays for the next ones; True where it was set.

    The model's layers make arrays of a few MB to tens of MB for every batch. By default glibc maps each of
    these afresh and hands it back when it is freed (and trims the heap when its top is free), so every batch
    pays the kernel to map and zero the same pages again: 3 to 9 CPU microseconds a word of system time, measured
    in bench_nlp, against under 1.5 with this. The cost is that up to KEEP_FREED_BYTES of freed memory stays with
    the process. A no-op where the C library is not glibc.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    # some glibc versions refuse a mapping threshold above 32 MB: then that
    keep = next((n for n in (KEEP_FREED_BYTES, 32 * 1024 * 1024) if mallopt(_M_MMAP_THRESHOLD, n)), 0)
    return bool(keep) and bool(mallopt(_M_TRIM_THRESHOLD, 2 * keep))
