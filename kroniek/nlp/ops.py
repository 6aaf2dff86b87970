"""Thinc operations for the model: matrix products through NumPy's BLAS instead of blis.

The tok2vec layers spend most of their time in matrix products of a few hundred tokens by a few hundred
features. On x86-64, NumPy's OpenBLAS runs those about three times faster than the blis kernels thinc uses by
default (docs/benchmarks.md, "Dutch model"), which is what the model's speed rests on. Everything else is
thinc's NumpyOps. The same idea as thinc's own AppleOps, which hands gemm to Apple's Accelerate.
"""

from __future__ import annotations

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
