"""A fixture project's noxfile: the few lines an adopter writes."""

from __future__ import annotations

import nox
import noxci.sessions as ci

nox.options.default_venv_backend = "uv"
nox.options.download_python = "never"
# Safe with noxci: every session re-syncs its venv from uv.lock (uv sync
# --locked is exact), so a reused venv is never stale, only faster.
nox.options.reuse_venv = "yes"

PYTHON = ci.default_python()


@nox.session(python=PYTHON, tags=["ci"], allow_parallel=True)
def lint(session: nox.Session) -> None:
    """Lint."""
    ci.job(session, "lint")


@nox.session(python=PYTHON, tags=["ci"], allow_parallel=True)
def typecheck(session: nox.Session) -> None:
    """Type check."""
    ci.job(session, "typecheck")


@nox.session(python=ci.test_pythons(), tags=["ci"], allow_parallel=True)
def tests(session: nox.Session) -> None:
    """Tests."""
    ci.job(session, "tests")


@nox.session(python=PYTHON, tags=["ci"], allow_parallel=True)
def docs(session: nox.Session) -> None:
    """Docs."""
    ci.job(session, "docs")


@nox.session(python=PYTHON, tags=["ci"], allow_parallel=True)
def security(session: nox.Session) -> None:
    """Security."""
    ci.job(session, "security")


@nox.session(python=PYTHON, tags=["ci"], allow_parallel=True)
def build(session: nox.Session) -> None:
    """Build."""
    ci.job(session, "build")


@nox.session(python=PYTHON)
def workflows(session: nox.Session) -> None:
    """Workflows check."""
    ci.job(session, "workflows")


@nox.session(python=False)
def smoke(session: nox.Session) -> None:
    """Smoke test."""
    ci.job(session, "smoke")


@nox.session(python=False)
def readiness(session: nox.Session) -> None:
    """Readiness gate."""
    ci.readiness(session)


@nox.session(python=False)
def preflight(session: nox.Session) -> None:
    """Every job, then the gate."""
    ci.preflight(session, noxfile=__file__)
