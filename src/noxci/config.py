"""``[tool.noxci]``: read once, validated, turned into frozen typed objects.

Defaults live in ``schemas/defaults.toml``; the user's table overrides them
key by key; the merged table is validated by ``schemas/config.schema.json``
and by the cross-key rules below. Any problem is one line naming the key.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from noxci.errors import ConfigError

__all__ = [
    "JOBS",
    "BuildConfig",
    "Config",
    "DocsConfig",
    "IgnoredAdvisory",
    "JobConfig",
    "LintConfig",
    "McpConfig",
    "McpServerSpec",
    "QualityWeights",
    "ReadinessConfig",
    "SafeTool",
    "SecurityConfig",
    "SecurityPenalties",
    "SmokeCheck",
    "SmokeConfig",
    "TestsConfig",
    "TypecheckConfig",
    "WorkflowsConfig",
    "find_root",
    "load_config",
    "read_pyproject",
]

COMPONENTS = ("ci", "coverage", "security", "quality")


@dataclass(frozen=True, kw_only=True)
class JobConfig:
    """What every job has: blocking, timeout, install group, inputs."""

    blocking: bool
    timeout: float
    group: str
    tools: tuple[str, ...]
    install_project: bool
    cache: bool | str
    inputs: tuple[str, ...]
    inputs_exclude: tuple[str, ...]
    env: tuple[str, ...]

    @property
    def digest_globs(self) -> tuple[str, ...]:
        """The files the job's inputs digest covers: ``inputs`` and what the job itself reads."""
        return self.inputs


@dataclass(frozen=True, kw_only=True)
class LintConfig(JobConfig):
    """``[tool.noxci.lint]``."""

    formatter: str
    paths: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class TypecheckConfig(JobConfig):
    """``[tool.noxci.typecheck]``."""

    paths: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class TestsConfig(JobConfig):
    """``[tool.noxci.tests]``."""

    __test__ = False  # not a pytest test class, despite the name

    workers: int | str
    serial_below_s: float
    reruns: int
    reruns_delay: float
    coverage_min: float | None = None
    branch: bool
    source: tuple[str, ...]
    hash_seed: str


@dataclass(frozen=True, kw_only=True)
class BuildConfig(JobConfig):
    """``[tool.noxci.build]``."""

    out_dir: str


@dataclass(frozen=True, kw_only=True)
class DocsConfig(JobConfig):
    """``[tool.noxci.docs]``."""

    paths: tuple[str, ...]
    required_files: tuple[str, ...]
    fail_under: float

    @property
    def digest_globs(self) -> tuple[str, ...]:
        """``inputs`` plus the required files: adding or deleting one changes the result."""
        return (*self.inputs, *self.required_files)


@dataclass(frozen=True, kw_only=True)
class IgnoredAdvisory:
    """An advisory the project accepts, and why."""

    id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class SecurityConfig(JobConfig):
    """``[tool.noxci.security]``."""

    paths: tuple[str, ...]
    bandit_severity: str
    bandit_confidence: str
    vulnerability_service: str
    ignore: tuple[IgnoredAdvisory, ...]
    sbom: bool


@dataclass(frozen=True, kw_only=True)
class SmokeCheck:
    """One API check of the smoke test."""

    name: str
    path: str
    method: str = "GET"
    status: int = 200
    json_keys: tuple[str, ...] = ()
    max_latency_ms: float | None = None


@dataclass(frozen=True, kw_only=True)
class SmokeConfig(JobConfig):
    """``[tool.noxci.smoke]``."""

    url_env: str
    database_url_env: str
    health_path: str
    attempts: int
    backoff: float
    request_timeout: float
    embedded: bool
    notify: bool
    checks: tuple[SmokeCheck, ...]


@dataclass(frozen=True, kw_only=True)
class SafeTool:
    """A tool the MCP dry run may call, with sample arguments."""

    name: str
    arguments: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    expect_keys: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class McpServerSpec:
    """An MCP server to dry-run."""

    name: str
    command: tuple[str, ...] = ()
    url: str | None = None
    env: Mapping[str, str] = dataclasses.field(default_factory=dict)
    timeout: float = 60.0
    safe_tools: tuple[SafeTool, ...] = ()


@dataclass(frozen=True, kw_only=True)
class McpConfig(JobConfig):
    """``[tool.noxci.mcp]``."""

    servers: tuple[McpServerSpec, ...]
    allow_sessions: tuple[str, ...]
    run_timeout: float


@dataclass(frozen=True, kw_only=True)
class WorkflowsConfig(JobConfig):
    """``[tool.noxci.workflows]``."""

    paths: tuple[str, ...]
    allowed_actions: tuple[str, ...]


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
    workflow: str
    history_limit: int
    weights: Mapping[str, float]
    bands: Mapping[str, float]
    minimums: Mapping[str, float]
    security_penalties: SecurityPenalties
    quality: QualityWeights


@dataclass(frozen=True, kw_only=True)
class Config:
    """The whole of ``[tool.noxci]`` with defaults applied."""

    root: Path
    python: tuple[str, ...]
    reports_dir: Path
    readiness_dir: Path
    default_branch: str
    install_retries: int
    lint: LintConfig
    typecheck: TypecheckConfig
    tests: TestsConfig
    build: BuildConfig
    docs: DocsConfig
    security: SecurityConfig
    smoke: SmokeConfig
    mcp: McpConfig
    workflows: WorkflowsConfig
    readiness: ReadinessConfig

    @property
    def output_dirs(self) -> tuple[str, ...]:
        """Noxci's own output directories, relative: never a job's input."""
        return tuple(
            path.relative_to(self.root).as_posix()
            for path in (self.reports_dir, self.readiness_dir)
            if path.is_relative_to(self.root)
        )

    def job(self, name: str) -> JobConfig:
        """The config of job ``name``."""
        if name not in JOBS:
            raise ConfigError(f"unknown job {name!r}; jobs are {', '.join(JOBS)}")
        job: JobConfig = getattr(self, name)
        return job


# In the order the readiness table shows them.
JOBS: dict[str, type[JobConfig]] = {
    "lint": LintConfig,
    "typecheck": TypecheckConfig,
    "tests": TestsConfig,
    "docs": DocsConfig,
    "security": SecurityConfig,
    "build": BuildConfig,
    "mcp": McpConfig,
    "workflows": WorkflowsConfig,
    "smoke": SmokeConfig,
}

_T = TypeVar("_T")


def find_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding a pyproject.toml."""
    for candidate in (start, *start.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate
    raise ConfigError(
        f"no pyproject.toml in {start} or above; run noxci from the project"
    )


@functools.cache
def read_pyproject(root: Path) -> Mapping[str, Any]:
    """Parse ``root/pyproject.toml`` (cached: it is read once per process)."""
    path = root / "pyproject.toml"
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found; noxci needs a pyproject.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


@functools.cache
def _defaults() -> Mapping[str, Any]:
    text = resources.files("noxci.schemas").joinpath("defaults.toml").read_text()
    return tomllib.loads(text)


def user_table(root: Path) -> Mapping[str, Any]:
    """The raw ``[tool.noxci]`` table (empty when absent)."""
    tool = read_pyproject(root).get("tool", {})
    table = tool.get("noxci", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError("pyproject.toml: [tool.noxci] must be a table")
    return table


def python_versions(root: Path) -> tuple[str, ...]:
    """The configured Python versions, cheaply, for the noxfile at import time.

    Full validation happens when a session runs; here a bad value falls back
    to the default so that ``nox -l`` still lists the sessions.
    """
    try:
        value = user_table(root).get("python", _defaults()["python"])
    except ConfigError:
        value = None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return tuple(_defaults()["python"])


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


def _unknown_keys(
    table: Mapping[str, Any], schema: Mapping[str, Any], path: tuple[str, ...]
) -> None:
    """Reject keys the schema does not know, suggesting the closest one."""
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
        if isinstance(value, dict):
            _unknown_keys(value, known[key], (*path, key))


def _schema_check(merged: Mapping[str, Any]) -> None:
    from noxci.schema import first_error

    error = first_error("config", merged)
    if error is None:
        return
    path, message = error
    keys = [part for part in path if isinstance(part, str)]
    indexes = "".join(f"[{part}]" for part in path[len(keys) :])
    where = _section(tuple(keys[:-1])) + (f" {keys[-1]}{indexes}" if keys else "")
    raise ConfigError(f"pyproject.toml: {where}: {message}")


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


def _build(cls: type[_T], table: Mapping[str, Any], **extra: Any) -> _T:
    """Fill dataclass ``cls`` from a kebab-case table; lists become tuples."""
    values: dict[str, Any] = dict(extra)
    for item in dataclasses.fields(cls):  # type: ignore[arg-type]
        key = item.name.replace("_", "-")
        if item.name in values or key not in table:
            continue
        value = table[key]
        values[item.name] = tuple(value) if isinstance(value, list) else value
    return cls(**values)


def load_config(root: Path) -> Config:
    """Read, merge, validate and type ``[tool.noxci]`` of the project at ``root``."""
    user = user_table(root)
    from noxci.schema import load_schema

    _unknown_keys(user, load_schema("config"), ())
    merged = _merge(_defaults(), user)
    _schema_check(merged)
    _semantic_check(merged)
    readiness = merged["readiness"]
    return Config(
        root=root,
        python=tuple(merged["python"]),
        reports_dir=root / merged["reports-dir"],
        readiness_dir=root / merged["readiness-dir"],
        default_branch=merged["default-branch"],
        install_retries=merged["install-retries"],
        readiness=_build(
            ReadinessConfig,
            readiness,
            weights={k: float(v) for k, v in readiness["weights"].items()},
            bands={k: float(v) for k, v in readiness["bands"].items()},
            minimums={k: float(v) for k, v in readiness["minimums"].items()},
            security_penalties=_build(
                SecurityPenalties, readiness["security-penalties"]
            ),
            quality=_build(QualityWeights, readiness["quality"]),
        ),
        lint=_build(LintConfig, merged["lint"]),
        typecheck=_build(TypecheckConfig, merged["typecheck"]),
        tests=_build(TestsConfig, merged["tests"]),
        build=_build(BuildConfig, merged["build"]),
        docs=_build(DocsConfig, merged["docs"]),
        security=_build(
            SecurityConfig,
            merged["security"],
            ignore=tuple(
                IgnoredAdvisory(**item) for item in merged["security"]["ignore"]
            ),
        ),
        workflows=_build(WorkflowsConfig, merged["workflows"]),
        mcp=_build(
            McpConfig,
            merged["mcp"],
            servers=tuple(
                _build(
                    McpServerSpec,
                    server,
                    safe_tools=tuple(
                        _build(SafeTool, tool) for tool in server.get("safe-tools", [])
                    ),
                )
                for server in merged["mcp"]["servers"]
            ),
        ),
        smoke=_build(
            SmokeConfig,
            merged["smoke"],
            checks=tuple(
                _build(SmokeCheck, item) for item in merged["smoke"]["checks"]
            ),
        ),
    )
