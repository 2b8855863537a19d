"""Real `noxci serve` and `noxci osv-serve` processes for the fault suite, and their inputs.

:func:`launch` starts ``python -m noxci`` and :func:`ready` waits for its
URL; :data:`ADVISORIES` are the hostile advisory files (one package each),
written by :func:`advisories` beside a good one; :func:`raw` sends bytes no
HTTP client would (a 300 MB ``Content-Length`` with no body behind it).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests import fault_corpus as corpus

DEEP = b"[" * 2000 + b"]" * 2000


@dataclass
class Service:
    url: str
    process: subprocess.Popen[str]
    stderr: Path
    token: str = ""

    def lines(self) -> list[str]:
        return self.stderr.read_text().splitlines()


def launch(argv: list[str], cwd: Path) -> Service:
    """Start ``python -m noxci ARGV``; the URL is filled in by :func:`ready`."""
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


def ready(service: Service, kind: str) -> Service:
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


def stop(service: Service) -> None:
    service.process.terminate()
    service.process.wait(timeout=10)
    if service.process.stdout is not None:
        service.process.stdout.close()


def advisory(package: str, **extra: Any) -> str:
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


def advisories(where: Path) -> Path:
    """A directory of advisories: one good, and one package per hostile file."""
    vulns = where / "db" / "vulns"
    (vulns / "goodpkg").mkdir(parents=True)
    (vulns / "goodpkg" / "PYSEC-good.json").write_text(advisory("goodpkg"))
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


def raw(url: str, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
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


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
