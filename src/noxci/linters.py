"""Which linter a project uses: ruff, flake8, or both configured.

Read from where each tool's own configuration lives, the project's declared
dependencies and its pre-commit hooks; the lint job runs flake8 only for a
project that uses flake8 and nothing of ruff.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from noxci.precommit import pre_commit_hooks
from noxci.project import dependency_names, tool_table

__all__ = ["uses_flake8", "uses_ruff"]


def _has_section(path: Path, section: str) -> bool:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return False
    return parser.has_section(section)


def uses_flake8(root: Path) -> bool:
    """A ``[flake8]`` section where flake8 reads it, a flake8 dependency or hook."""
    return (
        any(
            _has_section(root / name, "flake8")
            for name in (".flake8", "setup.cfg", "tox.ini")
        )
        or "flake8" in dependency_names(root)
        or "flake8" in pre_commit_hooks(root)
    )


def uses_ruff(root: Path) -> bool:
    """A ruff configuration, a ruff dependency or hook."""
    return (
        bool(tool_table(root, "ruff"))
        or (root / "ruff.toml").is_file()
        or (root / ".ruff.toml").is_file()
        or "ruff" in dependency_names(root)
        or "ruff" in pre_commit_hooks(root)
    )
