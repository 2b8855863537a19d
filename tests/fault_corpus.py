"""A corpus of hostile files, generated: contents and file kinds that break readers.

:data:`JSON_VARIANTS` turn a valid JSON document into a broken or hostile
one (nested 2,000 deep, a 401-digit number, NaN, truncated, not UTF-8, ...);
:data:`FILE_KINDS` put something that is not a plain small file where a file
is expected (a FIFO, a symlink to ``/dev/zero``, a 4 GiB sparse file, a
symlink leading out of the project, ...). Nothing is committed: every case is
made in the test's temporary directory.
"""

from __future__ import annotations

import os
import random
import re
import socket
from collections.abc import Callable
from pathlib import Path

MIB = 1024 * 1024


_NOISE = random.Random(16).randbytes(8192)  # noqa: S311 - noise, not a secret


def _inject(valid: str, member: str) -> str:
    """``valid`` (a JSON object) with ``member`` added as its first member."""
    return "{" + member + "," + valid.lstrip()[1:]


JSON_VARIANTS: dict[str, Callable[[str], bytes]] = {
    "deep-array-2000": lambda v: _inject(v, '"x":' + "[" * 2000 + "]" * 2000).encode(),
    "deep-object-2000": lambda v: _inject(
        v, '"x":' + '{"a":' * 2000 + "1" + "}" * 2000
    ).encode(),
    "deep-unclosed-100k": lambda v: ("[" * 100_000).encode(),
    "deep-65": lambda v: _inject(v, '"x":' + "[" * 65 + "]" * 65).encode(),
    "int-401-digits": lambda v: _inject(v, '"x":' + "1" * 401).encode(),
    "int-5000-digits": lambda v: _inject(v, '"x":-' + "7" * 5000).encode(),
    "float-1e400": lambda v: _inject(v, '"x":1e400').encode(),
    "float-400-digits": lambda v: _inject(v, '"x":' + "9" * 400 + ".5").encode(),
    "nan": lambda v: _inject(v, '"x":NaN').encode(),
    "infinity": lambda v: _inject(v, '"x":Infinity').encode(),
    "minus-infinity": lambda v: _inject(v, '"x":-Infinity').encode(),
    "lone-surrogate": lambda v: _inject(v, '"x":"\\ud800"').encode(),
    "truncated": lambda v: v[: len(v) // 2].encode(),
    "empty": lambda v: b"",
    "whitespace": lambda v: b" \n\t " * 100,
    "nul-bytes": lambda v: b"\0" * 4096,
    "invalid-utf8": lambda v: v.encode()[:40] + b"\xff\xfe" + v.encode()[40:],
    "utf16": lambda v: v.encode("utf-16"),
    "utf8-bom": lambda v: b"\xef\xbb\xbf" + v.encode(),
    "top-level-array": lambda v: b"[]",
    "top-level-string": lambda v: b'"a report"',
    "top-level-null": lambda v: b"null",
    "top-level-number": lambda v: b"42",
    "trailing-garbage": lambda v: (v + "}x").encode(),
    "two-documents": lambda v: (v + v).encode(),
    "single-quotes": lambda v: v.replace('"', "'").encode(),
    "comment": lambda v: ("// generated\n" + v).encode(),
    "control-char": lambda v: _inject(v, '"x":"a\x01b"').encode(),
    "oversized-9mib": lambda v: (v.rstrip() + " " * (9 * MIB)).encode(),
    "huge-string-6mib": lambda v: _inject(v, '"x":"' + "a" * (6 * MIB) + '"').encode(),
    "many-keys": lambda v: _inject(
        v, ",".join(f'"k{i}":{i}' for i in range(40_000))
    ).encode(),
    "binary-noise": lambda v: _NOISE,
    "schema-invalid": lambda v: b'{"schema_version": 1}',
    "wrong-types": lambda v: re.sub(
        r'"(score|status)":\s*', r'"\1":"high","_\1":', v
    ).encode(),
}


def _fifo(path: Path, valid: bytes) -> None:
    os.mkfifo(path)


def _link(target: str) -> Callable[[Path, bytes], None]:
    def make(path: Path, valid: bytes) -> None:
        path.symlink_to(target)

    return make


def _outside(path: Path, valid: bytes) -> None:
    # A valid copy outside the project: the content is fine, the place is not.
    elsewhere = path.parents[2] / f"outside-{path.name}"
    elsewhere.write_bytes(valid)
    path.symlink_to(elsewhere)


def _loop(path: Path, valid: bytes) -> None:
    other = path.with_name(path.name + ".loop")
    other.symlink_to(path)
    path.symlink_to(other)


def _directory(path: Path, valid: bytes) -> None:
    path.mkdir()


def _socket(path: Path, valid: bytes) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()  # the socket file stays


def _sparse(path: Path, valid: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(valid)
        handle.truncate(4 * 1024 * MIB)  # 4 GiB that occupy no disk


FILE_KINDS: dict[str, Callable[[Path, bytes], None]] = {
    "fifo": _fifo,
    "dev-zero": _link("/dev/zero"),
    "dev-urandom": _link("/dev/urandom"),
    "dev-null": _link("/dev/null"),
    "symlink-outside": _outside,
    "symlink-loop": _loop,
    "directory": _directory,
    "socket": _socket,
    "sparse-4gib": _sparse,
}

# Kinds whose failure mode is a hang or unbounded memory: the tests run them
# in a subprocess with a timeout and a memory limit.
UNBOUNDED_KINDS = frozenset({"fifo", "dev-zero"})


def make(path: Path, kind: str, valid: bytes) -> None:
    """Put a hostile ``kind`` (a file kind or a JSON variant) at ``path``."""
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind in FILE_KINDS:
        FILE_KINDS[kind](path, valid)
    else:
        path.write_bytes(JSON_VARIANTS[kind](valid.decode()))
