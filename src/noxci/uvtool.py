"""Finding uv, and installing a session's dependency group from uv.lock."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from noxci import console, proc
from noxci.errors import ToolError
from noxci.toolpins import NOXCI_PIN, ToolPin
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


def _extras(data: Mapping[str, object]) -> Mapping[str, object]:
    project = data.get("project")
    extras = (
        project.get("optional-dependencies", {}) if isinstance(project, dict) else {}
    )
    return extras if isinstance(extras, dict) else {}


def _declares(data: Mapping[str, object], extra: str, name: str) -> bool:
    """Whether the project's runtime dependencies or ``extra`` name ``name``."""
    project = data.get("project")
    deps = list(project.get("dependencies", [])) if isinstance(project, dict) else []
    items = _extras(data).get(extra, [])
    deps += items if isinstance(items, list) else []
    return any(isinstance(d, str) and requirement_name(d) == name for d in deps)


def _only_tools(items: object, tools: Sequence[ToolPin]) -> bool:
    """Whether a group holds nothing but (some of) the job's tools."""
    names = {t.name for t in tools}
    entries = items if isinstance(items, list) else []
    return all(isinstance(e, str) and requirement_name(e) in names for e in entries)


@dataclass(frozen=True, kw_only=True)
class _Plan:
    """One install: uv's arguments, what it installs (for messages), whether locked."""

    argv: list[str]
    how: str
    what: str = "the job's tools"
    locked: bool = False
    complete: bool = False  # it installs every tool itself: nothing to add beside


def _plan(
    root: Path,
    group: str,
    *,
    aliases: Sequence[str],
    install_project: bool,
    tools: Sequence[ToolPin],
    tools_only: bool,
) -> _Plan:
    """How to install the job's environment (see :func:`sync_group`)."""
    from noxci.pyproject import read_pyproject

    data = read_pyproject(root)
    groups = data.get("dependency-groups", {})
    groups = groups if isinstance(groups, dict) else {}
    extras = _extras(data)
    locked = (root / "uv.lock").is_file()
    project = ["-e", "."] if install_project else []
    named = next((g for g in (group, *aliases) if g in groups), None)
    extra = next((e for e in (group, *aliases) if e in extras), None)
    pins = [t.requirement for t in tools]
    listed = ", ".join(f"{t.requirement} ({t.source})" for t in tools) or "none"
    if tools_only and named is not None and not _only_tools(groups[named], tools):
        named = extra = None  # a docs group for Sphinx: interrogate needs none of it
    if named is None and extra is None:
        if not pins and not install_project:
            return _Plan(argv=[], how="nothing: the job needs no tools")
        return _Plan(
            argv=[*pins, *project], how=f"the job's tools: {listed}", complete=True
        )
    if named is not None and locked:
        argv = ["sync", "--locked", "--no-default-groups", "--group", named]
        if not install_project:
            argv.append("--no-install-project")
        return _Plan(
            argv=argv,
            how=f"the '{named}' group from uv.lock",
            what=f"the '{named}' group",
            locked=True,
        )
    if extra is not None and locked and named is None:
        argv = ["sync", "--locked", "--no-default-groups", "--extra", extra]
        return _Plan(
            argv=argv,
            how=f"the [{extra}] extra from uv.lock",
            what=f"the [{extra}] extra",
            locked=True,
        )
    if named is not None:
        return _Plan(
            argv=["--group", named, *project],
            how=f"the '{named}' group, unpinned (no uv.lock)",
            what=f"the '{named}' group",
        )
    if extra is None:  # pragma: no cover - the cases above cover it
        raise ToolError(f"no '{group}' group or extra to install")
    # The extra brings its own tools; noxci's fill the gaps, as lower bounds
    # so that they join the project's resolution.
    gaps = [
        t.requirement if t.source != NOXCI_PIN else _floor(t.requirement)
        for t in tools
        if not _declares(data, extra, t.name)
    ]
    return _Plan(
        argv=[*gaps, "-e", f".[{extra}]"],
        how=f"the project's [{extra}] extra and noxci's tools ({', '.join(gaps) or 'none'}): no '{group}' group",
        what=f"the [{extra}] extra",
        complete=True,
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
    needed: Sequence[str] = (),
    tools_only: bool = False,
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
    from noxci.toolpins import resolve_tools

    python = str(interpreter(venv))
    full_env = {
        **env,
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    tools = resolve_tools(root, needed, venv_python(venv) or "3.11")
    plan = _plan(
        root,
        group,
        aliases=aliases,
        install_project=install_project,
        tools=tools,
        tools_only=tools_only,
    )
    if not plan.argv:
        return plan.how
    if plan.locked:
        argv = [find_uv(), *plan.argv, "--python", python]
    else:
        argv = [find_uv(), "pip", "install", "--python", python, *plan.argv]
        console.warn(f"installing {plan.how}")
    _with_retries(
        argv,
        root=root,
        env=full_env,
        what=plan.how,
        retries=retries,
        runner=runner,
        sleep=sleep,
    )
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
    _with_retries(
        [
            find_uv(),
            "pip",
            "install",
            "--python",
            python,
            *(t.requirement for t in missing),
        ],
        root=root,
        env=full_env,
        what=listed,
        retries=retries,
        runner=runner,
        sleep=sleep,
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
