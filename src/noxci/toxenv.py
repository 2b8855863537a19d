"""A job's environment as a tox-based project declares it in tox.ini.

A project without dependency groups or extras for its tests often keeps
their dependencies in tox.ini (itsdangerous: ``deps = -r
requirements/tests.txt``, freezegun among them). The tests job's
environment is tox's base ``[testenv]``; another job's is
``[testenv:NAME]`` for its name or an alias (``typing``, ``mypy``).
Only what tox would install in every such environment is taken: a line
behind a factor (``py38: ...``) or with a substitution other than
``{toxinidir}`` is left out.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from noxci.venvs import requirement_name

__all__ = ["ToxEnv", "tox_env", "tox_sections"]

_FACTOR = re.compile(r"^[\w.,{}!-]+:\s")


@dataclass(frozen=True, kw_only=True)
class ToxEnv:
    """What tox installs in one environment, as uv pip install arguments."""

    section: str
    args: tuple[str, ...]
    names: frozenset[str]
    extras: tuple[str, ...]


def tox_sections(job: str, names: Sequence[str]) -> list[str]:
    """The tox.ini sections that stand for ``job``, best first."""
    sections = [f"testenv:{name}" for name in names]
    return [*sections, "testenv"] if job == "tests" else sections


def _lines(value: str) -> list[str]:
    return [
        line.replace("{toxinidir}/", "").replace("{toxinidir}", ".").strip()
        for line in value.replace("\\\n", " ").splitlines()
    ]


def _file_names(path: Path) -> set[str]:
    """The distributions a requirements file names (one level, no includes)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    names = set()
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(requirement_name(line))
    return names


def tox_env(root: Path, sections: Sequence[str]) -> ToxEnv | None:
    """The first of ``sections`` that tox.ini has and that installs something."""
    from packaging.requirements import InvalidRequirement, Requirement

    parser = configparser.RawConfigParser()
    try:
        if not parser.read(root / "tox.ini", encoding="utf-8"):
            return None
    except (configparser.Error, UnicodeDecodeError):
        return None
    for section in sections:
        if not parser.has_section(section):
            continue
        args: list[str] = []
        names: set[str] = set()
        for line in _lines(parser.get(section, "deps", fallback="")):
            if not line or line.startswith("#") or _FACTOR.match(line) or "{" in line:
                continue
            option, _, path = line.partition(" ")
            if option in {"-r", "-c"} and path.strip():
                args += [option, path.strip()]
                if option == "-r":
                    names |= _file_names(root / path.strip())
                continue
            try:
                names.add(requirement_name(str(Requirement(line))))
            except InvalidRequirement:
                continue
            args.append(line)
        extras = tuple(
            line
            for line in _lines(parser.get(section, "extras", fallback=""))
            if line and not _FACTOR.match(line) and "{" not in line
        )
        if args or extras:
            return ToxEnv(
                section=section, args=tuple(args), names=frozenset(names), extras=extras
            )
    return None
