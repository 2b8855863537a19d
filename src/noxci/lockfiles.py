"""uv.lock and requirements.txt: refresh them, or check that they have not drifted.

requirements.txt holds the runtime dependencies only, pinned with hashes,
exported from uv.lock, for tools and platforms that do not read uv.lock.
"""

from __future__ import annotations

import os
from pathlib import Path

from noxci import console, fsutil, proc, safefile
from noxci.errors import ToolError
from noxci.pythons import python_versions
from noxci.uvtool import find_uv

__all__ = ["EXPORT_ARGS", "check_locks", "export_requirements", "refresh_locks"]

EXPORT_ARGS = (
    "export",
    "--format",
    "requirements-txt",
    "--no-default-groups",
    "--no-emit-project",
    "--locked",
)
REQUIREMENTS = "requirements.txt"


def _uv(root: Path, *args: str) -> proc.Completed:
    # The sessions' Python, named: left to itself, uv takes the first Python
    # it finds (nox's own, under `nox -s lock`), which may be one the
    # project's requires-python excludes.
    python = ("--python", python_versions(root)[0])
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    return proc.run([find_uv(), *args, *python], cwd=root, timeout=600, env=env)


def export_requirements(root: Path) -> str:
    """requirements.txt as uv.lock says it should be."""
    done = _uv(root, *EXPORT_ARGS)
    if done.returncode != 0:
        raise ToolError(f"uv export failed: {done.tail()}")
    return done.stdout


def check_locks(root: Path) -> None:
    """Fail when uv.lock or requirements.txt differs from what uv would write."""
    done = _uv(root, "lock", "--check")
    if done.returncode != 0:
        raise ToolError(
            "uv.lock is out of date with pyproject.toml; run `nox -s lock` and commit it"
        )
    try:
        current = safefile.read_text(root / REQUIREMENTS, root=root)
    except safefile.MissingFile:
        current = ""
    if current != export_requirements(root):
        raise ToolError(
            f"{REQUIREMENTS} has drifted from uv.lock; run `nox -s lock` and commit it"
        )
    console.info(f"uv.lock and {REQUIREMENTS} are up to date")


def refresh_locks(root: Path) -> None:
    """Re-lock and re-export (a developer action: it writes tracked files)."""
    done = _uv(root, "lock")
    if done.returncode != 0:
        raise ToolError(f"uv lock failed: {done.tail()}")
    fsutil.atomic_write_text(root / REQUIREMENTS, export_requirements(root))
    console.info(f"refreshed uv.lock and {REQUIREMENTS}")
