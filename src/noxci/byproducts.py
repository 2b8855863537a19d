"""Build by-products a session leaves in the project, kept out of ``git status``.

Installing or building a setuptools project writes ``src/<name>.egg-info``
(and, with older setuptools, ``build/``) into the source tree, whoever runs
the build: pip, uv or noxci. A project whose ``.gitignore`` does not list
them would see ``git status`` change after a session. noxci does not delete
them (a parallel session's build may be using them); it gives each one it
saw appear a ``.gitignore`` of ``*``, as it does for ``reports/``.
"""

from __future__ import annotations

from pathlib import Path

from noxci import fsutil, proc
from noxci.errors import ToolError

__all__ = ["hide_new", "untracked"]


def _is_byproduct(relative: str) -> bool:
    name = relative.rstrip("/")
    return name.endswith(".egg-info") or name == "build"


def untracked(root: Path) -> frozenset[str] | None:
    """The by-products git shows as untracked now (None outside a git work tree)."""
    try:
        done = proc.run(
            ["git", "ls-files", "--others", "--exclude-standard", "--directory", "-z"],
            cwd=root,
            timeout=30,
            echo=False,
        )
    except ToolError:
        return None
    if done.returncode != 0:
        return None
    return frozenset(
        name.rstrip("/") for name in done.stdout.split("\0") if _is_byproduct(name)
    )


def hide_new(root: Path, before: frozenset[str] | None) -> list[str]:
    """Ignore the by-products that appeared since ``before``; return their paths."""
    if before is None:
        return []
    now = untracked(root) or frozenset()
    new = sorted(now - before)
    for name in new:
        path = root / name
        if path.is_dir() and not path.is_symlink():
            fsutil.ignored_dir(path)
    return new
