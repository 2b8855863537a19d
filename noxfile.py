"""noxci's own CI, run by noxci: every CI job is one of these sessions.

Each session only installs and calls into noxci; the logic lives in
src/noxci. `nox -l` lists them; `nox -s preflight` runs what CI runs.
"""

from __future__ import annotations

import nox

import noxci.sessions as ci

nox.needs_version = ">=2026.10.20"
nox.options.default_venv_backend = "uv"
nox.options.download_python = "never"
# Safe with noxci: every session re-syncs its venv from uv.lock (uv sync
# --locked is exact), so a reused venv is never stale, only faster.
nox.options.reuse_venv = "yes"
nox.options.error_on_external_run = True
nox.options.sessions = ["preflight"]

PYTHON = ci.default_python()


@nox.session(python=PYTHON, tags=["ci"], allow_parallel=True)
def lint(session: nox.Session) -> None:
    """Lint and format check: ruff check and black --check."""
    ci.job(session, "lint")


@nox.session(python=PYTHON, tags=["ci"], allow_parallel=True)
def typecheck(session: nox.Session) -> None:
    """Type check with mypy; the error count is recorded (non-blocking)."""
    ci.job(session, "typecheck")


@nox.session(python=ci.test_pythons(), tags=["ci"], allow_parallel=True)
def tests(session: nox.Session) -> None:
    """Tests: pytest with xdist, failures re-run twice, branch coverage with a minimum."""
    ci.job(session, "tests")


@nox.session(python=PYTHON, tags=["ci"], allow_parallel=True)
def docs(session: nox.Session) -> None:
    """Documentation completeness: docstring coverage and README/LICENSE/CHANGELOG."""
    ci.job(session, "docs")


@nox.session(python=PYTHON, tags=["ci"], allow_parallel=True)
def security(session: nox.Session) -> None:
    """Security: bandit (medium+), pip-audit of uv.lock, uv pip check, SBOM (non-blocking)."""
    ci.job(session, "security")


@nox.session(python=PYTHON, tags=["ci"], allow_parallel=True)
def build(session: nox.Session) -> None:
    """Build the sdist and wheel with uv build; hashes go in the report."""
    ci.job(session, "build")


@nox.session(python=PYTHON, tags=["ci"], allow_parallel=True)
def mcp(session: nox.Session) -> None:
    """MCP dry run: start `noxci mcp`, list and validate its tools, call the safe ones."""
    ci.job(session, "mcp")


@nox.session(python=PYTHON, tags=["ci"], allow_parallel=True)
def workflows(session: nox.Session) -> None:
    """Workflows check: zizmor (offline, pedantic) and the thin-wrapper rule."""
    ci.job(session, "workflows")


@nox.session(python=False)
def ide(session: nox.Session) -> None:
    """Write VS Code tasks and PyCharm run configurations, one per session."""
    ci.ide(session)


@nox.session(python=False)
def smoke(session: nox.Session) -> None:
    """Staging smoke test: health, API and DB checks, 3 attempts; Slack on failure."""
    ci.job(session, "smoke")


@nox.session(python=False)
def readiness(session: nox.Session) -> None:
    """Readiness gate: score the reports (40/30/20/10), write readiness/, fail below 90."""
    ci.readiness(session)


@nox.session(python=False)
def comment(session: nox.Session) -> None:
    """Post or edit the sticky PR comment from readiness.json (workflow_run, fork-safe)."""
    ci.comment(session)


@nox.session(python=False)
def preflight(session: nox.Session) -> None:
    """Run every CI job in parallel, then the readiness gate: what CI runs."""
    ci.preflight(session, noxfile=__file__)


@nox.session(python=False)
def lock(session: nox.Session) -> None:
    """Refresh uv.lock and requirements.txt (under CI: fail if they drifted)."""
    ci.lock(session)
