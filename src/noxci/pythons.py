"""Which Python the sessions run on: one rule, cheap enough for ``nox -l``.

1. ``[tool.noxci] python``, when set;
2. else the project's ``.python-version`` (its first version, as ``X.Y``);
3. else the lowest interpreter on the machine that satisfies the
   project's ``requires-python``;
4. else (no ``requires-python``) noxci's default, 3.11.

Finding interpreters costs one ``shutil.which`` per candidate and no
subprocess: a pyenv shim counts only for a version pyenv would select
(``PYENV_VERSION`` or its global ``version`` file), because the shim of a
version that is merely installed fails when run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from noxci.errors import ConfigError
from noxci.pyproject import read_pyproject, user_table

__all__ = [
    "CANDIDATES",
    "DEFAULT_PYTHON",
    "PythonChoice",
    "choose_pythons",
    "installed",
    "python_versions",
    "venv_python",
]

DEFAULT_PYTHON = ("3.11",)
# The minor versions looked for when requires-python decides, lowest first.
CANDIDATES = tuple(f"3.{minor}" for minor in range(8, 16))
_VERSION = re.compile(r"^(?:cpython-|python)?(3\.\d+)(?:\.\d+)?(?:[-+].*)?$")


@dataclass(frozen=True, kw_only=True)
class PythonChoice:
    """The versions, and the words saying where they came from."""

    versions: tuple[str, ...]
    source: str


def _pyenv_selected(env: Mapping[str, str]) -> set[str]:
    """The ``X.Y`` versions pyenv's shims would run, from its cheap sources."""
    names = [v for v in env.get("PYENV_VERSION", "").split(":") if v]
    root = Path(env.get("PYENV_ROOT") or Path.home() / ".pyenv")
    with contextlib.suppress(OSError):
        names += (root / "version").read_text(encoding="utf-8").split()
    found = {_VERSION.match(name) for name in names}
    return {m.group(1) for m in found if m}


def installed(
    version: str,
    env: Mapping[str, str],
    which: Callable[..., str | None] = shutil.which,
) -> bool:
    """Whether ``python<version>`` runs on this machine (no subprocess)."""
    found = which(f"python{version}", path=env.get("PATH"))
    if found is None:
        return False
    if Path(found).parent.name == "shims":  # pyenv (or asdf): selected versions only
        return version in _pyenv_selected(env)
    return True


def _python_version_file(root: Path) -> str | None:
    path = root / ".python-version"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text:
            match = _VERSION.match(text)
            if match is None:
                raise ConfigError(
                    f".python-version: {text!r} is not a CPython 3.X version; "
                    'set [tool.noxci] python = ["3.X"] instead'
                )
            return match.group(1)
    return None


def _satisfies(spec: str, version: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        allowed = SpecifierSet(spec)
    except InvalidSpecifier:
        raise ConfigError(
            f"pyproject.toml: requires-python {spec!r} is not a version specifier"
        ) from None
    # A minor version qualifies when one of its releases does (">=3.12.2").
    return any(allowed.contains(f"{version}.{patch}") for patch in (0, 99))


def choose_pythons(
    root: Path,
    env: Mapping[str, str] | None = None,
    which: Callable[..., str | None] = shutil.which,
) -> PythonChoice:
    """The session Pythons for the project at ``root``, and why (the rule above)."""
    env = os.environ if env is None else env
    configured = user_table(root).get("python")
    if configured is not None:
        if not (
            isinstance(configured, list)
            and configured
            and all(isinstance(v, str) for v in configured)
        ):
            raise ConfigError(
                'pyproject.toml: [tool.noxci] python must be a list of versions, e.g. ["3.12"]'
            )
        return PythonChoice(versions=tuple(configured), source="[tool.noxci] python")
    pinned = _python_version_file(root)
    if pinned:
        return PythonChoice(versions=(pinned,), source=".python-version")
    project = read_pyproject(root).get("project", {})
    spec = project.get("requires-python") if isinstance(project, dict) else None
    if not isinstance(spec, str) or not spec.strip():
        return PythonChoice(versions=DEFAULT_PYTHON, source="noxci's default")
    allowed = [v for v in CANDIDATES if _satisfies(spec, v)]
    if not allowed:
        raise ConfigError(
            f"pyproject.toml: requires-python {spec!r} allows no Python 3.8 to "
            f"{CANDIDATES[-1]}; set [tool.noxci] python"
        )
    found = next((v for v in allowed if installed(v, env, which)), None)
    if found is None:
        # Nothing installed fits: name the lowest allowed, so the session
        # fails saying which interpreter it needs.
        return PythonChoice(
            versions=(allowed[0],),
            source=f"requires-python {spec!r} (no such interpreter found)",
        )
    return PythonChoice(
        versions=(found,),
        source=f"the lowest installed Python that satisfies requires-python {spec!r}",
    )


def python_versions(root: Path) -> tuple[str, ...]:
    """:func:`choose_pythons`, leniently, for the noxfile at import time.

    Full validation happens when a session runs; here a bad value falls back
    to the default so that ``nox -l`` still lists the sessions.
    """
    try:
        versions = choose_pythons(root).versions
    except ConfigError:
        return DEFAULT_PYTHON
    return versions


def venv_python(venv: Path, *, full: bool = False) -> str | None:
    """The ``X.Y`` version a venv was made with (``X.Y.Z`` if ``full``), from its ``pyvenv.cfg``."""
    try:
        text = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in {"version_info", "version"}:
            match = re.match(r"(\d+\.\d+)(\.\d+)?", value.strip())
            if match:
                return match.group(0) if full else match.group(1)
    return None
