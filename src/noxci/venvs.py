"""Virtualenvs and the distributions in them: one place for each fact.

Where a venv keeps its scripts and its interpreter (``bin/`` or, on
Windows, ``Scripts/``), where its site-packages are, what a distribution
is called once normalised (PEP 503, so ``zope.interface`` is
``zope-interface``), and which version of one is installed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

__all__ = [
    "bin_dir",
    "canonical_name",
    "distributions",
    "installed_version",
    "interpreter",
    "requirement_name",
    "site_packages",
]

_WINDOWS = sys.platform == "win32"


def bin_dir(venv: Path) -> Path:
    """The venv's scripts directory."""
    return venv / ("Scripts" if _WINDOWS else "bin")


def interpreter(venv: Path) -> Path:
    """The venv's Python."""
    return bin_dir(venv) / ("python.exe" if _WINDOWS else "python")


def site_packages(venv: Path) -> list[Path]:
    """The venv's site-packages directories (POSIX and Windows layouts)."""
    return sorted(venv.glob("lib/python*/site-packages")) + sorted(
        venv.glob("Lib/site-packages")
    )


def canonical_name(name: str) -> str:
    """A distribution name normalised as PEP 503 says."""
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def requirement_name(requirement: str) -> str:
    """The canonical distribution name of a requirement: ``Black[d]==1`` is ``black``."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return canonical_name(Requirement(requirement).name)
    except InvalidRequirement:
        return canonical_name(
            requirement.split(";", maxsplit=1)[0].split("[", maxsplit=1)[0].strip()
        )


def installed_version(name: str, paths: Iterable[Path | str]) -> str | None:
    """The version of distribution ``name`` found on ``paths``, or None."""
    wanted = canonical_name(name)
    for dist in metadata.distributions(path=[str(p) for p in paths]):
        if canonical_name(dist.metadata["Name"] or "") == wanted:
            return dist.version
    return None


def distributions(venv: Path) -> list[str]:
    """The venv's installed distributions (their ``.dist-info`` names) and ``.pth`` files, sorted."""
    return sorted(
        entry.name
        for directory in site_packages(venv)
        if directory.is_dir()
        for entry in directory.iterdir()
        if entry.name.endswith((".dist-info", ".pth"))
    )
