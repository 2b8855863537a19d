"""The version of each tool a job installs: the project's own, else noxci's pin.

A job's tools (``[tool.noxci.JOB] tools``: ruff, black, mypy, pytest,
coverage, interrogate, bandit, pip-audit, zizmor ...) are installed at the
version the project itself uses, looked up in this order:

1. ``uv.lock``: the version it locks, in any group or extra;
2. an exact pin (``ruff==0.4.10``) in any dependency group or extra;
3. the ``rev`` of the tool's hook in ``.pre-commit-config.yaml``;
4. a range the project declares (``ruff<0.5``): noxci's pin when it lies in
   the range, else the range itself (uv picks the newest that fits);
5. noxci's pin: it only fills a gap.

Markers are evaluated for the session's Python, so ``pytest>=7;
python_version<'3.12'`` counts only on 3.11.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from noxci.precommit import pre_commit_hooks
from noxci.pyproject import read_pyproject
from noxci.venvs import canonical_name, requirement_name

__all__ = [
    "NOXCI_PIN",
    "ToolPin",
    "hook_dependencies",
    "locked_versions",
    "resolve_tools",
]

NOXCI_PIN = "noxci's pin"  # the source of a tool the project does not name at all


@dataclass(frozen=True, kw_only=True)
class ToolPin:
    """What to install for one tool, and where that came from."""

    requirement: str
    source: str

    @property
    def name(self) -> str:
        """The tool's canonical distribution name."""
        return requirement_name(self.requirement)


def locked_versions(root: Path) -> dict[str, str]:
    """Every package version uv.lock holds (the highest, when it forks), by name."""
    path = root / "uv.lock"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    from packaging.version import InvalidVersion, Version

    found: dict[str, Version] = {}
    for package in data.get("package", []):
        source = package.get("source", {})
        if not isinstance(source, dict) or "registry" not in source:
            continue  # the project itself, a path or git dependency
        try:
            version = Version(str(package["version"]))
        except (KeyError, InvalidVersion):
            continue
        name = canonical_name(str(package.get("name", "")))
        if name not in found or version > found[name]:
            found[name] = version
    return {name: str(version) for name, version in found.items()}


def _declared(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every requirement string of the groups and extras, with where it is."""
    groups = data.get("dependency-groups", {})
    for group, items in (groups.items() if isinstance(groups, dict) else []):
        for item in items if isinstance(items, list) else []:
            if isinstance(item, str):
                yield item, f"the '{group}' group"
    project = data.get("project", {})
    extras = (
        project.get("optional-dependencies", {}) if isinstance(project, dict) else {}
    )
    for extra, items in (extras.items() if isinstance(extras, dict) else []):
        for item in items if isinstance(items, list) else []:
            if isinstance(item, str):
                yield item, f"the [{extra}] extra"


def _ranges(root: Path, python: str) -> dict[str, tuple[Any, str]]:
    """The project's own specifier for each package it declares, for ``python``."""
    from packaging.requirements import InvalidRequirement, Requirement

    env = {"python_version": python, "python_full_version": f"{python}.0"}
    found: dict[str, tuple[Any, str]] = {}
    for text, where in _declared(read_pyproject(root)):
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = canonical_name(req.name)
        if name not in found or (req.specifier and not found[name][0]):
            found[name] = (req.specifier, where)
    return found


def _pin_version(requirement: str) -> str | None:
    match = re.search(r"==\s*([^\s,;]+)", requirement)
    return match.group(1) if match else None


def resolve_tools(root: Path, tools: Sequence[str], python: str) -> list[ToolPin]:
    """Each of noxci's ``tools`` at the project's own version (the module docstring)."""
    locked = locked_versions(root)
    ranges = _ranges(root, python)
    hooks = {tool: hook.version for tool, hook in pre_commit_hooks(root).items()}
    pins: list[ToolPin] = []
    for tool in tools:
        name = requirement_name(tool)
        extras = re.match(r"^[^\[=<>!~;\s]+(\[[^\]]*\])?", tool)
        base = name + (extras.group(1) or "") if extras else name
        spec, where = ranges.get(name, (None, ""))
        exact = next(
            (s.version for s in spec or () if s.operator in {"==", "==="}), None
        )
        if name in locked:
            pins.append(
                ToolPin(requirement=f"{base}=={locked[name]}", source="uv.lock")
            )
        elif exact and "*" not in exact:
            pins.append(ToolPin(requirement=f"{base}=={exact}", source=where))
        elif name in hooks and (not spec or spec.contains(hooks[name])):
            pins.append(
                ToolPin(
                    requirement=f"{base}=={hooks[name]}",
                    source=".pre-commit-config.yaml",
                )
            )
        elif name in ranges:
            ours = _pin_version(tool)
            if not spec or (ours and spec.contains(ours, prereleases=True)):
                pins.append(
                    ToolPin(requirement=tool, source=f"{NOXCI_PIN}, in {where}")
                )
            else:
                pins.append(ToolPin(requirement=f"{base}{spec}", source=where))
        else:
            pins.append(ToolPin(requirement=tool, source=NOXCI_PIN))
    return pins


def hook_dependencies(root: Path, tools: Sequence[str]) -> list[ToolPin]:
    """What the project's pre-commit hooks of ``tools`` install beside them.

    Its own run of mypy from pre-commit checks against these packages; a
    session without them finds other errors (import-not-found).
    """
    hooks = pre_commit_hooks(root)
    names = [requirement_name(tool) for tool in tools]
    return [
        ToolPin(requirement=dep, source=f"the {name} hook's additional_dependencies")
        for name in names
        if name in hooks
        for dep in hooks[name].additional_dependencies
    ]
