"""The nox glue: each session adapts a ``nox.Session`` to noxci and ends it.

A noxfile of two lines registers every session (:func:`register`). This
module is imported for ``nox -l`` too, so it imports nothing heavy at
module level. Jobs run through :mod:`noxci.runjob`, preflight through
:mod:`noxci.preflight`, and the other sessions are ``noxci`` subcommands run
with the noxci nox itself imported. A session ends with one line, and its
exit code is the child's: when it is the only session of the run, nox
exits with that code (2 for incomplete data, 7 for a network failure ...).
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

__all__ = ["default_python", "job", "register", "test_pythons"]

# Sessions that are not jobs: (the noxci subcommand they run, what nox -l shows).
COMMANDS = {
    "readiness": (
        "readiness",
        "Readiness gate: score the reports (40/30/20/10 by default), write readiness/, fail below the threshold.",
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


def _root() -> Path:
    return find_root(Path.cwd())


def test_pythons() -> str | list[str]:
    """The tests session's Python versions (a plain string when only one, so it stays ``tests``)."""
    versions = python_versions(_root())
    return versions[0] if len(versions) == 1 else list(versions)


def default_python() -> str:
    """The Python every session other than tests runs on: the first configured."""
    return python_versions(_root())[0]


def _end(session: nox.Session, code: int, line: str) -> None:
    """Log a pass; fail with ``line``, exiting nox with ``code`` when it runs this session alone."""
    from noxci import console

    line = console.redact(line)
    if code == 0:
        session.log(line)
        return
    if code != 1 and len(session._runner.manifest) == 1:
        from nox.logger import logger

        logger.error(line)
        raise SystemExit(code)
    session.error(line)


def job(session: nox.Session, name: str) -> None:
    """Run job ``name`` in this session's venv and end the session as its verdict says."""
    from noxci import console
    from noxci.config import load_config
    from noxci.errors import NoxciError
    from noxci.runjob import Level, Request, run_job

    console.quiet_libraries()
    try:
        config = load_config(_root())
    except NoxciError as exc:
        _end(session, exc.return_code, str(exc))
        return
    location = getattr(session.virtualenv, "location", None)
    python = session.python if isinstance(session.python, str) else None
    request = Request(
        job=name,
        session=session.name,
        python=python or f"{sys.version_info.major}.{sys.version_info.minor}",
        posargs=tuple(session.posargs),
        venv=Path(location) if location else None,
        env=dict(os.environ),
    )
    result = run_job(config, request, log=session.log)
    if result.level is Level.WARN:
        session.warn(console.redact(result.line))
    else:
        _end(session, result.exit_code, result.line)


def _command(name: str) -> Callable[[nox.Session], None]:
    subcommand = COMMANDS[name][0]

    def run(session: nox.Session) -> None:
        from noxci import proc
        from noxci.errors import NoxciError, meaning

        argv = [sys.executable, "-m", "noxci", subcommand, *session.posargs]
        try:
            code = proc.run(argv, cwd=_root(), capture=False).returncode
        except NoxciError as exc:
            code = exc.return_code
        if code:
            _end(session, code, f"{name} failed: {meaning(code)} (exit {code})")

    return run


def _preflight(noxfile: str) -> Callable[[nox.Session], None]:
    def run(session: nox.Session) -> None:
        import nox.registry

        from noxci import preflight

        result = preflight.run(
            _root(),
            noxfile=noxfile,
            posargs=session.posargs,
            env=os.environ,
            registry=nox.registry.get(),
        )
        _end(session, result.exit_code, result.message)

    return run


def _matrix(session: nox.Session) -> None:
    import json

    import nox.registry

    from noxci import ghactions
    from noxci.errors import ExitCode
    from noxci.preflight import ci_sessions
    from noxci.workflowgen import matrix

    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    sessions = ci_sessions(nox.registry.get(), running)
    if sessions is None:
        _end(
            session,
            ExitCode.CONFIG,
            "matrix: a ci-tagged session is parametrized or has no venv; tag it otherwise",
        )
        return
    text = json.dumps(matrix(sessions), separators=(",", ":"))
    sys.stdout.write(text + "\n")
    ghactions.set_output("matrix", text, os.environ)


def _job_session(name: str) -> Callable[[nox.Session], None]:
    def run(session: nox.Session) -> None:
        job(session, name)

    return run


def _described(
    func: Callable[[nox.Session], None], text: str
) -> Callable[[nox.Session], None]:
    def session(session: nox.Session) -> None:
        func(session)

    session.__doc__ = text
    return session


def register(*, options: bool = True, **include: bool) -> None:
    """Register every noxci session: the whole noxfile of a project with no special needs.

    A noxfile of two lines::

        import noxci.sessions
        noxci.sessions.register()

    gives a session per job that applies to the project (those tagged ``ci``
    run in CI and in ``preflight``, the default), and ``readiness``,
    ``comment``, ``preflight``, ``lock``, ``ide`` and ``matrix``.
    ``register(mcp=True)`` forces a job in, ``register(smoke=False)`` leaves
    it out. ``options`` sets nox's options for noxci: the uv backend, no
    Python downloads, reused venvs (safe: every session re-syncs its venv).
    """
    import inspect

    import nox

    from noxci.errors import ExitCode, NoxciError
    from noxci.registry import registered_jobs, session_clash

    caller = inspect.currentframe()
    noxfile = (
        caller.f_back.f_code.co_filename if caller and caller.f_back else "noxfile.py"
    )
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
    clash = session_clash(nox.registry.get(), jobs, COMMANDS)
    if clash:
        from nox.logger import logger

        logger.error(clash)
        raise SystemExit(ExitCode.CONFIG)
    versions = python_versions(root)
    pythons = {
        "none": False,
        "matrix": versions[0] if len(versions) == 1 else list(versions),
        "default": versions[0],
    }
    for spec in jobs:
        run = _described(_job_session(spec.name), spec.description)
        nox.session(
            name=spec.name,
            python=pythons[spec.python],
            tags=["ci"] if spec.ci else [],
            allow_parallel=spec.python != "none",
        )(run)
    for name, (_, text) in COMMANDS.items():
        func = {"preflight": _preflight(noxfile), "matrix": _matrix}.get(
            name
        ) or _command(name)
        nox.session(name=name, python=False)(_described(func, text))
