"""The job registry: one record per job, and everything else derived from it.

A job is one :class:`JobSpec` here plus one module, ``noxci.jobs.<name>``,
that exposes ``run(ctx) -> Outcome`` and ``Settings`` (its config keys).
From these records come the nox sessions (:func:`noxci.sessions.register`),
the job tables of the config schema and docs/configuration.md, the readiness
components and the order of the readiness table, the CI workflow and its
matrix, and (through ``nox -l``) the IDE files.

This module is imported by every noxfile, for ``nox -l`` too: it holds data
only and imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "COMMANDS",
    "COMPONENTS",
    "JOBS",
    "ComponentSpec",
    "JobSpec",
    "ci_jobs",
    "component_jobs",
    "component_label",
    "job_sessions",
    "job_spec",
    "registered_jobs",
    "session_clash",
]

PYTHON_FILES = ("**/*.py", "**/*.pyi")
PROSE = ("docs/**", ".github/**", "**/*.md", "**/*.rst")


@dataclass(frozen=True, kw_only=True)
class JobSpec:
    """What noxci knows of a job before it runs (the defaults of its shared keys).

    ``after`` places the job in the CI graph: empty means it runs in the
    parallel matrix; otherwise the jobs (or ``readiness``) it waits for.
    ``python`` is ``default`` (the first configured version), ``matrix``
    (every configured version, ``tests-3.12`` ...) or ``none`` (no venv).
    ``applies`` names a predicate in :data:`_APPLIES`: the job is registered
    only where it can run (an MCP server configured, workflows present).
    ``tools_only``: the job's tools need nothing of its group (interrogate
    reads the source; a ``docs`` group is Sphinx): install just the tools.
    """

    name: str
    description: str
    blocking: bool = True
    group: str = ""
    aliases: tuple[str, ...] = ()
    component: str | None = None
    inputs: tuple[str, ...] = ("**",)
    inputs_exclude: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    install_project: bool = False
    cache: bool | Literal["daily"] = True
    timeout: float = 900.0
    ci: bool = True
    ci_minutes: int = 15
    after: tuple[str, ...] = ()
    python: Literal["default", "matrix", "none"] = "default"
    applies: str | None = None
    changes_files: bool = False
    sarif: str = ""  # uploaded to code scanning: reports/<session>.<sarif>
    tools_only: bool = False
    combines: bool = False  # its parts (shards, Pythons) are combined into one report

    @property
    def module(self) -> str:
        """The module that runs the job."""
        return f"noxci.jobs.{self.name}"

    def sessions(self, pythons: Sequence[str]) -> list[str]:
        """The nox sessions the job registers: ``tests``, or ``tests-3.11``, ``tests-3.12`` ..."""
        if self.python == "matrix" and len(pythons) > 1:
            return [f"{self.name}-{version}" for version in pythons]
        return [self.name]

    def nox_session(self, pythons: Sequence[str]) -> dict[str, Any]:
        """The arguments of ``nox.session`` for this job: its Pythons, tags, parallelism."""
        python: object = {
            "none": False,
            "default": pythons[0],
            "matrix": pythons[0] if len(pythons) == 1 else list(pythons),
        }[self.python]
        return {
            "name": self.name,
            "python": python,
            "tags": ["ci"] if self.ci else [],
            "allow_parallel": self.python != "none",
        }

    @property
    def install_group(self) -> str:
        """The dependency group the job installs by default."""
        return self.group or self.name

    def shared_defaults(self) -> dict[str, Any]:
        """The job's defaults for the keys every job has (kebab-case, as in TOML)."""
        return {
            "blocking": self.blocking,
            "timeout": self.timeout,
            "group": self.install_group,
            "tools": list(self.tools),
            "install-project": self.install_project,
            "cache": self.cache,
            "inputs": list(self.inputs),
            "inputs-exclude": list(self.inputs_exclude),
            "env": list(self.env),
        }


@dataclass(frozen=True, kw_only=True)
class ComponentSpec:
    """One weighted part of the readiness score."""

    name: str
    label: str


COMPONENTS: tuple[ComponentSpec, ...] = (
    ComponentSpec(name="ci", label="CI pass rate"),
    ComponentSpec(name="coverage", label="Test coverage"),
    ComponentSpec(name="security", label="Security"),
    ComponentSpec(name="quality", label="Code quality"),
)

# In the order the readiness table shows them.
JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        name="lint",
        description="Lint and format check: ruff check (or the project's flake8), then black or ruff format in check mode.",
        sarif="ruff.sarif",
        component="quality",
        tools=("ruff==0.17.6", "black==26.10.1", "flake8==7.3.0"),
        inputs=(
            *PYTHON_FILES,
            "pyproject.toml",
            "ruff.toml",
            ".ruff.toml",
            "setup.cfg",
            "tox.ini",
            ".flake8",
            ".pre-commit-config.yaml",
            "uv.lock",
        ),
    ),
    JobSpec(
        name="typecheck",
        description="Type check with mypy; the error count is recorded (non-blocking).",
        component="quality",
        blocking=False,
        aliases=("typing", "mypy"),
        tools=("mypy==2.4.1",),
        install_project=True,
        inputs=(
            *PYTHON_FILES,
            "**/py.typed",
            "pyproject.toml",
            "mypy.ini",
            ".mypy.ini",
            "setup.cfg",
            "uv.lock",
        ),
    ),
    JobSpec(
        name="tests",
        description="Tests: pytest with xdist, failures re-run twice, branch coverage with a minimum.",
        component="coverage",
        aliases=("test", "testing"),
        tools=(
            "pytest==9.2.0",
            "pytest-xdist==3.8.0",
            "pytest-reportlog==1.0.0",
            "coverage==7.17.5",
        ),
        install_project=True,
        timeout=1800.0,
        ci_minutes=30,
        python="matrix",
        combines=True,
        env=("PYTHONHASHSEED",),
        inputs_exclude=PROSE,
    ),
    JobSpec(
        name="docs",
        description="Documentation completeness: docstring coverage and README/LICENSE/CHANGELOG.",
        component="quality",
        blocking=False,
        aliases=("doc",),
        tools=("interrogate==1.7.0",),
        tools_only=True,
        timeout=300.0,
        inputs=(
            "**/*.py",
            "README*",
            "LICENSE*",
            "CHANGELOG*",
            "pyproject.toml",
            "uv.lock",
        ),
    ),
    JobSpec(
        name="security",
        description="Security: bandit, pip-audit of the locked dependencies, uv pip check, SBOM (non-blocking).",
        component="security",
        blocking=False,
        tools=("bandit==1.9.4", "pip-audit==2.10.1"),
        cache="daily",
        env=("NOXCI_VULN_SERVICE",),
        inputs=("**/*.py", "pyproject.toml", "uv.lock", "requirements*.txt", ".bandit"),
    ),
    JobSpec(
        name="build",
        description="Build the sdist and wheel with uv build; their hashes go in the report.",
        after=("readiness", "mcp"),
        env=("SOURCE_DATE_EPOCH",),
        inputs_exclude=(".github/**",),
    ),
    JobSpec(
        name="mcp",
        description="MCP dry run: start the configured servers, validate their tools, call the safe ones.",
        applies="mcp-servers",
        after=("lint", "tests"),
        install_project=True,
        timeout=1200.0,
        ci_minutes=20,
        inputs_exclude=("docs/**", ".github/**", "**/*.md"),
    ),
    JobSpec(
        name="workflows",
        description="Workflows check: zizmor (offline, pedantic) and the thin-wrapper rule.",
        sarif="zizmor.sarif",
        applies="github-workflows",
        tools=("zizmor==1.32.0",),
        timeout=300.0,
        inputs=(".github/**", "noxfile.py", "pyproject.toml", "uv.lock"),
    ),
    JobSpec(
        name="smoke",
        description="Staging smoke test: health, API and DB checks, 3 attempts with backoff; Slack on failure.",
        ci=False,
        cache=False,
        python="none",
        timeout=600.0,
        ci_minutes=10,
        env=("STAGING_URL", "DATABASE_URL"),
        inputs=("pyproject.toml",),
    ),
    JobSpec(
        name="fmt",
        description="Apply ruff check --fix and the formatter: the one session that changes files.",
        ci=False,
        cache=False,
        group="lint",
        tools=("ruff==0.17.6", "black==26.10.1"),
        changes_files=True,
        inputs=(*PYTHON_FILES, "pyproject.toml"),
    ),
)


# The sessions that are not jobs: the noxci subcommand each runs ("" when it
# runs in nox's own process) and the line `nox -l` shows.
COMMANDS: Mapping[str, tuple[str, str]] = {
    "readiness": (
        "readiness",
        "Readiness gate: score the reports (40/30/20/10 by default), write the dashboard, fail below the threshold.",
    ),
    "comment": (
        "comment",
        "Post or edit the sticky PR comment from readiness.json (workflow_run, fork-safe).",
    ),
    "preflight": (
        "",
        "Run every CI job in parallel, then the readiness gate: what CI runs.",
    ),
    "lock": (
        "lock",
        "Refresh uv.lock and requirements.txt (under CI: fail if they drifted).",
    ),
    "ide": (
        "ide",
        "Write VS Code tasks and PyCharm run configurations, one per session.",
    ),
    "matrix": (
        "",
        "Print the CI job matrix: the ci-tagged sessions (a step output under Actions).",
    ),
}


def _has_mcp_servers(root: Path, table: Mapping[str, Any]) -> bool:
    mcp = table.get("mcp")
    return isinstance(mcp, dict) and bool(mcp.get("servers"))


def _has_workflows(root: Path, table: Mapping[str, Any]) -> bool:
    """Workflows that run noxci's sessions: its rules are for those.

    A project adopting noxci keeps its tox or plain-pytest workflows until
    it moves them to ``nox -s``; they are not noxci's to judge (and a
    blocking job failing on them would hold its gate shut). A text search,
    cheap enough for ``nox -l``; ``register(workflows=True)`` forces it in.
    """
    directory = root / ".github" / "workflows"
    if not directory.is_dir():
        return False
    for path in directory.iterdir():
        if path.suffix in {".yml", ".yaml"} and path.is_file():
            try:
                if "nox -s" in path.read_text(encoding="utf-8", errors="replace"):
                    return True
            except OSError:
                continue
    return False


_APPLIES = {"mcp-servers": _has_mcp_servers, "github-workflows": _has_workflows}


def job_spec(name: str) -> JobSpec:
    """The spec of job ``name``; KeyError names the known jobs."""
    for spec in JOBS:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown job {name!r}; jobs are {', '.join(s.name for s in JOBS)}")


def registered_jobs(
    root: Path, table: Mapping[str, Any], include: Mapping[str, bool] | None = None
) -> list[JobSpec]:
    """The jobs that apply to the project at ``root`` (``include`` overrides)."""
    include = include or {}
    chosen = []
    for spec in JOBS:
        wanted = include.get(spec.name)
        if wanted is None:
            wanted = spec.applies is None or _APPLIES[spec.applies](root, table)
        if wanted:
            chosen.append(spec)
    return chosen


def ci_jobs(specs: list[JobSpec] | tuple[JobSpec, ...] = JOBS) -> list[JobSpec]:
    """The jobs CI (and preflight) runs."""
    return [spec for spec in specs if spec.ci]


def job_sessions(pythons: Sequence[str]) -> frozenset[str]:
    """Every session name a job can have with these Python versions."""
    return frozenset(name for spec in JOBS for name in spec.sessions(pythons))


def component_label(component: str) -> str:
    """The label noxci shows for a score component (never one read from a file)."""
    for spec in COMPONENTS:
        if spec.name == component:
            return spec.label
    return component


def component_jobs(component: str) -> tuple[str, ...]:
    """The jobs whose reports the score component ``component`` reads."""
    return tuple(spec.name for spec in JOBS if spec.component == component)


def session_clash(
    existing: Collection[str], jobs: Sequence[JobSpec], commands: Iterable[str]
) -> str | None:
    """Why noxci cannot register its sessions beside the noxfile's, or None.

    nox lets a later session of the same name replace an earlier one with
    only a FutureWarning: noxci's ``lint`` would silently replace the
    project's. A clash is an error that says how to rename.
    """
    ours = [spec.name for spec in jobs] + list(commands)
    taken = [name for name in ours if name in existing]
    if not taken:
        return None
    jobs_named = {spec.name for spec in jobs}
    first = taken[0]
    leave_out = ", ".join(f"{name}=False" for name in taken if name in jobs_named)
    how = f'rename yours (@nox.session(name="{first}-project"))'
    if leave_out:
        how += f", or leave noxci's out: noxci.sessions.register({leave_out})"
    return (
        f"the noxfile already has session(s) {', '.join(map(repr, taken))}, "
        f"which noxci registers too; {how}"
    )
