"""pyproject.toml, read cheaply: found, parsed when it changes, ``[tool.noxci]`` taken.

A noxfile imports this for ``nox -l``, so it imports nothing but tomllib.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from noxci.errors import ConfigError

__all__ = ["find_root", "read_pyproject", "user_table"]


def find_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding a pyproject.toml."""
    for candidate in (start, *start.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate
    raise ConfigError(
        f"no pyproject.toml in {start} or above; run noxci from the project"
    )


_PARSED: dict[tuple[Path, bytes], Mapping[str, Any]] = {}


def read_pyproject(root: Path) -> Mapping[str, Any]:
    """Parse ``root/pyproject.toml``; parsed once per content, re-read when it changes."""
    path = root / "pyproject.toml"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found; noxci needs a pyproject.toml") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    key = (path, data)
    if key not in _PARSED:
        try:
            _PARSED[key] = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return _PARSED[key]


def user_table(root: Path) -> Mapping[str, Any]:
    """The raw ``[tool.noxci]`` table (empty when absent)."""
    tool = read_pyproject(root).get("tool", {})
    table = tool.get("noxci", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError("pyproject.toml: [tool.noxci] must be a table")
    return table
