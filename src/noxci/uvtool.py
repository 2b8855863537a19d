"""Finding uv, and installing a session's dependency group from uv.lock."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from noxci import console, proc
from noxci.errors import ToolError
from noxci.installplan import TOO_NEW, InstallPlan, newest, plan_install
from noxci.toolpins import NOXCI_PIN, ToolPin
from noxci.venvs import installed_version, interpreter, site_packages

__all__ = ["ensure_python", "find_uv", "sync_group", "sync_runtime"]

_PERMANENT = (
    "needs to be updated",  # --locked and a stale uv.lock
    "No `project` table found",
    "not found in the lockfile",
    "Group `",  # an unknown dependency group
    "incompatible with the project's Python requirement",
    "Because the current Python version",  # uv pip: requires-python not met
    "No solution found",  # the requirements conflict: a retry resolves the same
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


def _reason(done: proc.Completed, argv: list[str]) -> str:
    text = done.tail(3)
    if "needs to be updated" in done.stderr:
        return "uv.lock is out of date with pyproject.toml; run `nox -s lock` (or `uv lock`) and commit it"
    if "incompatible with the project's Python requirement" in done.stderr:
        return (
            f"{text}; the session's Python does not satisfy requires-python: "
            'set [tool.noxci] python = ["3.X"] to one it allows'
        )
    words = argv[1:3] if argv[1:2] == ["pip"] else argv[1:2]
    return f"{' '.join(['uv', *words])} exited {done.returncode}: {text}"


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
        reason = _reason(done, argv)
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


def sync_group(
    root: Path,
    venv: Path,
    group: str,
    *,
    install_project: bool,
    env: Mapping[str, str],
    retries: int,
    aliases: Sequence[str] = (),
    needed: Sequence[str] = (),
    tools_only: bool = False,
    tox_sections: Sequence[str] = (),
    runner: proc.Runner = proc.run,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Install the job's environment into ``venv``, retrying transient failures; say what.

    - The project declares the group (or, with no such group, an extra) and
      has uv.lock: ``uv sync --locked`` of exactly that. ``--locked`` makes
      uv fail rather than rewrite a stale uv.lock: a session never changes
      tracked files.
    - It declares the group but has no uv.lock: ``uv pip install --group``
      (unpinned: the warning says so).
    - It has an extra but no uv.lock: the extra, plus the tools it lacks.
    - Neither, or ``tools_only`` (a job such as docs, whose tool needs
      nothing of the project's group): just the ``needed`` tools.

    A group is looked up by its name, then by the job's usual ``aliases``
    (``typing``, ``mypy`` for typecheck; ``test``, ``testing`` for tests).
    Every tool is installed at the project's own version where it has one
    (:func:`noxci.toolpins.resolve_tools`), else at noxci's pin. Tools in
    ``needed`` that the group does not provide are installed beside it,
    with a warning: a project's ``tests`` group often lacks pytest-reportlog.
    """
    from noxci.pythons import venv_python
    from noxci.toolpins import hook_dependencies, resolve_tools
    from noxci.toxenv import tox_env

    full_env = {
        **env,
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    tools = resolve_tools(root, needed, venv_python(venv) or "3.11")

    def install(argv: list[str], what: str) -> None:
        _with_retries(
            argv,
            root=root,
            env=full_env,
            what=what,
            retries=retries,
            runner=runner,
            sleep=sleep,
        )

    def plan(pins: Sequence[ToolPin]) -> InstallPlan:
        return plan_install(
            root,
            group,
            aliases=aliases,
            install_project=install_project,
            tools=pins,
            tools_only=tools_only,
            hook_deps=hook_dependencies(root, needed),
            tox=tox_env(root, tox_sections),
        )

    try:
        return _install(venv, plan(tools), tools, install)
    except ToolError as exc:
        if not TOO_NEW.search(str(exc)) or not any(
            t.source == NOXCI_PIN for t in tools
        ):
            raise
        console.warn(
            f"noxci's pins need a newer Python than {venv_python(venv)}: installing the "
            "newest of those tools that supports it"
        )
        relaxed = [newest(t) if t.source == NOXCI_PIN else t for t in tools]
        return _install(venv, plan(relaxed), relaxed, install)


def _install(
    venv: Path,
    plan: InstallPlan,
    tools: Sequence[ToolPin],
    install: Callable[[list[str], str], None],
) -> str:
    """Carry out ``plan``, then add the tools it left out."""
    python = str(interpreter(venv))
    if not plan.argv:
        return plan.how
    if plan.locked:
        install([find_uv(), *plan.argv, "--python", python], plan.how)
    else:
        console.warn(f"installing {plan.how}")
        install([find_uv(), "pip", "install", "--python", python, *plan.argv], plan.how)
    missing = [
        t
        for t in tools
        if not plan.complete and installed_version(t.name, site_packages(venv)) is None
    ]
    if not missing:
        return plan.how
    listed = ", ".join(f"{t.requirement} ({t.source})" for t in missing)
    console.warn(
        f"{plan.what} lacks "
        f"{', '.join(t.name for t in missing)}, which the job needs: installing "
        f"{listed} beside it (add them to the group to pin them in uv.lock)"
    )
    install(
        [
            find_uv(),
            "pip",
            "install",
            "--python",
            python,
            *(t.requirement for t in missing),
        ],
        listed,
    )
    return f"{plan.how}, plus {listed}"


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
