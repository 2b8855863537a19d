"""The nox glue: what a noxfile calls from each session.

This module is imported when nox loads the noxfile, including for ``nox -l``,
so it imports nothing heavy at module level. Everything that decides lives in
the job modules; here a session is only installed, run and turned into an
exit (``session.error`` with one line, never a traceback for user errors).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from noxci.config import find_root, load_config, python_versions
from noxci.errors import NoxciError

if TYPE_CHECKING:
    import nox

    from noxci.config import Config
    from noxci.jobs.base import JobContext
    from noxci.report import Inputs, Report

__all__ = [
    "comment",
    "default_python",
    "job",
    "lock",
    "preflight",
    "readiness",
    "test_pythons",
]


def _root() -> Path:
    return find_root(Path.cwd())


def test_pythons() -> str | list[str]:
    """The tests session's Python versions (a plain string when only one).

    A single version is returned as a string so that the session keeps its
    plain name (``tests``, not ``tests-3.11``).
    """
    versions = python_versions(_root())
    return versions[0] if len(versions) == 1 else list(versions)


def default_python() -> str:
    """The Python every session other than tests runs on: the first configured."""
    return python_versions(_root())[0]


def _fail(session: nox.Session, message: str) -> NoReturn:
    from noxci import console

    session.error(console.redact(message))


def _config(session: nox.Session) -> Config:
    from noxci import console
    from noxci.config import load_config

    console.quiet_libraries()

    try:
        return load_config(_root())
    except NoxciError as exc:
        _fail(session, str(exc))


def _session_python(session: nox.Session) -> str:
    python = session.python
    if isinstance(python, str):
        return python
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def _context(session: nox.Session, config: Config, name: str) -> JobContext:
    from noxci.jobs.base import JobContext

    location = getattr(session.virtualenv, "location", None)
    return JobContext(
        config=config,
        job=name,
        session=session.name,
        python=_session_python(session),
        posargs=tuple(session.posargs),
        venv=Path(location) if location else None,
        env=dict(os.environ),
    )


def _verdict(report: Report) -> str:
    """``session: status: summary``, saying when a failure does not block."""
    from noxci.report import Status

    line = f"{report.session}: {report.status.value}: {report.summary}"
    if report.status is Status.FAILED and not report.blocking:
        line += " (non-blocking)"
    return line


def _conclude(session: nox.Session, report: Report) -> None:
    from noxci.report import Status

    if report.status is Status.ERROR:
        _fail(session, f"{report.session}: {report.error}")
    if report.status is Status.FAILED and report.blocking:
        _fail(session, _verdict(report))
    if report.status is Status.FAILED:
        session.warn(_verdict(report))
    else:
        session.log(_verdict(report))


def job(session: nox.Session, name: str) -> None:
    """Install job ``name``'s dependency group from uv.lock, run it, write its report.

    The session fails when the job errors, or fails and is blocking. An
    install that still fails after retries writes an ``error`` report too.
    """
    from noxci.jobs import get_job
    from noxci.jobs.base import Outcome, execute, safe_inputs
    from noxci.uvtool import sync_group

    config = _config(session)
    ctx = _context(session, config, name)
    cfg = config.job(name)
    inputs = safe_inputs(ctx)
    if _reuse(session, ctx, inputs):
        return
    if ctx.venv is not None:
        try:
            sync_group(
                config.root,
                ctx.venv,
                cfg.group,
                install_project=cfg.install_project,
                fallback=cfg.tools,
                needed=_needed_tools(ctx),
                env=ctx.env,
                retries=config.install_retries,
            )
        except NoxciError as exc:
            reason = str(exc)
            _conclude(
                session,
                execute(ctx, lambda _ctx: Outcome.errored(reason), inputs=inputs),
            )
    _conclude(session, execute(ctx, get_job(name), inputs=inputs))


def _needed_tools(ctx: JobContext) -> list[str]:
    """The job's tools, less a formatter the project does not use."""
    from noxci.uvtool import requirement_name

    tools = list(ctx.job_config.tools)
    if ctx.job == "lint":
        from noxci.jobs.lint import choose_formatter

        formatter = choose_formatter(ctx)
        tools = [t for t in tools if requirement_name(t) in {"ruff", formatter}]
    return tools


def _reuse(session: nox.Session, ctx: JobContext, inputs: Inputs) -> bool:
    """Conclude from the previous report when the inputs are unchanged."""
    hit = _cache_hit(ctx, inputs, log=session.log)
    if hit is None:
        return False
    _conclude(session, hit)
    return True


def _cache_hit(
    ctx: JobContext,
    inputs: Inputs,
    *,
    log: Callable[[str], object],
    previous: Report | None = None,
) -> Report | None:
    """The previous report, marked cached and rewritten, when ``inputs`` are unchanged.

    ``previous`` is that report when the caller has already read it.
    """
    from noxci.cache import cache_enabled, cached_report, reusable
    from noxci.jobs.base import report_path
    from noxci.report import write_report

    if not cache_enabled(ctx.job_config, ctx.env):
        return None
    path = report_path(ctx.config, ctx.session)
    where = {"session": ctx.session, "job": ctx.job}
    hit = (
        cached_report(path, inputs, **where)
        if previous is None
        else reusable(previous, inputs, **where)
    )
    if hit is None:
        return None
    write_report(path, hit)
    log(
        f"{ctx.session}: cached (inputs {inputs.digest[:12]} unchanged since {hit.started_at}); "
        f"NOXCI_CACHE=0 runs it again"
    )
    return hit


def readiness(session: nox.Session) -> None:
    """Run ``noxci readiness`` (the gate) with the noxci that nox itself imported.

    It needs no virtualenv of its own: noxci is already installed beside nox
    (the noxfile imports it), so the gate always runs the same noxci as the
    sessions did. ``nox -s readiness -- ARGS`` passes ARGS to ``noxci
    readiness``. The session fails with the gate: 1 below the threshold, 2
    incomplete data.
    """
    from noxci import proc

    try:
        done = proc.run(
            [sys.executable, "-m", "noxci", "readiness", *session.posargs],
            cwd=_root(),
            capture=False,
        )
    except NoxciError as exc:
        _fail(session, str(exc))
    if done.returncode != 0:
        meaning = {1: "below the threshold", 2: "incomplete data"}.get(
            done.returncode, "error"
        )
        _fail(session, f"readiness gate failed: {meaning} (exit {done.returncode})")


def comment(session: nox.Session) -> None:
    """Post the sticky PR comment from a readiness.json (``noxci comment ARGS``)."""
    from noxci import proc

    try:
        proc.run(
            [sys.executable, "-m", "noxci", "comment", *session.posargs],
            cwd=_root(),
            capture=False,
        )
    except NoxciError as exc:
        _fail(session, str(exc))


def preflight(session: nox.Session, noxfile: str) -> None:
    """Run every CI job in parallel, then the readiness gate; always print the table.

    Jobs whose inputs did not change are concluded here from their cached
    reports, without starting a nox worker for them (see :func:`_predecide`).
    The others run in a child ``nox -j auto`` so that one failing job neither
    stops the others nor (as a failed ``requires=``) aborts the readiness
    table; then ``noxci readiness`` scores whatever the jobs reported.
    ``nox -s preflight -- ARGS`` passes ARGS (e.g. ``-R``) to the job run;
    ``--no-cache`` there runs every job even when its inputs did not change.
    """
    from noxci import proc
    from noxci.report import Status

    root = _root()
    args = [a for a in session.posargs if a != "--no-cache"]
    env = {
        **os.environ,
        **({"NOXCI_CACHE": "0"} if "--no-cache" in session.posargs else {}),
    }
    started = time.monotonic()
    failures = []
    selection = ["-t", "ci"]
    decided = _predecide(root, args, env)
    if decided is not None:
        hits, misses = decided
        if any(r.status is Status.FAILED and r.blocking for r in hits):
            failures.append("a blocking job failed (see its cached report above)")
        selection = ["-s", *misses] if misses else []
    if selection:
        jobs = proc.run(
            [
                sys.executable,
                "-m",
                "nox",
                "-f",
                noxfile,
                *selection,
                "-j",
                "auto",
                *args,
            ],
            cwd=root,
            capture=False,
            env=env,
        )
        if jobs.returncode != 0:
            failures.append("a blocking job failed or errored (see its block above)")
    gate = proc.run(
        [
            sys.executable,
            "-m",
            "noxci",
            "readiness",
            "--preflight",
            "--duration",
            f"{time.monotonic() - started:.3f}",
            *(["--jobs-failed"] if failures else []),
        ],
        cwd=root,
        capture=False,
    )
    if gate.returncode != 0:
        failures.append("the readiness gate failed (see the table above)")
    if failures:
        _fail(session, "preflight failed: " + "; and ".join(failures))
    session.log(
        "preflight passed: every blocking job passed and the readiness gate passed"
    )


# nox options that change neither which sessions run, nor their names,
# Pythons or arguments: with only these, preflight may decide cache hits
# itself. With any other option it leaves every decision to the workers.
_NEUTRAL_OPTIONS = frozenset(
    {
        "-R",
        "-r",
        "--reuse-existing-virtualenvs",
        "--no-reuse-existing-virtualenvs",
        "--no-install",
        "--install-only",
        "-x",
        "--stop-on-first-error",
        "--no-color",
        "--forcecolor",
        "--force-color",
    }
)


def _predecide(
    root: Path, args: list[str], env: Mapping[str, str]
) -> tuple[list[Report], list[str]] | None:
    """Split the CI sessions into cache hits (concluded now) and the rest.

    A nox worker costs about half a second to start even when its job is
    cached, so preflight decides hits itself, with the same digest and the
    same rule as the worker would (:func:`_cache_hit`). Anything it cannot be
    sure of (nox options that change the session list, parametrized
    sessions, an unreadable report or tree) is left to the worker, which
    decides as it always does: a doubt is never a hit. None means "decide
    nothing here".
    """
    from noxci import console

    if any(a not in _NEUTRAL_OPTIONS for a in args):
        return None
    sessions = _ci_sessions()
    if not sessions:
        return None
    try:
        config = load_config(root)
    except NoxciError:
        return None  # the workers report it, one line each
    hits: list[Report] = []
    misses: list[str] = []
    for name, python in sessions.items():
        hit = _predecided_hit(config, name, python, env)
        if hit is None:
            misses.append(name)
        else:
            hits.append(hit)
            console.info(_verdict(hit))
    return hits, misses


def _ci_sessions() -> dict[str, str] | None:
    """Each ``ci``-tagged session as nox will name it, with its Python.

    None when nox would name or expand them in a way not modelled here.
    """
    import nox.registry

    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    found: dict[str, str] = {}
    for name, func in nox.registry.get().items():
        if "ci" not in func.tags:
            continue
        if hasattr(func, "parametrize") or func.venv_backend == "none":
            return None
        python = func.python
        if isinstance(python, (list, tuple, set)):
            if not all(isinstance(v, str) for v in python):
                return None
            found.update({f"{name}-{v}": v for v in python})
        elif isinstance(python, str):
            found[name] = python
        else:
            found[name] = running
    return found


def _predecided_hit(
    config: Config, session: str, python: str, env: Mapping[str, str]
) -> Report | None:
    """The cache hit for ``session``, or None to leave it to its worker."""
    from noxci import console
    from noxci.jobs.base import JobContext, job_inputs, report_path
    from noxci.report import read_report

    path = report_path(config, session)
    if not path.is_file():
        return None
    try:
        previous = read_report(path)
        ctx = JobContext(
            config=config, job=previous.job, session=session, python=python, env=env
        )
        return _cache_hit(ctx, job_inputs(ctx), log=console.info, previous=previous)
    except (NoxciError, OSError):
        return None  # the worker decides, and reports the problem itself


def ide(session: nox.Session) -> None:
    """Write IDE run configurations (VS Code, PyCharm), one per session."""
    from noxci.ide import write_ide_files
    from noxci.noxlist import list_sessions

    root = _root()
    try:
        written = write_ide_files(root, list_sessions(root))
    except NoxciError as exc:
        _fail(session, str(exc))
    session.log(f"wrote {len(written)} IDE files (.vscode/tasks.json, .run/)")


def lock(session: nox.Session) -> None:
    """Refresh uv.lock and requirements.txt; under CI, fail if either drifted."""
    from noxci.lockfiles import check_locks, refresh_locks

    root = _root()
    try:
        if os.environ.get("CI"):
            check_locks(root)
        else:
            refresh_locks(root)
    except NoxciError as exc:
        _fail(session, str(exc))


JOB_SESSIONS: dict[str, str] = {
    "lint": "Lint and format check: ruff check and black --check (or ruff format --check).",
    "typecheck": "Type check with mypy; the error count is recorded (non-blocking).",
    "tests": "Tests: pytest with xdist, failures re-run twice, coverage with a minimum.",
    "docs": "Documentation completeness: docstring coverage and README/LICENSE/CHANGELOG.",
    "security": "Security: bandit, pip-audit of the locked dependencies, uv pip check, SBOM.",
    "build": "Build the sdist and wheel with uv build; hashes go in the report.",
}


def register(
    *, mcp: bool = False, workflows: bool = False, options: bool = True
) -> None:
    """Register every noxci session: the whole noxfile of a project with no special needs.

    A noxfile of two lines::

        import noxci.sessions
        noxci.sessions.register()

    gives the job sessions (tagged ``ci``), ``smoke``, ``readiness``,
    ``comment``, ``preflight`` (the default), ``lock`` and ``ide``; ``mcp`` and
    ``workflows`` when asked for. ``options`` sets nox's options for noxci:
    the uv backend, no Python downloads, reused venvs.
    """
    import inspect

    import nox

    noxfile = inspect.stack()[1].filename
    if options:
        nox.options.default_venv_backend = "uv"
        nox.options.download_python = "never"
        nox.options.reuse_venv = "yes"
        nox.options.sessions = ["preflight"]
    python = default_python()
    jobs = dict(JOB_SESSIONS)
    if mcp:
        jobs["mcp"] = (
            "MCP dry run: start the configured servers, validate their tools, call the safe ones."
        )
    if workflows:
        jobs["workflows"] = (
            "Workflows check: zizmor (offline, pedantic) and the thin-wrapper rule."
        )
    for name, description in jobs.items():
        run = _job_session(name, description)
        nox.session(
            name=name,
            python=test_pythons() if name == "tests" else python,
            tags=["ci"],
            allow_parallel=True,
        )(run)
    extras = {
        "smoke": (
            lambda session: job(session, "smoke"),
            "Staging smoke test: health, API and DB checks; Slack on failure.",
        ),
        "readiness": (
            readiness,
            "Readiness gate: score the reports (40/30/20/10), write readiness/, fail below 90.",
        ),
        "comment": (comment, "Post or edit the sticky PR comment from readiness.json."),
        "preflight": (
            lambda session: preflight(session, noxfile=noxfile),
            "Run every CI job in parallel, then the readiness gate: what CI runs.",
        ),
        "lock": (
            lock,
            "Refresh uv.lock and requirements.txt (under CI: fail if they drifted).",
        ),
        "ide": (
            ide,
            "Write VS Code tasks and PyCharm run configurations, one per session.",
        ),
    }
    for name, (func, description) in extras.items():
        nox.session(name=name, python=False)(_described(func, description))


def _described(
    func: Callable[[nox.Session], None], description: str
) -> Callable[[nox.Session], None]:
    def session(session: nox.Session) -> None:
        func(session)

    session.__doc__ = description
    return session


def _job_session(name: str, description: str) -> Callable[[nox.Session], None]:
    return _described(lambda session: job(session, name), description)
