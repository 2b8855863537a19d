"""Where a project's code is: src, flat and namespace layouts, and its mypy config.

The package names come from the project's own build configuration (hatch,
setuptools, flit, uv_build, poetry) or, failing that, its name; each is
then looked for on disk, under ``src/`` or at the root, as a package, a
namespace package (``jaraco/functools``) or a single module (``six.py``).
Only when neither finds anything are the root's package directories
listed, and only when there are none, the root itself.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from noxci.errors import ConfigError
from noxci.pyproject import read_pyproject

__all__ = [
    "Layout",
    "MypyConfig",
    "detect_layout",
    "detect_packages",
    "mypy_config",
    "setuptools_discovers",
    "setuptools_packages",
]

_NOT_PACKAGES = {
    "tests",
    "test",
    "testing",
    "docs",
    "doc",
    "benchmarks",
    "examples",
    "scripts",
    "build",
    "dist",
}


@dataclass(frozen=True, kw_only=True)
class Layout:
    """The code's directories, relative to the root, and how imports find them.

    ``base`` is the directory imports start from (``src`` or ``.``);
    ``namespace`` says that a package lies in a directory without
    ``__init__.py``, where mypy needs ``--explicit-package-bases``.
    """

    paths: tuple[str, ...]
    base: str
    namespace: bool


def _table(data: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    for key in keys:
        value = data.get(key) if isinstance(data, dict) else None
        if not isinstance(value, dict):
            return {}
        data = value
    return data


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _configured(data: Mapping[str, Any]) -> Iterator[str]:
    """Module paths (``a/b``) the build configuration names, best first."""
    tool = _table(data, "tool")
    hatch = _table(tool, "hatch", "build", "targets", "wheel")
    for path in _strings(hatch.get("packages")):
        yield path.strip("/").removeprefix("src/")
    setuptools = _table(tool, "setuptools")
    for name in _strings(setuptools.get("packages")):
        yield name.split(".")[0]
    for name in _strings(setuptools.get("py-modules")):
        yield name
    for pattern in _strings(_table(setuptools, "packages", "find").get("include")):
        name = pattern.split(".")[0].rstrip("*")
        if name:
            yield name
    for name in _strings(_table(tool, "flit", "module").get("name")):
        yield name.replace(".", "/")
    for name in _strings(_table(tool, "uv", "build-backend").get("module-name")):
        yield name.replace(".", "/")
    for item in _table(tool, "poetry").get("packages", []) or []:
        if isinstance(item, dict) and isinstance(item.get("include"), str):
            yield item["include"]
    project = _table(data, "project").get("name")
    if isinstance(project, str):
        yield re.sub(r"[-_.]+", "_", project).lower()
        if "." in project:
            yield project.lower().replace(".", "/").replace("-", "_")


def _locate(root: Path, module: str) -> tuple[str, str] | None:
    """``(path, base)`` of ``module`` under src/ or the root, or None."""
    for base in ("src", "."):
        where = root / base
        for candidate in (where / module, where / f"{module}.py"):
            if candidate.is_dir() and any(candidate.rglob("*.py")):
                return (Path(base) / module).as_posix().removeprefix("./"), base
            if candidate.is_file():
                return (Path(base) / f"{module}.py").as_posix().removeprefix("./"), base
    return None


def _namespace(root: Path, path: str, base: str) -> bool:
    """Whether a directory between ``base`` and ``path`` lacks ``__init__.py``."""
    parts = Path(path).relative_to(base).parts if base != "." else Path(path).parts
    current = root / base
    for part in parts[:-1]:
        current = current / part
        if not (current / "__init__.py").is_file():
            return True
    return False


def detect_layout(root: Path) -> Layout:
    """The project's code directories (see the module docstring)."""
    try:
        data = read_pyproject(root)
    except ConfigError:
        data = {}  # no (readable) pyproject.toml: the directories alone decide
    found: dict[str, str] = {}
    for module in _configured(data):
        located = _locate(root, module)
        if located is not None:
            found.setdefault(*located)
    if (root / "src").is_dir():
        # Everything under src/ is code: scan it whole, whatever its packages.
        namespace = any(
            child.is_dir()
            and not (child / "__init__.py").is_file()
            and any(child.glob("*/__init__.py"))
            for child in (root / "src").iterdir()
        )
        return Layout(paths=("src",), base="src", namespace=namespace)
    if found:
        return Layout(
            paths=tuple(found),
            base=".",
            namespace=any(_namespace(root, p, b) for p, b in found.items()),
        )
    packages = sorted(
        child.name
        for child in root.iterdir()
        if child.is_dir()
        and (child / "__init__.py").is_file()
        and child.name not in _NOT_PACKAGES
        and not child.name.startswith(".")
    )
    return Layout(paths=tuple(packages) or (".",), base=".", namespace=False)


def setuptools_discovers(root: Path) -> bool:
    """Whether setuptools finds this flat layout's packages by itself.

    It then takes every top-level directory not on its short exclude list
    for a package, noxci's ``reports/`` and ``readiness/`` too, and refuses
    to build ("Multiple top-level packages discovered in a flat-layout").
    """
    data = read_pyproject(root)
    backend = _table(data, "build-system").get("build-backend", "setuptools.build_meta")
    if not str(backend).startswith("setuptools") or (root / "src").is_dir():
        return False
    setuptools = _table(data, "tool", "setuptools")
    if any(key in setuptools for key in ("packages", "py-modules")):
        return False
    setup_cfg = _ini(root / "setup.cfg", "options") or {}
    if "packages" in setup_cfg or "py_modules" in setup_cfg:
        return False
    return not (root / "setup.py").is_file()


# The directories setuptools' flat-layout discovery leaves out, besides any
# whose name starts with a dot or an underscore.
_SETUPTOOLS_SKIPS = {
    *("ci", "bin", "debian", "doc", "docs", "documentation", "manpages", "news"),
    *("newsfragments", "changelog", "test", "tests", "unit_test", "unit_tests"),
    *("example", "examples", "scripts", "tools", "util", "utils", "python"),
    *("build", "venv", "env", "dist", "requirements", "tasks", "fabfile"),
    *("site_scons", "benchmark", "benchmarks", "exercise", "exercises", "htmlcov"),
}


def setuptools_packages(root: Path, ignore: Collection[str] = ()) -> list[str]:
    """The top-level directories setuptools would take for packages, when it discovers them.

    Empty unless :func:`setuptools_discovers`; ``ignore`` names directories
    to leave out (noxci's own, which it is asked about).
    """
    if not setuptools_discovers(root):
        return []
    return sorted(
        child.name
        for child in root.iterdir()
        if child.is_dir()
        and child.name.isidentifier()
        and not child.name.startswith((".", "_"))
        and child.name not in _SETUPTOOLS_SKIPS
        and child.name not in ignore
    )


def detect_packages(root: Path) -> list[str]:
    """The directories (or modules) holding the project's code, relative to ``root``."""
    return list(detect_layout(root).paths)


@dataclass(frozen=True, kw_only=True)
class MypyConfig:
    """The config file mypy itself would read, and its global options."""

    path: str | None
    options: Mapping[str, Any]

    @property
    def names_targets(self) -> bool:
        """Whether it says what to check (``files``, ``packages`` or ``modules``)."""
        return any(self.options.get(key) for key in ("files", "packages", "modules"))


def mypy_config(root: Path) -> MypyConfig:
    """The config mypy would read, looked up in its own order.

    mypy.ini and .mypy.ini are used whenever they exist; pyproject.toml and
    setup.cfg only when they hold a mypy section.
    """
    for name in ("mypy.ini", ".mypy.ini"):
        if (root / name).is_file():
            return MypyConfig(path=name, options=_ini(root / name, "mypy") or {})
    try:
        table = _table(read_pyproject(root), "tool", "mypy")
    except ConfigError:
        table = {}
    if table:
        return MypyConfig(path="pyproject.toml", options=table)
    setup = _ini(root / "setup.cfg", "mypy")
    if setup is not None:
        return MypyConfig(path="setup.cfg", options=setup)
    return MypyConfig(path=None, options={})


def _ini(path: Path, section: str) -> dict[str, str] | None:
    """The options of ``[section]``, or None when the file or section is missing."""
    parser = configparser.RawConfigParser()
    try:
        if not parser.read(path, encoding="utf-8"):
            return None
    except (configparser.Error, UnicodeDecodeError):
        return None
    return dict(parser.items(section)) if parser.has_section(section) else None
