"""Property-based requests generated from the app's own OpenAPI schema: no server errors."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")
schemathesis = pytest.importorskip("schemathesis", reason="needs schemathesis")

from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from statecraft.web import create_app  # noqa: E402

# schemathesis calls the app under the name "testserver": allowed like any --allowed-host
APP = create_app(Path(__import__("tempfile").mkdtemp(prefix="statecraft-schema-")),
                 allowed_hosts=["testserver"])
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_request_the_schema_allows_makes_a_server_error(case: object) -> None:
    case.call_and_validate(checks=[not_a_server_error])  # type: ignore[attr-defined]
