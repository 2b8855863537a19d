"""The one way noxci reads a file: regular files only, bounded, parsed with limits.

Every report, ``readiness.json``, ``history.jsonl``, tool output, advisory,
event payload and ``pyproject.toml`` noxci reads comes through here, so that
a hostile or broken file is always one line naming it, never a hang (a FIFO,
``/dev/zero``), never an exhausted memory (a file bigger than the limit) and
never a traceback (JSON nested 2,000 deep, a 401-digit number):

- only regular files are opened (a FIFO, a device, a socket or a directory
  is refused before it is opened, and again after, in case it was swapped);
- a path inside ``root`` (the project) must stay inside it once symlinks are
  resolved; a path the user named outside the project is read as named;
- at most ``limit`` bytes are read (``max-file-size``, 8 MiB by default);
- JSON is parsed strictly: no NaN or infinity, no float that overflows, no
  integer longer than :data:`MAX_DIGITS` digits, no nesting deeper than
  :data:`MAX_DEPTH` levels (checked before parsing), no lone surrogate.

Problems raise :class:`FileProblem`, a :class:`~noxci.errors.ReportError`
(exit 5); callers that mean another exit code (a bad ``pyproject.toml`` is a
configuration error, a bad report is the gate's incomplete data) convert it.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from noxci.errors import ReportError

__all__ = [
    "DEFAULT_LIMIT",
    "LINES_FACTOR",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_VALUES",
    "FileProblem",
    "JSONLimitError",
    "MissingFile",
    "NotRegular",
    "check_nesting",
    "iter_lines",
    "loads",
    "read_bytes",
    "read_json",
    "read_lines",
    "read_text",
    "sha256_file",
]

DEFAULT_LIMIT = 8 * 1024 * 1024  # the default of the max-file-size key
MAX_DEPTH = 64  # noxci's own documents nest 6 deep; tool outputs about 8
MAX_DIGITS = 100  # no figure noxci reads has more; 10**400 cannot be a float
MAX_VALUES = 1_000_000  # YAML aliases can expand a small file exponentially
LINES_FACTOR = 64  # a line-oriented log may be this many times max-file-size

_CHUNK = 1 << 20


class FileProblem(ReportError):
    """A file noxci cannot or will not read; its message is one line naming it."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


class MissingFile(FileProblem):
    """The file does not exist."""


class NotRegular(FileProblem):
    """A FIFO, a device, a socket or a directory where a file was expected."""


class JSONLimitError(json.JSONDecodeError):
    """JSON that is well-formed but beyond noxci's limits (depth, digits, range)."""

    def __init__(self, message: str, doc: str = "", pos: int = 0) -> None:
        super().__init__(message, doc, pos)
        self.args = (message,)

    def __str__(self) -> str:
        return str(self.args[0])


def _size(count: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} bytes" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _kind(mode: int) -> str | None:
    """What a non-regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"  # pragma: no cover - doors, event ports


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _contained(path: Path, root: Path | None) -> None:
    """A path inside the project must not lead out of it through a symlink."""
    if root is None:
        return
    nominal = Path(os.path.abspath(path))
    if not nominal.is_relative_to(os.path.abspath(root)):
        return  # the user named a file outside the project: read it as named
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(os.path.realpath(root)):
        raise FileProblem(path, f"a symlink to {real}, outside the project")


def _open(path: Path, root: Path | None) -> tuple[int, os.stat_result]:
    """An fd on a regular file, and its stat; refuses everything else unopened."""
    _contained(path, root)
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise MissingFile(path, "no such file") from None
    except OSError as exc:
        raise FileProblem(path, f"cannot read it: {_reason(exc)}") from None
    kind = _kind(before.st_mode)
    if kind is not None:
        raise NotRegular(path, f"{kind}, not a regular file")
    # O_NONBLOCK: a FIFO swapped in after the stat must not block the open.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise MissingFile(path, "no such file") from None
    except OSError as exc:
        raise FileProblem(path, f"cannot read it: {_reason(exc)}") from None
    after = os.fstat(fd)
    kind = _kind(after.st_mode)
    if kind is not None:
        os.close(fd)
        raise NotRegular(path, f"{kind}, not a regular file")
    return fd, after


def _chunks(path: Path, fd: int, limit: int | None) -> Iterator[bytes]:
    total = 0
    while True:
        want = _CHUNK if limit is None else min(_CHUNK, limit + 1 - total)
        try:
            chunk = os.read(fd, want)
        except OSError as exc:
            raise FileProblem(path, f"cannot read it: {_reason(exc)}") from None
        if not chunk:
            return
        total += len(chunk)
        if limit is not None and total > limit:
            raise FileProblem(
                path, f"grew past the {_size(limit)} limit while being read"
            )
        yield chunk


def read_bytes(
    path: Path, *, root: Path | None = None, limit: int | None = None
) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (default 8 MiB)."""
    limit = DEFAULT_LIMIT if limit is None else limit
    fd, info = _open(path, root)
    try:
        if info.st_size > limit:
            raise FileProblem(
                path,
                f"{_size(info.st_size)}, more than the {_size(limit)} limit "
                "(max-file-size)",
            )
        return b"".join(_chunks(path, fd, limit))
    finally:
        os.close(fd)


def sha256_file(path: Path, *, root: Path | None = None) -> str:
    """sha256 of a regular file of any size, read in chunks."""
    import hashlib

    fd, _ = _open(path, root)
    digest = hashlib.sha256()
    try:
        for chunk in _chunks(path, fd, None):
            digest.update(chunk)
    finally:
        os.close(fd)
    return digest.hexdigest()


def read_text(path: Path, *, root: Path | None = None, limit: int | None = None) -> str:
    """The UTF-8 text of a regular file, bounded as :func:`read_bytes`."""
    data = read_bytes(path, root=root, limit=limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblem(path, f"not UTF-8 text (byte {exc.start})") from None


def read_lines(
    path: Path, *, root: Path | None = None, limit: int | None = None
) -> list[str]:
    """The lines of a text file, bounded as :func:`read_bytes`."""
    return read_text(path, root=root, limit=limit).splitlines()


def iter_lines(
    path: Path, *, root: Path | None = None, limit: int | None = None
) -> Iterator[str]:
    """The lines of a line-oriented log (JSON lines), read as they are used.

    For tool outputs that grow with the project (pytest's report log: about
    2 KiB per test): each line is at most ``limit`` bytes and the file at
    most :data:`LINES_FACTOR` times that.
    """
    limit = DEFAULT_LIMIT if limit is None else limit
    fd, _ = _open(path, root)
    try:
        pending = b""
        number = 0
        for chunk in _chunks(path, fd, limit * LINES_FACTOR):
            *lines, pending = (pending + chunk).split(b"\n")
            if len(pending) > limit:
                raise FileProblem(
                    path,
                    f"line {number + len(lines) + 1} is longer than {_size(limit)}",
                )
            for line in lines:
                number += 1
                yield _line(path, number, line)
        if pending:
            yield _line(path, number + 1, pending)
    finally:
        os.close(fd)


def _line(path: Path, number: int, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            path, f"line {number} is not UTF-8 text (byte {exc.start})"
        ) from None


def read_json(path: Path, *, root: Path | None = None, limit: int | None = None) -> Any:
    """A JSON file, parsed with :func:`loads`; any problem is a :class:`FileProblem`."""
    text = read_text(path, root=root, limit=limit)
    try:
        return loads(text)
    except ValueError as exc:
        raise FileProblem(path, f"not valid JSON ({exc})") from None


# A JSON string, escapes included: removed first, so that brackets inside
# strings do not count.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
# A long run of digits or a 3-digit exponent: only then are numbers parsed
# one by one in Python (a 2 MB coverage.json has 500,000 of them).
_BIG_NUMBER = re.compile(rf"[0-9]{{{MAX_DIGITS + 1},}}|[eE][+]?[0-9]{{3,}}")
# A \uD800-\uDFFF escape: only worth a closer look when one is present.
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _scan_depth(text: str, max_depth: int) -> None:
    """Bracket by bracket: exact, and it stops at the first level too deep."""
    depth = 0
    for match in _BRACKET.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > max_depth:
                raise JSONLimitError(
                    f"nested deeper than {max_depth} levels at char {match.start()}",
                    text,
                    match.start(),
                )
        elif char in "]}":
            depth -= 1


def _check_depth(text: str, max_depth: int) -> None:
    """Refuse JSON nested deeper than ``max_depth`` before ``json`` recurses into it.

    The brackets outside strings are peeled, innermost pairs first, with
    ``str.replace`` (C speed); a pass peels one or two levels, so a text that
    is empty after ``max_depth // 2`` passes is shallow enough. Anything else
    (deep, malformed, or peeling too slowly) is scanned bracket by bracket,
    which is exact and stops at the first level too deep.
    """
    if text.count("[") + text.count("{") <= max_depth:
        return
    skeleton = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(max_depth // 2):
        peeled = skeleton.replace("[]", "").replace("{}", "")
        if not peeled:
            return
        if len(peeled) * 100 > len(skeleton) * 99:
            break  # under 1% peeled: deep or malformed; the exact scan is quicker
        skeleton = peeled
    _scan_depth(text, max_depth)


def _integer(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_DIGITS:
        raise JSONLimitError(
            f"an integer of {digits} digits (the limit is {MAX_DIGITS})"
        )
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONLimitError(
            f"{text[:20]}{'...' if len(text) > 20 else ''} is out of range"
        )
    return value


def _constant(name: str) -> float:
    raise JSONLimitError(f"{name} is not valid JSON")


def loads(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON strictly and within limits; a problem is a ``json.JSONDecodeError``."""
    _check_depth(text, max_depth)
    if _BIG_NUMBER.search(text):
        data = json.loads(
            text,
            parse_int=_integer,
            parse_float=_float,
            parse_constant=_constant,
        )
    else:
        data = json.loads(text, parse_constant=_constant)
    if _SURROGATE.search(text):
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise JSONLimitError("a string holds a lone UTF-16 surrogate") from None
    return data


def check_nesting(
    data: Any, *, max_depth: int = MAX_DEPTH, max_values: int = MAX_VALUES
) -> None:
    """Refuse parsed data (TOML, YAML) nested deeper than ``max_depth`` or too large.

    Iterative, so that it cannot itself overflow the stack; it counts values
    as reached, so a YAML alias bomb stops it at ``max_values``.
    """
    stack: list[tuple[Any, int]] = [(data, 1)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > max_values:
            raise ValueError(f"more than {max_values} values")
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > max_depth:
            raise ValueError(f"nested deeper than {max_depth} levels")
        stack.extend((child, depth + 1) for child in children)
