"""The nox glue: each session adapts a ``nox.Session`` to noxci and ends it.

A noxfile of two lines registers every session (:func:`register`). This
module is imported for ``nox -l`` too, so it imports nothing heavy at
module level. Jobs run through :mod:`noxci.runjob`, preflight through
:mod:`noxci.preflight`, the matrix through :mod:`noxci.workflowgen`, the rest
are ``noxci`` subcommands. A session ends with one line and its exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from noxci.pyproject import find_root, user_table
from noxci.pythons import python_versions

if TYPE_CHECKING:
    import nox

__all__ = ["job", "register"]
Run = Callable[["nox.Session"], None]


def _root() -> Path:
    return find_root(Path.cwd())


def _end(session: nox.Session, code: int, line: str) -> None:
    """Log a pass; fail with ``line``, and with ``code`` when nox runs this session alone."""
    from noxci import console

    line = console.redact(line)
    if code == 0:
        session.log(line)
    elif code != 1 and len(session._runner.manifest) == 1:
        from nox.logger import logger

        logger.error(line)
        raise SystemExit(code)
    else:
        session.error(line)


def job(session: nox.Session, name: str) -> None:
    """Run job ``name`` in this session's venv and end the session as its verdict says."""
    from noxci import console
    from noxci.config import load_config
    from noxci.errors import NoxciError
    from noxci.runjob import Level, Request, run_job

    console.quiet_libraries()
    console.register_env_secrets(os.environ)
    try:
        config = load_config(_root())
    except NoxciError as exc:
        return _end(session, exc.return_code, str(exc))
    venv = getattr(session.virtualenv, "location", None)
    python = session.python if isinstance(session.python, str) else None
    request = Request(
        job=name,
        session=session.name,
        python=python or f"{sys.version_info.major}.{sys.version_info.minor}",
        posargs=tuple(session.posargs),
        venv=Path(venv) if venv else None,
        env=dict(os.environ),
    )
    result = run_job(config, request, log=session.log)
    if result.level is Level.WARN:
        return session.warn(console.redact(result.line))
    return _end(session, result.exit_code, result.line)


def _command(name: str, subcommand: str, noxfile: str) -> Run:
    def run(session: nox.Session) -> None:
        from noxci import preflight, proc
        from noxci.errors import NoxciError, meaning
        from noxci.workflowgen import print_matrix

        args, root = session.posargs, _root()
        try:
            if name == "preflight":
                ran = preflight.run(root, noxfile=noxfile, posargs=args, env=os.environ)
                return _end(session, ran.exit_code, ran.message)
            if name == "matrix":
                print_matrix(os.environ)
                return None
            argv = [sys.executable, "-m", "noxci", subcommand, *args]
            code = proc.run(argv, cwd=root, capture=False).returncode
        except NoxciError as exc:
            return _end(session, exc.return_code, str(exc))
        if code:
            _end(session, code, f"{name} failed: {meaning(code)} (exit {code})")
        return None

    return run


def _session(func: Run, doc: str) -> Run:
    def session(session: nox.Session) -> None:
        func(session)

    session.__doc__ = doc
    return session


def register(*, options: bool = True, **include: bool) -> None:
    """Register every noxci session: the whole noxfile of a project with no special needs.

    A session per job that applies to the project (``ci``-tagged: CI's and
    ``preflight``'s) and the commands; ``mcp=True`` forces a job in, ``smoke=False``
    leaves one out; a session the noxfile has too is an error. ``options`` sets
    nox's options: uv, no Python downloads, reused venvs (every session re-syncs).
    """
    import inspect

    import nox
    from nox.logger import logger

    from noxci.errors import ExitCode, NoxciError
    from noxci.registry import COMMANDS, registered_jobs, session_clash

    caller = inspect.currentframe()
    noxfile = caller.f_back.f_code.co_filename if caller and caller.f_back else ""
    root = _root()
    if options:
        nox.options.default_venv_backend = "uv"
        nox.options.download_python = "never"
        nox.options.reuse_venv = "yes"
        nox.options.error_on_external_run = True
        nox.options.sessions = ["preflight"]
    try:
        table = user_table(root)
    except NoxciError:
        table = {}  # a bad pyproject.toml is reported, in one line, when a session runs
    jobs = registered_jobs(root, table, include)
    if clash := session_clash(nox.registry.get(), jobs, COMMANDS):  # nox only warns
        logger.error(clash)
        raise SystemExit(ExitCode.CONFIG)
    versions = python_versions(root)
    for spec in jobs:
        run = _session(lambda s, name=spec.name: job(s, name), spec.description)  # type: ignore[misc]
        nox.session(**spec.nox_session(versions))(run)
    for name, (command, doc) in COMMANDS.items():
        nox.session(name=name, python=False)(
            _session(_command(name, command, noxfile), doc)
        )
