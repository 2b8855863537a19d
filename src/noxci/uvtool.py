"""Finding uv, and installing a session's dependency group from uv.lock."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from noxci import console, proc
from noxci.errors import ToolError

__all__ = ["find_uv", "sync_group"]

_PERMANENT = (
    "needs to be updated",  # --locked and a stale uv.lock
    "No `project` table found",
    "not found in the lockfile",
    "Group `",  # an unknown dependency group
)


def find_uv() -> str:
    """The uv binary: the ``uv`` package beside noxci (and nox), else PATH."""
    try:
        from uv import find_uv_bin  # noqa: PLC0415

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
    if found is None:
        raise ToolError("uv: not found; install it (python3 -m pip install uv)")
    return found


def _reason(done: proc.Completed) -> str:
    text = done.tail(3)
    if "needs to be updated" in done.stderr:
        return "uv.lock is out of date with pyproject.toml; run `nox -s lock` (or `uv lock`) and commit it"
    return f"uv sync exited {done.returncode}: {text}"


def sync_group(
    root: Path,
    venv: Path,
    group: str,
    *,
    install_project: bool,
    env: Mapping[str, str],
    retries: int,
    runner: proc.Runner = proc.run,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Install exactly ``group`` from uv.lock into ``venv``, retrying transient failures.

    ``--locked`` makes uv fail rather than rewrite a stale uv.lock: a session
    never changes tracked files.
    """
    argv = [
        find_uv(),
        "sync",
        "--locked",
        "--no-default-groups",
        "--group",
        group,
        "--python",
        str(venv / "bin" / "python"),
    ]
    if not install_project:
        argv.append("--no-install-project")
    full_env = {
        **env,
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    delay = 1.0
    for attempt in range(1, retries + 1):
        done = runner(argv, cwd=root, timeout=600, env=full_env)
        if done.returncode == 0:
            return
        reason = _reason(done)
        if attempt == retries or any(marker in done.stderr for marker in _PERMANENT):
            raise ToolError(f"installing the '{group}' group failed: {reason}")
        console.warn(
            f"install attempt {attempt} of {retries} failed ({reason}); retrying in {delay:g}s"
        )
        sleep(delay)
        delay *= 2
