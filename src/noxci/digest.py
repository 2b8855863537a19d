"""The inputs digest: what a job read, reduced to one sha256.

Two runs with equal digests saw byte-identical input files, the same Python,
the same arguments and the same relevant environment. Readiness uses it to
tell stale reports; the result cache uses it to skip work. Anything that
cannot be read exactly raises, so that callers treat it as "unknown".
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from noxci import proc, safefile
from noxci.errors import NoxciError, ToolError
from noxci.report import Inputs

__all__ = [
    "DigestError",
    "Tree",
    "compute_inputs",
    "hash_value",
    "job_file_hashes",
    "job_files",
    "list_files",
    "select_files",
]

# Never inputs, even when git does not ignore them: tool caches anywhere, and
# environments and build outputs at the top. Tools create their caches while
# other jobs run (a cache directory exists for a moment before its own
# .gitignore does), so counting them would make fresh reports look stale.
_CACHE_DIRS = frozenset(
    {
        ".git",
        ".nox",
        ".tox",
        ".venv",
        "__pycache__",
        "node_modules",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
    }
)
_TOP_LEVEL_DIRS = frozenset({"venv", "build", "dist"})


def _skipped(parts: tuple[str, ...]) -> bool:
    dirs = parts[:-1]
    return bool(dirs and dirs[0] in _TOP_LEVEL_DIRS) or any(
        d in _CACHE_DIRS or d.endswith(".egg-info") for d in dirs
    )


class DigestError(NoxciError):
    """The inputs could not be read exactly."""


def _walk(root: Path) -> list[str]:
    found: list[str] = []
    for current, dirs, files in os.walk(root):
        rel = Path(current).relative_to(root)
        dirs[:] = sorted(d for d in dirs if not _skipped((*rel.parts, d, "")))
        found.extend((rel / name).as_posix() for name in files)
    return found


def list_files(root: Path) -> list[str]:
    """Every file of the project that is not git-ignored, relative, sorted."""
    if not (root / ".git").exists():
        return sorted(_walk(root))
    try:
        done = proc.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            timeout=60,
            echo=False,
        )
    except ToolError as exc:
        raise DigestError(f"cannot list the project's files: {exc}") from None
    if done.returncode != 0:
        raise DigestError(f"git ls-files failed: {done.tail()}")
    names = {name for name in done.stdout.split("\0") if name}
    return sorted(name for name in names if not _skipped(tuple(name.split("/"))))


def select_files(
    files: Iterable[str], include: Sequence[str], exclude: Sequence[str]
) -> list[str]:
    """The ``files`` matched by git-style ``include`` globs and not by ``exclude``."""
    try:
        wanted, unwanted = _spec(tuple(include)), _spec(tuple(exclude))
    except ValueError as exc:
        raise DigestError(f"bad inputs glob: {exc}") from None
    return [f for f in files if wanted.match_file(f) and not unwanted.match_file(f)]


@functools.lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...]) -> Any:
    """The compiled globs: every job's are matched again for each staleness check."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


class Tree:
    """The project's files, listed once and hashed at most once each.

    Readiness checks several reports against the same tree; this keeps that
    to one listing and one read per file.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: list[str] | None = None
        self._hashes: dict[str, str | None] = {}

    def files(self) -> list[str]:
        """Every file git does not ignore, relative and sorted."""
        if self._files is None:
            self._files = list_files(self.root)
        return self._files

    def file_hash(self, name: str) -> str | None:
        """sha256 of a file; "deleted" for a tracked file that is gone; None for a directory, FIFO or device."""
        if name not in self._hashes:
            # In chunks and through the safe reader: a large file costs no
            # memory, and a FIFO or a device in the tree is never opened.
            try:
                self._hashes[name] = safefile.sha256_file(self.root / name)
            except safefile.MissingFile:
                self._hashes[name] = "deleted"  # tracked by git but gone from the tree
            except safefile.NotRegular:
                self._hashes[name] = None  # a submodule, a FIFO, a socket: no content
            except safefile.FileProblem as exc:
                raise DigestError(f"cannot read {name}: {exc.reason}") from None
        return self._hashes[name]

    def digest(self, files: Sequence[str]) -> tuple[str, int]:
        """sha256 over the names and contents of ``files``, and how many counted."""
        outer = hashlib.sha256()
        count = 0
        for name in files:
            inner = self.file_hash(name)
            if inner is not None:
                outer.update(f"{name}\0{inner}\n".encode())
                count += 1
        return outer.hexdigest(), count


def hash_value(value: str) -> str:
    """sha256 of an environment value: comparable, never revealing."""
    return hashlib.sha256(value.encode()).hexdigest()


def _job_file_names(
    tree: Tree,
    *,
    include: Sequence[str],
    exclude: Sequence[str],
    skip_dirs: Sequence[str],
) -> list[str]:
    prefixes = tuple(d.rstrip("/") + "/" for d in skip_dirs)
    candidates = [f for f in tree.files() if not f.startswith(prefixes)]
    return select_files(candidates, include, exclude)


def job_files(
    tree: Tree,
    *,
    include: Sequence[str],
    exclude: Sequence[str],
    skip_dirs: Sequence[str],
) -> tuple[str, int]:
    """The digest and count of the files a job reads, as the tree stands now."""
    return tree.digest(
        _job_file_names(tree, include=include, exclude=exclude, skip_dirs=skip_dirs)
    )


def job_file_hashes(
    tree: Tree,
    *,
    include: Sequence[str],
    exclude: Sequence[str],
    skip_dirs: Sequence[str],
) -> dict[str, str]:
    """sha256 of each file a job reads (the files :func:`job_files` digests)."""
    names = _job_file_names(tree, include=include, exclude=exclude, skip_dirs=skip_dirs)
    return {n: h for n in names if (h := tree.file_hash(n)) is not None}


def compute_inputs(
    root: Path,
    *,
    include: Sequence[str],
    exclude: Sequence[str],
    skip_dirs: Sequence[str],
    python: str,
    args: Sequence[str],
    env_names: Sequence[str],
    env: Mapping[str, str],
    tree: Tree | None = None,
    salt: str = "",
) -> Inputs:
    """Digest the job's files (minus ``skip_dirs``), Python, args and env."""
    files, count = job_files(
        tree or Tree(root), include=include, exclude=exclude, skip_dirs=skip_dirs
    )
    return Inputs(
        files=files,
        file_count=count,
        python=python,
        args=tuple(args),
        env={
            name: (hash_value(env[name]) if name in env else None)
            for name in sorted(env_names)
        },
        salt=salt,
    )
