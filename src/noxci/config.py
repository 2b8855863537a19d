"""``[tool.noxci]``: read, validated, turned into frozen typed objects.

Defaults come from ``schemas/defaults.toml`` and, for each job, from its
registry entry and its ``Settings`` (:mod:`noxci.configschema`); the user's
table overrides them key by key; the merged table is validated by the
schema and by the cross-key rules below. Any problem is one line naming the
key. pyproject.toml is re-read when it changes, so a long-running process
(``noxci mcp``, ``noxci serve``) sees edits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from noxci.errors import ConfigError
from noxci.jobconfig import JobConfig, build_settings
from noxci.pyproject import find_root, read_pyproject, user_table
from noxci.pythons import DEFAULT_PYTHON, choose_pythons, python_versions

__all__ = [
    "DEFAULT_PYTHON",
    "STATE_DIR",
    "Config",
    "NetworkLimits",
    "QualityWeights",
    "ReadinessConfig",
    "SecurityPenalties",
    "find_root",
    "load_config",
    "python_versions",
    "read_pyproject",
    "user_table",
]

_J = TypeVar("_J", bound=JobConfig)
STATE_DIR = ".noxci"  # what noxci keeps between runs, in the project (git-ignored)


@dataclass(frozen=True, kw_only=True)
class SecurityPenalties:
    """Points the security component loses per problem."""

    bandit_high: float
    bandit_medium: float
    bandit_low: float
    bandit_error: float
    vulnerability: float
    unaudited_package: float
    pip_check: float


@dataclass(frozen=True, kw_only=True)
class QualityWeights:
    """How the quality component's 100 points split."""

    lint: float
    typecheck: float
    docs: float
    mypy_error_penalty: float


@dataclass(frozen=True, kw_only=True)
class ReadinessConfig:
    """``[tool.noxci.readiness]``."""

    threshold: float
    ci_runs: int
    ci_cache_hours: float
    workflow: str
    history_limit: int
    weights: Mapping[str, float]
    bands: Mapping[str, float]
    minimums: Mapping[str, float]
    security_penalties: SecurityPenalties
    quality: QualityWeights


@dataclass(frozen=True, kw_only=True)
class NetworkLimits:
    """How long a network call may wait (``network-max-wait``, ``network-budget``)."""

    max_wait: float = 10.0  # the longest single wait before a retry
    budget: float = 30.0  # all attempts and waits of one call


@dataclass(frozen=True, kw_only=True)
class Config:
    """The whole of ``[tool.noxci]`` with defaults applied."""

    root: Path
    python: tuple[str, ...]
    reports_dir: Path
    readiness_dir: Path
    local_readiness_dir: Path
    default_branch: str
    install_retries: int
    max_file_size: int
    network: NetworkLimits
    readiness: ReadinessConfig
    jobs: Mapping[str, JobConfig]
    project_name: str

    @property
    def output_dirs(self) -> tuple[str, ...]:
        """Noxci's own output directories, relative: never a job's input.

        ``.noxci`` holds what noxci keeps between runs (the incremental tests'
        state, the local dashboard).
        """
        kept = self.root / STATE_DIR
        return tuple(
            path.relative_to(self.root).as_posix()
            for path in (
                self.reports_dir,
                self.readiness_dir,
                self.local_readiness_dir,
                kept,
            )
            if path.is_relative_to(self.root)
        )

    def job(self, name: str) -> JobConfig:
        """The config of job ``name``."""
        try:
            return self.jobs[name]
        except KeyError:
            raise ConfigError(
                f"unknown job {name!r}; jobs are {', '.join(self.jobs)}"
            ) from None

    def settings(self, name: str, kind: type[_J]) -> _J:
        """The config of job ``name``, as its own ``Settings`` type."""
        cfg = self.job(name)
        if not isinstance(cfg, kind):
            raise TypeError(
                f"job {name!r} has {type(cfg).__name__}, not {kind.__name__}"
            )
        return cfg


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def _section(path: tuple[str, ...]) -> str:
    return "[" + ".".join(("tool", "noxci", *path)) + "]"


def _where(path: tuple[str | int, ...]) -> str:
    keys = [part for part in path if isinstance(part, str)]
    indexes = "".join(f"[{part}]" for part in path[len(keys) :])
    return _section(tuple(keys[:-1])) + (f" {keys[-1]}{indexes}" if keys else "")


def _unknown_keys(
    table: Mapping[str, Any], schema: Mapping[str, Any], path: tuple[str, ...]
) -> None:
    """Reject keys the schema does not know, suggesting the closest one."""
    import difflib

    known = schema.get("properties", {})
    for key, value in table.items():
        if key not in known:
            hint = difflib.get_close_matches(key, list(known), n=1)
            suggestion = (
                f"; did you mean {hint[0]!r}?"
                if hint
                else f"; known keys: {', '.join(sorted(known))}"
            )
            raise ConfigError(
                f"pyproject.toml: {_section(path)} has unknown key {key!r}{suggestion}"
            )
        if isinstance(value, dict) and "properties" in known[key]:
            _unknown_keys(value, known[key], (*path, key))


def _finite(value: Any, path: tuple[str | int, ...]) -> None:
    """TOML allows nan and inf; no noxci setting does."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(
            f"pyproject.toml: {_where(path)}: {value} is not a finite number"
        )
    if isinstance(value, dict):
        for key, item in value.items():
            _finite(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _finite(item, (*path, index))


def _schema_check(merged: Mapping[str, Any]) -> None:
    from noxci import fsutil

    text = fsutil.canonical(merged)
    if text in _VALID:
        return  # validated already in this process (preflight, then its gate)
    from noxci.schema import first_error

    error = first_error("config", merged)
    if error is not None:
        path, message = error
        raise ConfigError(f"pyproject.toml: {_where(path)}: {message}")
    _VALID.add(text)


# The merged configs found valid: validating one costs tens of milliseconds.
_VALID: set[str] = set()


def _semantic_check(merged: Mapping[str, Any]) -> None:
    readiness = merged["readiness"]
    total = sum(readiness["weights"].values())
    if abs(total - 100) > 1e-9:
        raise ConfigError(
            f"pyproject.toml: [tool.noxci.readiness.weights] must sum to 100, not {total:g}"
        )
    bands = readiness["bands"]
    if not bands["excellent"] >= bands["good"] >= bands["fair"]:
        raise ConfigError(
            "pyproject.toml: [tool.noxci.readiness.bands] must satisfy "
            "excellent >= good >= fair"
        )
    quality = readiness["quality"]
    split = quality["lint"] + quality["typecheck"] + quality["docs"]
    if abs(split - 100) > 1e-9:
        raise ConfigError(
            "pyproject.toml: [tool.noxci.readiness.quality] lint + typecheck + docs "
            f"must sum to 100, not {split:g}"
        )


def _readiness(table: Mapping[str, Any]) -> ReadinessConfig:
    floats = {
        name: {k: float(v) for k, v in table[name].items()}
        for name in ("weights", "bands", "minimums")
    }
    return build_settings(
        ReadinessConfig,
        {
            **table,
            **floats,
            "security-penalties": build_settings(
                SecurityPenalties, table["security-penalties"]
            ),
            "quality": build_settings(QualityWeights, table["quality"]),
        },
    )


# Where a flat layout that setuptools discovers by itself would take reports/
# and readiness/ for packages (it refuses to build with several): directories
# it skips, as it skips every name that starts with a dot.
_OUT_OF_SETUPTOOLS_WAY = {
    "reports-dir": ".noxci/reports",
    "readiness-dir": ".readiness",
}


def _output_dirs(
    root: Path, user: Mapping[str, Any], default: Mapping[str, Any]
) -> dict[str, str]:
    """The output directories the project leaves unset, moved out of setuptools' way.

    Only where setuptools discovers a package already: beside it, reports/
    would be a second one, and the project would no longer build.
    """
    from noxci.layout import setuptools_packages

    unset = {k: v for k, v in _OUT_OF_SETUPTOOLS_WAY.items() if k not in user}
    if not unset:
        return {}
    ours = {str(default[key]) for key in _OUT_OF_SETUPTOOLS_WAY}  # an earlier run's
    return unset if setuptools_packages(root, ignore=ours) else {}


def load_config(root: Path) -> Config:
    """Read, merge, validate and type ``[tool.noxci]`` of the project at ``root``."""
    from noxci.configschema import config_schema, defaults, settings_class
    from noxci.registry import JOBS

    user = user_table(root)
    _unknown_keys(user, config_schema(), ())
    _finite(user, ())
    base = defaults()
    merged = _merge({**base, **_output_dirs(root, user, base)}, user)
    _schema_check(merged)
    _semantic_check(merged)
    name = read_pyproject(root).get("project", {}).get("name")
    return Config(
        root=root,
        python=(
            tuple(merged["python"])
            if "python" in merged
            else choose_pythons(root).versions
        ),
        reports_dir=root / merged["reports-dir"],
        readiness_dir=root / merged["readiness-dir"],
        local_readiness_dir=root / merged["local-readiness-dir"],
        default_branch=merged["default-branch"],
        install_retries=merged["install-retries"],
        max_file_size=merged["max-file-size"],
        network=NetworkLimits(
            max_wait=float(merged["network-max-wait"]),
            budget=float(merged["network-budget"]),
        ),
        readiness=_readiness(merged["readiness"]),
        jobs={
            spec.name: build_settings(settings_class(spec), merged[spec.name])
            for spec in JOBS
        },
        project_name=str(name) if name else root.name,
    )
