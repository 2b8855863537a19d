"""A fixture project's noxfile: the few lines an adopter writes."""

from __future__ import annotations

import nox
import noxci.sessions as ci

nox.options.default_venv_backend = "uv"
nox.options.download_python = "never"

PYTHON = ci.default_python()


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Lint."""
    ci.job(session, "lint")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """Type check."""
    ci.job(session, "typecheck")


@nox.session(python=ci.test_pythons())
def tests(session: nox.Session) -> None:
    """Tests."""
    ci.job(session, "tests")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Docs."""
    ci.job(session, "docs")


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Build."""
    ci.job(session, "build")
