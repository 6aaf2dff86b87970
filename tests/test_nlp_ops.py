"""The BLAS-backed thinc operations the model runs on: the same products as thinc's own, in every layout."""

from __future__ import annotations

import numpy
import pytest
from thinc.api import NumpyOps

from kroniek.nlp.ops import KroniekOps


@pytest.mark.parametrize("trans1", [False, True])
@pytest.mark.parametrize("trans2", [False, True])
@pytest.mark.parametrize("with_out", [False, True])
def test_gemm_matches_thincs_own(trans1: bool, trans2: bool, with_out: bool) -> None:
    rng = numpy.random.default_rng(3)
    x = rng.standard_normal((37, 19) if not trans1 else (19, 37)).astype("float32")
    y = rng.standard_normal((19, 23) if not trans2 else (23, 19)).astype("float32")
    want = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    ops = KroniekOps()
    if with_out:
        out = numpy.zeros((37, 23), dtype="float32")
        got = ops.gemm(x, y, out=out, trans1=trans1, trans2=trans2)
        assert got is out
    else:
        got = ops.gemm(x, y, trans1=trans1, trans2=trans2)
    assert got.dtype == numpy.float32 and got.shape == (37, 23)
    numpy.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_the_shipped_pipeline_runs_on_these_operations() -> None:
    from kroniek.nlp.pipeline import get_nlp

    nlp = get_nlp()
    for name in ("tok2vec", "ner"):
        assert isinstance(nlp.get_pipe(name).model.ops, KroniekOps), name
    doc = nlp("Minister Stef Blok van Buitenlandse Zaken sprak in Den Haag met Rusland.")
    assert {e.text for e in doc.ents} >= {"Stef Blok", "Den Haag"}
