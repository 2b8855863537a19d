"""Atomic file writes and strict JSON reads.

A reader must never see half a file: every write goes to a temporary file in
the same directory, is flushed to disk, and is renamed over the target.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = [
    "atomic_write_json",
    "atomic_write_text",
    "canonical",
    "dumps",
    "ignored_dir",
    "loads",
]


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (secrets redacted) to ``path`` so that readers see the old or the new file."""
    from noxci.console import redact

    text = redact(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def ignored_dir(path: Path) -> Path:
    """``path``, created with a ``.gitignore`` of ``*``: noxci's outputs never dirty git status."""
    path.mkdir(parents=True, exist_ok=True)
    marker = path / ".gitignore"
    if not marker.exists():
        atomic_write_text(marker, "*\n")
    return path


def canonical(data: Any) -> str:
    """The canonical JSON of ``data``: sorted keys, no spaces, no NaN; for digests and lines."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


def dumps(data: Any) -> str:
    """Serialize ``data`` as stable, pretty JSON; NaN and infinity are refused."""
    return json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n"


def atomic_write_json(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` atomically."""
    atomic_write_text(path, dumps(data))


def loads(text: str) -> Any:
    """Parse JSON strictly: NaN, Infinity, overflowing numbers and deep nesting are errors."""
    from noxci.safefile import loads as strict_loads

    return strict_loads(text)
