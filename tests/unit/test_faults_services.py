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
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from noxci.errors import ExitCode
from tests import fault_corpus as corpus
from tests.readiness_helpers import write_project
from tests.unit.test_render import _doc

DEEP = b"[" * 2000 + b"]" * 2000
BIG = 300 * 1000 * 1000  # the 300 MB body


@dataclass
class Service:
    url: str
    process: subprocess.Popen[str]
    stderr: Path
    token: str = ""

    def lines(self) -> list[str]:
        return self.stderr.read_text().splitlines()


def _launch(argv: list[str], cwd: Path) -> Service:
    """Start ``python -m noxci ARGV``; the URL is filled in by :func:`_ready`."""
    stderr = cwd / "stderr.txt"
    with stderr.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "noxci", *argv],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    return Service(url="", process=process, stderr=stderr)


def _ready(service: Service, kind: str) -> Service:
    """Wait for the service's first line: its URL (stdout for serve, the log for osv)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and service.process.poll() is None:
        text = service.stderr.read_text()
        if kind == "osv" and " at http" in text:
            service.url = text.split(" at ")[1].split("/v1/")[0]
            return service
        if kind == "serve" and service.process.stdout is not None:
            service.url = service.process.stdout.readline().split()[2]
            return service
        time.sleep(0.05)
    service.process.kill()
    raise AssertionError(f"{kind} did not start: {service.stderr.read_text()}")


def _stop(service: Service) -> None:
    service.process.terminate()
    service.process.wait(timeout=10)
    if service.process.stdout is not None:
        service.process.stdout.close()


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
    vulns = _advisories(tmp_path_factory.mktemp("osv"))
    started = {
        "serve": _launch(["serve", "--port", "0", "--database-url", db], where),
        "osv": _launch(["osv-serve", str(vulns), "--port", "0"], vulns.parents[1]),
    }
    ready = {kind: _ready(service, kind) for kind, service in started.items()}
    ready["serve"].token = token
    yield ready
    for service in ready.values():
        _stop(service)


@pytest.fixture
def serve(services: dict[str, Service]) -> Service:
    return services["serve"]


@pytest.fixture
def osv(services: dict[str, Service]) -> Service:
    return services["osv"]


def _advisory(package: str, **extra: Any) -> str:
    data = {
        "id": f"PYSEC-{package}",
        "modified": "2026-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": package},
                "ranges": [
                    {
                        "type": "ECOSYSTEM",
                        "events": [{"introduced": "0"}, {"fixed": "2.0"}],
                    }
                ],
            }
        ],
        **extra,
    }
    return json.dumps(data)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)
# name -> (file name, content or a file kind); each one the only advisory of its package
ADVISORIES: dict[str, tuple[str, bytes | str]] = {
    "deep-yaml": ("A.yaml", "a: " + "[" * 900 + "]" * 900 + "\n"),
    "alias-bomb": ("A.yaml", BOMB),
    "int-5000-digits": ("A.yaml", "id: X\nmodified: " + "9" * 5000 + "\n"),
    "affected-not-a-list": ("A.yaml", "id: X\naffected: 5\n"),
    "versions-not-text": (
        "A.yaml",
        "id: X\naffected:\n  - package: {name: p, ecosystem: PyPI}\n    versions: [1.0, 2.0]\n",
    ),
    "events-not-text": (
        "A.yaml",
        "id: X\naffected:\n  - package: {name: p, ecosystem: PyPI}\n    ranges: [{type: ECOSYSTEM, events: [{introduced: 0}]}]\n",
    ),
    "python-tag": ("A.yaml", "id: !!python/object/apply:os.system ['true']\n"),
    "truncated-yaml": ("A.yaml", "id: X\naffected:\n  - package: {name: p"),
    "invalid-utf8": ("A.yaml", b"id: X\nsummary: \xff\xfe\n"),
    "oversized-9mib": ("A.yaml", "id: X\nsummary: " + "a" * (9 * corpus.MIB) + "\n"),
    "deep-json": ("A.json", DEEP.decode()),
    "nan-json": ("A.json", '{"id": "X", "score": NaN}'),
    "int-401-json": ("A.json", '{"id": "X", "n": ' + "1" * 401 + "}"),
    "symlink-outside": ("A.yaml", "symlink-outside"),
}
SKIPPED = {"fifo": "fifo", "dev-zero": "dev-zero"}  # not files: not advisories at all


def _advisories(where: Path) -> Path:
    """A directory of advisories: one good, and one package per hostile file."""
    vulns = where / "db" / "vulns"
    (vulns / "goodpkg").mkdir(parents=True)
    (vulns / "goodpkg" / "PYSEC-good.json").write_text(_advisory("goodpkg"))
    for name, (file, content) in {
        **ADVISORIES,
        **{k: ("A.yaml", v) for k, v in SKIPPED.items()},
    }.items():
        folder = vulns / f"bad-{name}"
        folder.mkdir()
        path = folder / file
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content in corpus.FILE_KINDS:
            corpus.make(path, content, b"id: X\n")
        else:
            path.write_text(content)

    return vulns


def _raw(url: str, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """Send bytes as they are; read one answer (its headers, then Content-Length bytes)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + body)
        data = b""
        while b"\r\n\r\n" not in data and (chunk := sock.recv(65536)):
            data += chunk
        top, _, rest = data.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in top.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        while len(rest) < length and (chunk := sock.recv(65536)):
            rest += chunk
    return int(top.split(b" ", 2)[1]), rest


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


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
    assert time.monotonic() - start < 5
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
    rss = _rss_kb(service.process.pid)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {service.token}\r\nContent-Length: {BIG}\r\n\r\n"
    ).encode()
    start = time.monotonic()
    status, body = _raw(service.url, head, b"[" * 65536)  # only a little of it is sent
    assert time.monotonic() - start < 5
    assert status == 413
    assert "limited to" in json.loads(body)["error"]
    assert _rss_kb(service.process.pid) - rss < 20_000  # KiB: nothing was buffered
    _settled(service, len(service.lines()))


@pytest.mark.parametrize("kind", ["serve", "osv"])
@pytest.mark.parametrize("length", ["abc", "-1", "1" * 30])
def test_a_bad_content_length_is_400(
    kind: str, length: str, request: pytest.FixtureRequest
) -> None:
    service: Service = request.getfixturevalue(kind)
    path = "/api/v1/projects/widget/runs" if kind == "serve" else "/v1/query"
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {service.token}\r\nContent-Length: {length}\r\n\r\n".encode()
    status, _ = _raw(service.url, head, b"{}")
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
    assert time.monotonic() - start < 5
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
