"""pyproject.toml, read cheaply: found, parsed when it changes, ``[tool.noxci]`` taken.

A noxfile imports this for ``nox -l``, so it imports nothing but tomllib and
:mod:`noxci.safefile` (the standard library only).
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
    """Parse ``root/pyproject.toml``; parsed once per content, re-read when it changes.

    It is read through :mod:`noxci.safefile` with the default size limit
    (``max-file-size`` is itself in this file); any problem is a
    :class:`ConfigError`.
    """
    from noxci import safefile

    path = root / "pyproject.toml"
    try:
        data = safefile.read_bytes(path, root=root)
    except safefile.MissingFile:
        raise ConfigError(f"{path}: not found; noxci needs a pyproject.toml") from None
    except safefile.FileProblem as exc:
        raise ConfigError(str(exc)) from None
    key = (path, data)
    if key not in _PARSED:
        try:
            parsed = tomllib.loads(data.decode("utf-8"))
            safefile.check_nesting(parsed)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        except (ValueError, RecursionError) as exc:
            # tomllib recurses into nested arrays and tables, and refuses
            # integers longer than Python's digit limit with a ValueError.
            reason = "nested too deep" if isinstance(exc, RecursionError) else exc
            raise ConfigError(f"{path}: not valid TOML: {reason}") from None
        _PARSED[key] = parsed
    return _PARSED[key]


def user_table(root: Path) -> Mapping[str, Any]:
    """The raw ``[tool.noxci]`` table (empty when absent)."""
    tool = read_pyproject(root).get("tool", {})
    table = tool.get("noxci", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError("pyproject.toml: [tool.noxci] must be a table")
    return table
