# ruff: noqa: F811  (fixtures imported from web_support are parameters of the tests)
"""Schema-driven fuzzing of the API from its own OpenAPI document: no input the schema allows may cause a 500."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)
from web_support import TOKEN, annotated  # noqa: F401

from kroniek.server.app import create_app
from kroniek.server.settings import Settings

# The schema is read when the module loads; the archive behind the app is built by the fixture below, before any
# call, so the app is made now over a path that the fixture fills.
_WORK = Path(tempfile.mkdtemp(prefix="kroniek-fuzz-"))
APP = create_app(Settings(_WORK / "kroniek.db", token=TOKEN))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def fuzz_archive(annotated: tuple[Path, str]) -> Iterator[None]:
    """A writable server (so ingest is reachable with the token) over a copy of the annotated archive."""
    shutil.copyfile(annotated[0], _WORK / "kroniek.db")
    shutil.copytree(Path(str(annotated[0]) + ".index"), _WORK / "kroniek.db.index")
    with TestClient(APP):  # runs the lifespan, which opens the archive, for the calls below
        yield
    shutil.rmtree(_WORK, ignore_errors=True)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_fuzz_no_server_errors(case: schemathesis.Case) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"} if case.method == "POST" else None
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    # every error, whatever the input, has the one shape
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["status"] == response.status_code
    case.validate_response(response, excluded_checks=[negative_data_rejection, positive_data_acceptance])
