"""Temporary files that a killed writer left behind, removed on the next run.

:func:`noxci.fsutil.atomic_write_text` writes ``.NAME.XXXXXXXX.tmp`` beside
its target and renames it; a process killed in between (``kill -9``, a
cancelled CI job) leaves the temporary file. Every report write cleans
``reports/``; every readiness write cleans the folder it writes
(``readiness/`` or the local one) and ``reports/``.

Only files of that exact shape, and older than :data:`STALE_AFTER` seconds,
are removed: a write takes milliseconds, so a file that old has no live
writer, while a file being written right now by a parallel session is left
alone. Symlinks and directories are never touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from pathlib import Path

__all__ = ["STALE_AFTER", "remove_stale_temps"]

STALE_AFTER = 300.0  # seconds: far longer than any atomic write takes

# tempfile.mkstemp(prefix=".NAME.", suffix=".tmp"): 8 random characters.
_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def remove_stale_temps(
    directory: Path, *, older_than: float = STALE_AFTER, now: float | None = None
) -> list[Path]:
    """Remove this directory's leftover temporary files; return what was removed."""
    cutoff = (time.time() if now is None else now) - older_than
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed  # no directory yet, or not ours to list: nothing to clean
    for entry in entries:
        if not _TEMP.match(entry.name):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed
