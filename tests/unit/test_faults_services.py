"""The fault suite, services: hostile bodies and advisories for `noxci serve` and `osv-serve`.

Both services run as real ``python -m noxci`` processes on 127.0.0.1. Each
case sends one hostile request (JSON nested 2,000 deep, a 300 MB
``Content-Length``, NaN, a body that is not UTF-8, ...) or queries an
advisory file that is hostile, and asserts: a 4xx (or, for a broken
advisory, a 500) with a JSON error, never a traceback and at most one line
on the service's stderr, a bounded answer time, a process that keeps
serving, and that a valid request right after it is answered and stored.
The database cases start ``noxci serve`` on a database it cannot reach.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from noxci.errors import ExitCode
from tests.fault_services import (
    ADVISORIES,
    DEEP,
    SKIPPED,
    Service,
    advisories,
    launch,
    raw,
    ready,
    rss_kb,
    stop,
)
from tests.readiness_helpers import write_project
from tests.unit.test_render import _doc

BIG = 300 * 1000 * 1000  # the 300 MB body


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Service]]:
    """`noxci serve` (SQLite) and `noxci osv-serve`, started side by side."""
    from noxci.serve.store import Store

    where = tmp_path_factory.mktemp("serve")
    db = f"sqlite:///{where / 'serve.db'}"
    store = Store(db)
    store.migrate()
    token = store.add_project("widget")
    store.close()
    vulns = advisories(tmp_path_factory.mktemp("osv"))
    started = {
        "serve": launch(["serve", "--port", "0", "--database-url", db], where),
        "osv": launch(["osv-serve", str(vulns), "--port", "0"], vulns.parents[1]),
    }
    running = {kind: ready(service, kind) for kind, service in started.items()}
    running["serve"].token = token
    yield running
    for service in running.values():
        stop(service)


@pytest.fixture
def serve(services: dict[str, Service]) -> Service:
    return services["serve"]


@pytest.fixture
def osv(services: dict[str, Service]) -> Service:
    return services["osv"]


BODIES: dict[str, tuple[bytes, int]] = {
    "deep-2000": (DEEP, 400),
    "deep-object-2000": (b'{"a":' * 2000 + b"1" + b"}" * 2000, 400),
    "deep-unclosed-100k": (b"[" * 100_000, 400),
    "int-401-digits": (b'{"score": ' + b"1" * 401 + b"}", 400),
    "nan": (b'{"score": NaN}', 400),
    "infinity": (b'{"score": -Infinity}', 400),
    "float-1e400": (b'{"score": 1e400}', 400),
    "lone-surrogate": (b'{"project": "\\ud800"}', 400),
    "invalid-utf8": (b'{"project": "\xff"}', 400),
    "truncated": (b'{"project": "wid', 400),
    "empty": (b"", 400),
    "not-json": (b"<xml/>", 400),
    "top-level-array": (b"[]", 422),
    "schema-invalid": (b'{"schema_version": 1}', 422),
    "too-large-2mib": (b"[" + b"0," * (1 << 20) + b"0]", 413),
}


_VALID: list[dict[str, Any]] = []


def _valid(tmp_path: Path, **changes: Any) -> bytes:
    """A valid readiness.json to upload (made once per worker)."""
    if not _VALID:
        _VALID.append(_doc(write_project(tmp_path)).to_dict())
    return json.dumps({**_VALID[0], **changes}).encode()


def _settled(service: Service, before: int) -> None:
    """The service is alive, logged at most one line, and no traceback."""
    assert service.process.poll() is None, "the service died"
    lines = service.lines()
    assert "Traceback" not in "\n".join(lines)
    assert len(lines) - before <= 1, lines[before:]


@pytest.mark.parametrize("name", list(BODIES))
@pytest.mark.parametrize("kind", ["serve", "osv"])
def test_hostile_body(
    name: str, kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    service: Service = request.getfixturevalue(kind)
    body, status = BODIES[name]
    path = "/api/v1/projects/widget/runs" if kind == "serve" else "/v1/query"
    if kind == "osv" and status == 422:
        status = 400  # OSV answers any query it cannot use with 400
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {service.token}",
    }
    before = len(service.lines())
    start = time.monotonic()
    answer = requests.post(service.url + path, data=body, headers=headers, timeout=10)
    assert time.monotonic() - start < 8
    assert answer.status_code == status, answer.text
    assert isinstance(answer.json()["error"], str)
    _settled(service, before)
    if kind == "serve":  # nothing accepted is lost: a valid upload still lands
        good = requests.post(
            service.url + path, data=_valid(tmp_path), headers=headers, timeout=10
        )
        assert good.status_code == 201, good.text
        history = requests.get(
            f"{service.url}/api/v1/projects/widget/history", timeout=10
        ).json()
        assert (
            history["runs"][-1]["generated_at"]
            == json.loads(_valid(tmp_path))["generated_at"]
        )


@pytest.mark.parametrize("kind", ["serve", "osv"])
def test_a_300_mb_body_is_refused_unread(
    kind: str, request: pytest.FixtureRequest
) -> None:
    service: Service = request.getfixturevalue(kind)
    path = "/api/v1/projects/widget/runs" if kind == "serve" else "/v1/query"
    rss = rss_kb(service.process.pid)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {service.token}\r\nContent-Length: {BIG}\r\n\r\n"
    ).encode()
    start = time.monotonic()
    status, body = raw(service.url, head, b"[" * 65536)  # only a little of it is sent
    assert time.monotonic() - start < 8
    assert status == 413
    assert "limited to" in json.loads(body)["error"]
    assert rss_kb(service.process.pid) - rss < 20_000  # KiB: nothing was buffered
    _settled(service, len(service.lines()))


@pytest.mark.parametrize("kind", ["serve", "osv"])
@pytest.mark.parametrize("length", ["abc", "-1", "1" * 30])
def test_a_bad_content_length_is_400(
    kind: str, length: str, request: pytest.FixtureRequest
) -> None:
    service: Service = request.getfixturevalue(kind)
    path = "/api/v1/projects/widget/runs" if kind == "serve" else "/v1/query"
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {service.token}\r\nContent-Length: {length}\r\n\r\n".encode()
    status, _ = raw(service.url, head, b"{}")
    assert status == 400
    _settled(service, len(service.lines()))


def test_an_unbounded_chunked_body_is_refused(serve: Service) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 4 MiB, with no Content-Length
            yield b" " * 65536

    answer = requests.post(
        f"{serve.url}/api/v1/projects/widget/runs",
        data=chunks(),
        headers={"Authorization": f"Bearer {serve.token}"},
        timeout=10,
    )
    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("commit", "a" * 65),
        ("branch", "b" * 256),
        ("generated_at", "2026-11-27T10:00:00." + "1" * 40 + "Z"),
    ],
)
def test_fields_too_long_for_the_database_are_422(
    serve: Service, tmp_path: Path, field: str, value: str
) -> None:
    answer = requests.post(
        f"{serve.url}/api/v1/projects/widget/runs",
        data=_valid(tmp_path, **{field: value}),
        headers={"Authorization": f"Bearer {serve.token}"},
        timeout=10,
    )
    assert answer.status_code == 422, answer.text
    assert f"{field} is longer than" in answer.json()["error"]


def _query(service: Service, package: str) -> requests.Response:
    return requests.post(
        f"{service.url}/v1/query",
        json={"package": {"name": package, "ecosystem": "PyPI"}, "version": "1.0"},
        timeout=10,
    )


@pytest.mark.parametrize("name", [*ADVISORIES, *SKIPPED])
def test_hostile_advisory(osv: Service, name: str) -> None:
    before = len(osv.lines())
    start = time.monotonic()
    answer = _query(osv, f"bad-{name}")
    assert time.monotonic() - start < 8
    if name in SKIPPED:
        assert (answer.status_code, answer.json()) == (200, {})
    else:
        # The query fails (fail closed): skipping the file could hide a vulnerability.
        assert answer.status_code == 500, answer.text
        assert "an advisory cannot be read" in answer.json()["error"]
        assert len(osv.lines()) - before == 1
        assert osv.lines()[-1].startswith("noxci > error: ")
    _settled(osv, len(osv.lines()))
    good = _query(osv, "goodpkg")  # nothing lost: the good advisory is still served
    assert [v["id"] for v in good.json()["vulns"]] == ["PYSEC-goodpkg"]


@pytest.mark.parametrize(
    "bad",
    [
        (
            [
                "--database-url",
                "postgresql://noxci:hunter2-secret@127.0.0.1:1/readiness",
            ],
            ExitCode.NETWORK,
            "cannot reach the database postgresql://noxci:***@127.0.0.1:1/readiness",
        ),
        (
            ["--database-url", "sqlite:////no/such/dir/serve.db"],
            ExitCode.NETWORK,
            "cannot reach the database sqlite:////no/such/dir/serve.db: unable to open database file",
        ),
        (
            ["--database-url", "nonsense://u:hunter2-secret@x"],
            ExitCode.CONFIG,
            "cannot use database",
        ),
    ],
)
def test_an_unreachable_database_is_one_line(
    tmp_path: Path,
    bad: tuple[list[str], int, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv, code, says = bad
    # In-process: `noxci serve` stops before it would serve.
    from noxci.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    start = time.monotonic()
    assert main(["serve", "--port", "0", *argv]) == code
    assert time.monotonic() - start < 15
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("noxci > error: ")
    assert says in lines[0]
    assert "hunter2-secret" not in err + out
    assert "Traceback" not in err
