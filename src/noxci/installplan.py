"""What to install for a job: its group, an extra, or its tools alone.

:func:`plan_install` decides (see :func:`noxci.uvtool.sync_group` for the
rules); :mod:`noxci.uvtool` runs uv. Kept apart so that the decision is
tested without uv.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from noxci.errors import ToolError
from noxci.toolpins import NOXCI_PIN, ToolPin
from noxci.toxenv import ToxEnv
from noxci.venvs import requirement_name

__all__ = ["TOO_NEW", "InstallPlan", "newest", "plan_install"]


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


def _holding(
    groups: Mapping[str, object], extras: Mapping[str, object], tools: Sequence[ToolPin]
) -> tuple[str | None, str | None]:
    """The first group, else extra, that lists one of the job's tools by name.

    A project whose test tools live in an ``all`` or ``dev`` extra (idna)
    keeps there what its tests need beside pytest (hypothesis).
    """
    names = {t.name for t in tools}

    def lists(items: object) -> bool:
        entries = items if isinstance(items, list) else []
        return any(isinstance(e, str) and requirement_name(e) in names for e in entries)

    group = next((g for g, items in groups.items() if lists(items)), None)
    if group is not None:
        return group, None
    return None, next((e for e, items in extras.items() if lists(items)), None)


@dataclass(frozen=True, kw_only=True)
class InstallPlan:
    """One install: uv's arguments, what it installs (for messages), whether locked."""

    argv: list[str]
    how: str
    what: str = "the job's tools"
    locked: bool = False
    complete: bool = False  # it installs every tool itself: nothing to add beside


def plan_install(
    root: Path,
    group: str,
    *,
    aliases: Sequence[str],
    install_project: bool,
    tools: Sequence[ToolPin],
    tools_only: bool,
    hook_deps: Sequence[ToolPin] = (),
    tox: ToxEnv | None = None,
) -> InstallPlan:
    """How to install the job's environment (see :func:`noxci.uvtool.sync_group`).

    ``hook_deps`` (what the project's pre-commit hook installs beside the
    tool) join the job's tools where no group or extra holds them; ``tox``
    (the job's environment in tox.ini) stands in for a group.
    """
    from noxci.pyproject import read_pyproject

    data = read_pyproject(root)
    groups = data.get("dependency-groups", {})
    groups = groups if isinstance(groups, dict) else {}
    extras = _extras(data)
    locked = (root / "uv.lock").is_file()
    project = ["-e", "."] if install_project else []
    named = next((g for g in (group, *aliases) if g in groups), None)
    extra = next((e for e in (group, *aliases) if e in extras), None)
    if tools_only:
        # A docs group or extra is for Sphinx: interrogate needs none of it,
        # unless the group holds nothing but the job's tools (their pins).
        extra = None
        if named is not None and not _only_tools(groups[named], tools):
            named = None
    if named is None and extra is None and install_project and not tools_only:
        if tox is not None:
            return _tox_plan(data, group, tox, tools, install_project=install_project)
        named, extra = _holding(groups, extras, tools)
    if named is None and extra is None:
        return _tools_plan(tools, hook_deps, project)
    if named is not None and locked:
        argv = ["sync", "--locked", "--no-default-groups", "--group", named]
        if not install_project:
            argv.append("--no-install-project")
        return InstallPlan(
            argv=argv,
            how=f"the '{named}' group from uv.lock",
            what=f"the '{named}' group",
            locked=True,
        )
    if extra is not None and locked and named is None:
        argv = ["sync", "--locked", "--no-default-groups", "--extra", extra]
        return InstallPlan(
            argv=argv,
            how=f"the [{extra}] extra from uv.lock",
            what=f"the [{extra}] extra",
            locked=True,
        )
    if named is not None:
        return InstallPlan(
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
    return InstallPlan(
        argv=[*gaps, "-e", f".[{extra}]"],
        how=f"the project's [{extra}] extra and noxci's tools ({', '.join(gaps) or 'none'}): no '{group}' group",
        what=f"the [{extra}] extra",
        complete=True,
    )


def _tools_plan(
    tools: Sequence[ToolPin], hook_deps: Sequence[ToolPin], project: list[str]
) -> InstallPlan:
    """The job's tools alone (and the project, for a job that imports it)."""
    pins = [t.requirement for t in tools]
    if not pins and not project:
        return InstallPlan(argv=[], how="nothing: the job needs no tools")
    hooked = [t for t in hook_deps if t.requirement not in pins]
    listed = ", ".join(f"{t.requirement} ({t.source})" for t in (*tools, *hooked))
    return InstallPlan(
        argv=[*pins, *(t.requirement for t in hooked), *project],
        how=f"the job's tools: {listed or 'none'}",
        complete=True,
    )


def _tox_plan(
    data: Mapping[str, object],
    group: str,
    tox: ToxEnv,
    tools: Sequence[ToolPin],
    *,
    install_project: bool,
) -> InstallPlan:
    """The deps and extras tox gives the job, and noxci's tools for what they lack."""
    gaps = [
        t.requirement if t.source != NOXCI_PIN else _floor(t.requirement)
        for t in tools
        if t.name not in tox.names
        and not any(_declares(data, extra, t.name) for extra in tox.extras)
    ]
    target = f".[{','.join(tox.extras)}]" if tox.extras else "."
    return InstallPlan(
        argv=[*tox.args, *gaps, *(["-e", target] if install_project else [])],
        how=(
            f"tox's [{tox.section}] ({' '.join([*tox.args, *tox.extras])}) and "
            f"noxci's tools ({', '.join(gaps) or 'none'}): no '{group}' group"
        ),
        what=f"tox's [{tox.section}]",
        complete=True,
    )


# uv: a pinned version needs a newer Python. uv wraps its explanation, and a
# one-line error joins the lines with " | ": the words may be apart.
TOO_NEW = re.compile(r"does not satisfy[\s|]+Python")


def newest(tool: ToolPin) -> ToolPin:
    """Loosen noxci's pin to the tool's name: uv takes the newest that fits the Python."""
    name = re.split(r"[=<>!~;\s]", tool.requirement, maxsplit=1)[0]
    return ToolPin(requirement=name, source=f"{NOXCI_PIN}, the newest for this Python")
