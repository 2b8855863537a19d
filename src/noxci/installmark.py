"""Skipping an install that would change nothing.

Every session installs its job's environment again (nox reuses the venv).
With a ``uv.lock`` that costs a tenth of a second; without one, uv asks the
package index about every unpinned requirement, half a second or more,
which on a small project is most of a tests session. So the session records,
in its venv, a key of what decided the install: the job's install settings,
the files that declare dependencies (``pyproject.toml``, ``uv.lock``,
requirements files, ``tox.ini``, ...), the distributions the venv holds
after it, noxci's version and, without a lock, the day (unpinned
requirements are resolved again daily, for new releases). The same key
next time means the install would change nothing, and it is skipped.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
from collections.abc import Mapping
from pathlib import Path

from noxci import __version__, fsutil
from noxci.digest import list_files
from noxci.venvs import distributions

__all__ = ["DEPENDENCY_FILES", "install_key", "record", "unchanged"]

MARK = ".noxci-installed"
# Matched against the name of every file of the project (git's list), at any
# depth: a tox env's `-r tests/requirements.txt` or `-c constraints.txt` too.
DEPENDENCY_FILES = (
    "pyproject.toml",
    "uv.lock",
    "setup.cfg",
    "setup.py",
    "tox.ini",
    ".pre-commit-config.yaml",
    "*requirements*.txt",
    "*requirements*.in",
    "*constraints*.txt",
)


def install_key(
    root: Path, venv: Path, what: Mapping[str, object], *, today: str | None = None
) -> str:
    """The key of an install of ``what`` into ``venv``, as the project stands now."""
    digest = hashlib.sha256(fsutil.canonical(dict(what)).encode())
    digest.update(f"\0noxci {__version__}\0".encode())
    for name in list_files(root):
        folder, _, base = name.rpartition("/")
        wanted = any(fnmatch.fnmatch(base, pattern) for pattern in DEPENDENCY_FILES)
        # requirements/tests.txt, requirements/dev.in: pip-tools' layout
        if wanted or folder.rsplit("/", 1)[-1] == "requirements":
            path = root / name
            if path.is_file():
                digest.update(f"{name}\0".encode())
                digest.update(path.read_bytes())
    digest.update("\0".join(distributions(venv)).encode())
    if not (root / "uv.lock").is_file():
        day = today or dt.datetime.now(dt.UTC).date().isoformat()
        digest.update(day.encode())
    return digest.hexdigest()


def unchanged(venv: Path, key: str) -> str | None:
    """What the last install said it installed, when its key is ``key``."""
    try:
        recorded, _, how = (venv / MARK).read_text(encoding="utf-8").partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    return how.strip() or None if recorded == key else None


def record(venv: Path, key: str, how: str) -> None:
    """Remember an install that succeeded."""
    fsutil.atomic_write_text(venv / MARK, f"{key}\n{how}\n")
