"""The smoke runner against real local servers: healthy, flaky, down; and
database checks on SQLite and a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from noxci.config import Config
from noxci.jobs import get_job
from noxci.jobs.base import JobContext
from noxci.jobs.smoke import SmokeCheck, check_database, check_http
from noxci.report import Status
from noxci.runjob import execute
from tests.conftest import MakeConfig
from tests.fakes.server import FakeServer, Fault, json_answer, serve
from tests.postgres import PASSWORD, fresh_database

NO_SLEEP: dict[str, Any] = {"sleep": lambda _s: None}


@pytest.fixture
def service() -> Iterator[FakeServer]:
    server = FakeServer()
    server.route("GET", "/health", lambda _r: json_answer(200, {"status": "ok"}))
    server.route(
        "GET", "/api/items", lambda _r: json_answer(200, {"items": [], "total": 0})
    )
    with serve(server):
        yield server


def _check(server: FakeServer, check: SmokeCheck, attempts: int = 3) -> object:
    with requests.Session() as http:
        return check_http(
            http,
            server.url,
            check,
            kind="api",
            attempts=attempts,
            backoff=0.0,
            timeout=5.0,
            **NO_SLEEP,
        )


def test_healthy_endpoint(service: FakeServer) -> None:
    result = _check(
        service,
        SmokeCheck(name="items", path="/api/items", json_keys=("items", "total")),
    )
    assert (result.ok, result.attempts, result.error) == (True, 1, None)  # type: ignore[attr-defined]


def test_flaky_endpoint_passes_on_the_third_attempt(service: FakeServer) -> None:
    for _ in range(2):
        service.fault(
            Fault("GET", "/api/items", status=503, body={"message": "warming up"})
        )
    result = _check(service, SmokeCheck(name="items", path="/api/items"))
    assert (result.ok, result.attempts) == (True, 3)  # type: ignore[attr-defined]


def test_failing_checks_say_why(service: FakeServer) -> None:
    for _ in range(3):
        service.fault(Fault("GET", "/api/items", status=500))
    result = _check(service, SmokeCheck(name="items", path="/api/items"))
    assert (result.ok, result.attempts, result.error) == (False, 3, "HTTP 500 (expected 200)")  # type: ignore[attr-defined]
    missing = _check(
        service,
        SmokeCheck(name="keys", path="/api/items", json_keys=("items", "next")),
        attempts=1,
    )
    assert missing.error == "the JSON lacks next"  # type: ignore[attr-defined]
    slow = _check(
        service,
        SmokeCheck(name="slow", path="/api/items", max_latency_ms=0.001),
        attempts=1,
    )
    assert slow.error.startswith("took ")  # type: ignore[attr-defined]


def test_down_service_is_refused_after_three_attempts() -> None:
    with requests.Session() as http:
        result = check_http(
            http,
            "http://127.0.0.1:9",
            SmokeCheck(name="health", path="/health"),
            kind="health",
            attempts=3,
            backoff=0.0,
            timeout=2.0,
            **NO_SLEEP,
        )
    assert (result.ok, result.attempts, result.error) == (
        False,
        3,
        "connection refused or reset",
    )
    assert "127.0.0.1" not in (result.error or "")


def test_backoff_is_exponential(service: FakeServer) -> None:
    slept: list[float] = []
    for _ in range(3):
        service.fault(Fault("GET", "/health", status=503))
    with requests.Session() as http:
        check_http(
            http,
            service.url,
            SmokeCheck(name="h", path="/health"),
            kind="health",
            attempts=3,
            backoff=1.5,
            timeout=5.0,
            sleep=slept.append,
        )
    assert slept == [1.5, 3.0]


def test_database_checks_on_sqlite(tmp_path: Path) -> None:
    ok = check_database(
        f"sqlite:///{tmp_path / 'x.db'}", attempts=1, backoff=0.0, timeout=5.0
    )
    assert (ok.ok, ok.attempts) == (True, 1)
    bad = check_database(
        "sqlite:////nonexistent/dir/x.db",
        attempts=2,
        backoff=0.0,
        timeout=1.0,
        **NO_SLEEP,
    )
    assert (bad.ok, bad.attempts) == (False, 2)
    assert bad.error == "unable to open database file"


def test_database_checks_on_postgres(postgres: str) -> None:
    url = fresh_database(postgres)
    assert check_database(url, attempts=1, backoff=0.0, timeout=5.0).ok
    wrong = check_database(
        url.replace(PASSWORD, "wrong-password"),
        attempts=2,
        backoff=0.0,
        timeout=5.0,
        **NO_SLEEP,
    )
    assert (wrong.ok, wrong.attempts) == (False, 2)
    assert "password authentication failed" in (wrong.error or "")
    assert PASSWORD not in (wrong.error or "")
    port = url.split("@127.0.0.1:")[1].split("/")[0]
    refused = check_database(
        url.replace(f":{port}/", ":9/"),
        attempts=3,
        backoff=0.0,
        timeout=2.0,
        **NO_SLEEP,
    )
    assert (refused.ok, refused.attempts) == (False, 3)
    assert "refused" in (refused.error or "").lower()


def test_the_job_against_a_service_with_postgres(
    service: FakeServer,
    postgres: str,
    make_config: MakeConfig,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config: Config = make_config(
        '[tool.noxci.smoke]\nbackoff = 0.0\nchecks = [{ name = "items", path = "/api/items", json-keys = ["total"] }]\n'
    )
    db = fresh_database(postgres)
    ctx = JobContext(
        config=config,
        job="smoke",
        session="smoke",
        python="3.11",
        env={"STAGING_URL": service.url, "DATABASE_URL": db},
    )
    report = execute(ctx, get_job("smoke"))
    assert report.status is Status.PASSED
    assert report.metrics["checks_total"] == 3
    assert [c["name"] for c in report.details["checks"]] == [
        "health",
        "items",
        "database",
    ]
    assert PASSWORD not in str(report.to_dict()) + capsys.readouterr().err
    assert service.url not in report.summary


def test_the_job_fails_when_the_service_is_down(
    make_config: MakeConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    config: Config = make_config(
        "[tool.noxci.smoke]\nbackoff = 0.0\nrequest-timeout = 2.0\n"
    )
    ctx = JobContext(
        config=config,
        job="smoke",
        session="smoke",
        python="3.11",
        env={"STAGING_URL": "http://127.0.0.1:9"},
    )
    report = execute(ctx, get_job("smoke"))
    assert report.status is Status.FAILED
    assert report.metrics["attempts_total"] == 3
    assert report.summary == (
        "0 of 1 checks passed against the service: health: connection refused or reset "
        "after 3 attempt(s)"
    )
    assert "SLACK_WEBHOOK_URL is not set" in capsys.readouterr().err


def test_no_url_and_no_embedded_server_is_an_error(make_config: MakeConfig) -> None:
    config: Config = make_config("[tool.noxci.smoke]\nembedded = false\n")
    report = execute(
        JobContext(config=config, job="smoke", session="smoke", python="3.11"),
        get_job("smoke"),
    )
    assert report.status is Status.ERROR
    assert (
        report.error
        == "$STAGING_URL is not set and embedded = false: nothing to smoke-test"
    )
