"""Running a fault case through the real ``noxci`` entry point, and judging it.

Every case asserts the same things (issue 16): the documented exit code;
exactly one ``noxci > error:`` line on stderr when it fails (none when it
passes); no traceback; a bounded wall time; and, through its own ``kept``
check, that nothing noxci had accepted was lost.

In-process runs (``noxci.cli.main``) are guarded by a SIGALRM deadline, so a
hang fails the test instead of stopping the suite; cases whose failure mode
is a hang or runaway memory run ``python -m noxci`` in a subprocess with a
timeout and an address-space limit.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from noxci.cli import main
from noxci.readiness.run import Options, readiness
from tests.readiness_helpers import passing_set, write_project

NOW = "2026-11-27T10:00:00Z"
DEADLINE = 20.0  # seconds any one case may take; each case states a tighter bound
MEMORY = 1 << 30  # address space for subprocess cases: 1 GiB
# Variables of the machine running the tests that would change what noxci does.
_CLEARED = (
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_TOKEN",
    "GITHUB_REPOSITORY",
    "GITHUB_API_URL",
    "GITHUB_EVENT_PATH",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_OUTPUT",
    "GITHUB_REF_NAME",
    "SLACK_WEBHOOK_URL",
    "NOXCI_SERVE_TOKEN",
    "NOXCI_PR_NUMBER",
    "NOXCI_CACHE",
)


@dataclass(frozen=True)
class Case:
    """One hostile input and what noxci must do with it."""

    id: str
    category: str
    setup: Callable[[Path], None]
    argv: Sequence[str] = ("readiness",)
    code: int = 2
    says: str = ""  # a substring of the error line (or of stderr when code is 0)
    seconds: float = 8.0
    kept: Callable[[Path], None] = lambda _root: None
    env: Mapping[str, str] = field(default_factory=dict)
    subprocess: bool = False
    unreadable: str | None = None  # a path (relative) whose open() is refused
    untouched: str | None = None  # a path (relative) noxci must leave as it was


@dataclass(frozen=True)
class Outcome:
    code: int
    err: str
    seconds: float
    untouched: Callable[[], None] = lambda: None


def template(root: Path, noxci_toml: str = "") -> Path:
    """A passing project: fresh reports and two passing preflight runs in the committed history."""
    config = write_project(root, noxci_toml)
    passing_set(config)
    for _ in range(2):
        readiness(config, {}, Options(now=NOW, context="preflight", update=True))
    return root


def copy_project(template_root: Path, into: Path) -> Path:
    """A fresh copy of the template (symlinks kept as symlinks)."""
    root = into / "project"
    shutil.copytree(template_root, root, symlinks=True)
    return root


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in this (main) thread after ``seconds``."""

    def expired(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"the case ran past its {seconds:g} s deadline")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _refuse_open(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Make ``open()`` and ``stat()`` of ``path`` (and below) fail with EACCES.

    The tests run as root, for whom chmod 000 changes nothing.
    """
    real_open, real_stat = os.open, os.stat
    blocked = str(path)

    def refused(name: Any) -> bool:
        if not isinstance(name, (str, os.PathLike)):
            return False  # a file descriptor
        text = os.path.abspath(name)
        return text == blocked or text.startswith(blocked + os.sep)

    def fake_open(name: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if refused(name):
            raise PermissionError(13, "Permission denied", os.fspath(name))
        return real_open(name, flags, *args, **kwargs)

    def fake_stat(name: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if refused(name) and Path(name) != path:
            raise PermissionError(13, "Permission denied", os.fspath(name))
        return real_stat(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "stat", fake_stat)


def run_case(
    case: Case,
    root: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Outcome:
    """Set the case up in ``root``, run ``noxci ARGV`` there; return what it did."""
    case.setup(root)
    untouched = snapshot(root / case.untouched) if case.untouched else lambda: None
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update(case.env)
    if case.subprocess:
        return replace(_subprocess(case, root, env), untouched=untouched)
    monkeypatch.chdir(root)
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    # Durability is not under test, and 5 fsyncs per run cost most of the time.
    monkeypatch.setattr(os, "fsync", lambda _fd: None)
    if case.unreadable:
        _refuse_open(monkeypatch, root / case.unreadable)
    capsys.readouterr()
    start = time.monotonic()
    with deadline(DEADLINE), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(list(case.argv))
        except SystemExit as exc:  # argparse: a bad command line
            code = int(exc.code or 0)
    seconds = time.monotonic() - start
    monkeypatch.undo()  # os.open and os.stat back before the checks read files
    return Outcome(
        code=code, err=capsys.readouterr().err, seconds=seconds, untouched=untouched
    )


# The child limits its own address space, then runs the real entry point
# (a preexec_fn would be unsafe: the test process has server threads).
_CHILD = (
    "import resource, sys; "
    f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY}, {MEMORY})); "
    "from noxci.cli import main; sys.exit(main(sys.argv[1:]))"
)


def _subprocess(case: Case, root: Path, env: dict[str, str]) -> Outcome:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *case.argv],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )
    return Outcome(
        code=done.returncode, err=done.stderr, seconds=time.monotonic() - start
    )


def snapshot(path: Path) -> Callable[[], None]:
    """A check that ``path`` is still what it is now (its kind, size and bytes)."""
    info = os.lstat(path) if path.is_symlink() or path.exists() else None
    small = info is not None and stat.S_ISREG(info.st_mode) and info.st_size < 1 << 26
    content = path.read_bytes() if small else None

    def check() -> None:
        now = os.lstat(path) if path.is_symlink() or path.exists() else None
        assert (now is None) == (info is None), f"{path} appeared or vanished"
        if info is not None and now is not None:
            assert (now.st_mode, now.st_size) == (info.st_mode, info.st_size)
        if content is not None:
            assert path.read_bytes() == content, f"{path} was changed"

    return check


def judge(case: Case, outcome: Outcome, root: Path) -> None:
    """The assertions every case makes."""
    err = outcome.err
    assert "Traceback" not in err, err
    assert outcome.code == case.code, err
    errors = [line for line in err.splitlines() if line.startswith("noxci > error:")]
    assert len(errors) == (0 if case.code == 0 else 1), err
    if case.says:
        assert case.says in err, err
    assert outcome.seconds < case.seconds, f"took {outcome.seconds:.1f} s"
    outcome.untouched()
    case.kept(root)
