"""Facts about the project noxci runs on: layout, packages, tool configuration.

They are read from the project's own files, never guessed from noxci's
defaults.
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from noxci.layout import detect_packages
from noxci.pyproject import read_pyproject

__all__ = ["coverage_config", "dependency_names", "detect_packages", "tool_table"]


def tool_table(root: Path, name: str) -> Mapping[str, Any]:
    """``[tool.<name>]`` of pyproject.toml, empty when absent."""
    tool = read_pyproject(root).get("tool", {})
    table = tool.get(name, {}) if isinstance(tool, dict) else {}
    return table if isinstance(table, dict) else {}


def dependency_names(root: Path) -> set[str]:
    """Canonical names of every dependency the project declares anywhere."""
    from noxci.venvs import requirement_name

    data = read_pyproject(root)
    project = data.get("project", {})
    specs: list[str] = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    for group in data.get("dependency-groups", {}).values():
        specs.extend(item for item in group if isinstance(item, str))
    return {requirement_name(spec) for spec in specs if spec.strip()}


def _ini_sections(path: Path, prefix: str) -> dict[str, dict[str, str]]:
    parser = configparser.RawConfigParser()
    parser.read(path, encoding="utf-8")
    return {
        section[len(prefix) :]: dict(parser.items(section))
        for section in parser.sections()
        if section.startswith(prefix)
    }


def _ini_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return "\n" + "\n".join(str(v) for v in value)
    if isinstance(
        value, dict
    ):  # [paths] entries are lists; anything else is kept as text
        return str(value)
    return str(value)


def coverage_config(root: Path) -> dict[str, dict[str, str]]:
    """The project's coverage settings, section by section, as INI strings.

    Looked up where coverage itself looks, in its order: .coveragerc,
    setup.cfg, tox.ini, then pyproject.toml.
    """
    rc = root / ".coveragerc"
    if rc.is_file():
        return _ini_sections(rc, "")
    for name in ("setup.cfg", "tox.ini"):
        path = root / name
        if path.is_file():
            found = _ini_sections(path, "coverage:")
            if found:
                return found
    table = tool_table(root, "coverage")
    return {
        section: {key: _ini_value(value) for key, value in options.items()}
        for section, options in table.items()
        if isinstance(options, dict)
    }
