"""Finding uv, and installing a session's dependency group from uv.lock."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from noxci import console, proc
from noxci.errors import ToolError
from noxci.venvs import installed_version, interpreter, requirement_name, site_packages

__all__ = ["ensure_python", "find_uv", "sync_group", "sync_runtime"]

_PERMANENT = (
    "needs to be updated",  # --locked and a stale uv.lock
    "No `project` table found",
    "not found in the lockfile",
    "Group `",  # an unknown dependency group
    "incompatible with the project's Python requirement",
    "Because the current Python version",  # uv pip: requires-python not met
)


def find_uv() -> str:
    """The uv binary: the ``uv`` package beside noxci (and nox), else PATH."""
    try:
        from uv import find_uv_bin

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
    if "incompatible with the project's Python requirement" in done.stderr:
        return (
            f"{text}; the session's Python does not satisfy requires-python: "
            'set [tool.noxci] python = ["3.X"] to one it allows'
        )
    return f"uv sync exited {done.returncode}: {text}"


def _with_retries(
    argv: list[str],
    *,
    root: Path,
    env: Mapping[str, str],
    what: str,
    retries: int,
    runner: proc.Runner,
    sleep: Callable[[float], None],
) -> None:
    delay = 1.0
    for attempt in range(1, retries + 1):
        done = runner(argv, cwd=root, timeout=600, env=env)
        if done.returncode == 0:
            return
        reason = _reason(done)
        if attempt == retries or any(marker in done.stderr for marker in _PERMANENT):
            raise ToolError(f"installing {what} failed: {reason}")
        console.warn(
            f"install attempt {attempt} of {retries} failed ({reason}); retrying in {delay:g}s"
        )
        sleep(delay)
        delay *= 2


def ensure_python(
    root: Path,
    venv: Path,
    python: str,
    *,
    env: Mapping[str, str],
    runner: proc.Runner = proc.run,
) -> bool:
    """Recreate ``venv`` on ``python`` when it was made with another version.

    nox reuses a venv whatever interpreter made it (unless
    ``NOX_ENABLE_STALENESS_CHECK`` is set), so a changed Python setting
    would keep running on the old one. True when the venv was recreated.
    """
    from noxci.pythons import venv_python

    found = venv_python(venv)
    if found is None or found == python or not python[:1].isdigit():
        return False
    console.warn(
        f"{venv.name}: its venv is on Python {found}, not {python}: recreating it"
    )
    done = runner(
        [find_uv(), "venv", "--quiet", "--clear", "--python", python, str(venv)],
        cwd=root,
        timeout=120,
        env={**env, "UV_PYTHON_DOWNLOADS": "never"},
    )
    if done.returncode != 0:
        raise ToolError(f"recreating {venv} on Python {python} failed: {done.tail()}")
    return True


def _floor(requirement: str) -> str:
    """``x==1.2`` becomes ``x>=1.2``: noxci's pins, loosened to join a project's own."""
    return requirement.replace("==", ">=", 1)


def _unlocked(
    group: str,
    groups: Mapping[str, object],
    data: Mapping[str, object],
    *,
    aliases: Sequence[str],
    install_project: bool,
    fallback: Sequence[str],
) -> tuple[list[str], str]:
    """The ``uv pip install`` arguments for a project without a lock for ``group``."""
    if group in groups:
        return [
            "--group",
            group,
            *(["-e", "."] if install_project else []),
        ], f"the '{group}' group, unpinned (no uv.lock)"
    project = data.get("project")
    extras = (
        project.get("optional-dependencies", {}) if isinstance(project, dict) else {}
    )
    extra = next((name for name in (group, *aliases) if name in extras), None)
    if extra is not None:
        tools = [_floor(t) for t in fallback]
        return (
            [*tools, "-e", f".[{extra}]"],
            f"the project's [{extra}] extra and noxci's tools ({', '.join(tools) or 'none'}): no '{group}' group",
        )
    if not fallback and not install_project:
        return [], "nothing: the job needs no tools"
    return (
        [*fallback, *(["-e", "."] if install_project else [])],
        f"noxci's pinned tools ({', '.join(fallback) or 'none'}): no '{group}' dependency group",
    )


def sync_group(
    root: Path,
    venv: Path,
    group: str,
    *,
    install_project: bool,
    env: Mapping[str, str],
    retries: int,
    aliases: Sequence[str] = (),
    fallback: Sequence[str] = (),
    needed: Sequence[str] = (),
    runner: proc.Runner = proc.run,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Install ``group`` into ``venv``, retrying transient failures; say what was installed.

    - The project declares the group and has uv.lock: ``uv sync --locked`` of
      exactly that group. ``--locked`` makes uv fail rather than rewrite a
      stale uv.lock: a session never changes tracked files.
    - It declares the group but has no uv.lock: ``uv pip install --group``
      (unpinned: the warning says so).
    - It has no such group: a matching extra plus ``fallback`` as lower
      bounds, else noxci's own pinned ``fallback`` tools.

    A group is looked up by its name, then by the job's usual ``aliases``
    (``typing``, ``mypy`` for typecheck; ``test``, ``testing`` for tests). Tools in
    ``needed`` that the group does not provide are installed beside it, at
    noxci's pins, with a warning: a project's ``docs`` group for Sphinx
    does not hold interrogate, nor its ``tests`` group pytest-reportlog.
    """
    from noxci.pyproject import read_pyproject

    python = str(interpreter(venv))
    full_env = {
        **env,
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    data = read_pyproject(root)
    groups = data.get("dependency-groups", {})
    group = next((g for g in (group, *aliases) if g in groups), group)
    if group in groups and (root / "uv.lock").is_file():
        argv = [
            find_uv(),
            "sync",
            "--locked",
            "--no-default-groups",
            "--group",
            group,
            "--python",
            python,
        ]
        if not install_project:
            argv.append("--no-install-project")
        how = f"the '{group}' group from uv.lock"
    else:
        argv, how = _unlocked(
            group,
            groups,
            data,
            aliases=aliases,
            install_project=install_project,
            fallback=fallback,
        )
        if not argv:
            return how
        argv = [find_uv(), "pip", "install", "--python", python, *argv]
        console.warn(f"installing {how}")
    _with_retries(
        argv,
        root=root,
        env=full_env,
        what=how,
        retries=retries,
        runner=runner,
        sleep=sleep,
    )
    if group in groups:
        missing = [
            t
            for t in needed
            if installed_version(requirement_name(t), site_packages(venv)) is None
        ]
        if missing:
            console.warn(
                f"the '{group}' group lacks {', '.join(requirement_name(t) for t in missing)}, "
                f"which the job needs: installing {', '.join(missing)} beside it "
                "(add them to the group to pin them in uv.lock)"
            )
            _with_retries(
                [find_uv(), "pip", "install", "--python", python, *missing],
                root=root,
                env=full_env,
                what=f"noxci's {', '.join(missing)}",
                retries=retries,
                runner=runner,
                sleep=sleep,
            )
            how += f", plus noxci's {', '.join(missing)}"
    return how


def sync_runtime(
    root: Path,
    target: Path,
    *,
    python: str,
    env: Mapping[str, str],
    retries: int,
    runner: proc.Runner = proc.run,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """A fresh venv at ``target`` with the project and its locked runtime dependencies."""
    full_env = {
        **env,
        "UV_PROJECT_ENVIRONMENT": str(target),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    done = runner(
        [find_uv(), "venv", "--quiet", "--clear", "--python", python, str(target)],
        cwd=root,
        timeout=120,
        env=full_env,
    )
    if done.returncode != 0:
        raise ToolError(f"creating {target.name} failed: {done.tail()}")
    if (root / "uv.lock").is_file():
        argv = [
            find_uv(),
            "sync",
            "--locked",
            "--no-default-groups",
            "--python",
            str(interpreter(target)),
        ]
    else:
        argv = [
            find_uv(),
            "pip",
            "install",
            "--python",
            str(interpreter(target)),
            "-e",
            ".",
        ]
    _with_retries(
        argv,
        root=root,
        env=full_env,
        what="the project's runtime dependencies",
        retries=retries,
        runner=runner,
        sleep=sleep,
    )
