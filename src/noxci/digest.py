"""The inputs digest: what a job read, reduced to one sha256.

Two runs with equal digests saw byte-identical input files, the same Python,
the same arguments and the same relevant environment. Readiness uses it to
tell stale reports; the result cache uses it to skip work. Anything that
cannot be read exactly raises, so that callers treat it as "unknown".
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from noxci import proc
from noxci.errors import NoxciError, ToolError
from noxci.report import Inputs

__all__ = ["DigestError", "compute_inputs", "list_files", "select_files"]

# Never inputs: outputs and environments (also when git is not there to say so).
_ALWAYS_SKIPPED_DIRS = {
    ".git",
    ".nox",
    ".tox",
    ".venv",
    "venv",
    "__pycache__",
    "node_modules",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "build",
    "dist",
}


class DigestError(NoxciError):
    """The inputs could not be read exactly."""


def _walk(root: Path) -> list[str]:
    found: list[str] = []
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in _ALWAYS_SKIPPED_DIRS and not d.endswith(".egg-info")
        )
        rel = Path(current).relative_to(root)
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
    return sorted({name for name in done.stdout.split("\0") if name})


def select_files(
    files: Iterable[str], include: Sequence[str], exclude: Sequence[str]
) -> list[str]:
    """The ``files`` matched by git-style ``include`` globs and not by ``exclude``."""
    import pathspec  # noqa: PLC0415 - keep `nox -l` fast

    try:
        wanted = pathspec.GitIgnoreSpec.from_lines(include)
        unwanted = pathspec.GitIgnoreSpec.from_lines(exclude)
    except ValueError as exc:
        raise DigestError(f"bad inputs glob: {exc}") from None
    return [f for f in files if wanted.match_file(f) and not unwanted.match_file(f)]


def _hash_files(root: Path, files: Sequence[str]) -> str:
    outer = hashlib.sha256()
    for name in files:
        path = root / name
        try:
            inner = hashlib.sha256(path.read_bytes()).hexdigest()
        except FileNotFoundError:
            inner = "deleted"  # tracked by git but gone from the working tree
        except IsADirectoryError:
            continue  # a submodule or nested repository: not this job's input
        except OSError as exc:
            raise DigestError(f"cannot read {name}: {exc}") from None
        outer.update(f"{name}\0{inner}\n".encode())
    return outer.hexdigest()


def hash_value(value: str) -> str:
    """sha256 of an environment value: comparable, never revealing."""
    return hashlib.sha256(value.encode()).hexdigest()


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
) -> Inputs:
    """Digest the job's files (minus ``skip_dirs``), Python, args and env."""
    prefixes = tuple(d.rstrip("/") + "/" for d in skip_dirs)
    candidates = [f for f in list_files(root) if not f.startswith(prefixes)]
    files = select_files(candidates, include, exclude)
    return Inputs(
        files=_hash_files(root, files),
        file_count=len(files),
        python=python,
        args=tuple(args),
        env={
            name: (hash_value(env[name]) if name in env else None)
            for name in sorted(env_names)
        },
    )
