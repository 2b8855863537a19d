"""The tests session against plain coverage runs, and incremental preflight.

Run: uv run python benchmarks/speed.py [--runs N] [--only sample|repo|pypi]

For each project (a sample made from the test fixture, a fresh clone of this
repository, and a real project from a PyPI sdist) it prints, with the median
of N runs each, all measured in one run of this script:

- P5: ``nox -s tests -- --full`` (cache off) over the fastest of
  ``coverage run -m pytest -n {0,1,2}`` in the same venv, measured the same
  way (the project's coverage config, xdist workers measured by noxci's
  worker plugin), then ``coverage combine`` and ``coverage report``
  (target <= 1.1);
- P6: ``nox -s preflight`` after a one-function change over a full
  ``nox -s preflight -- --no-cache`` (target <= 25%);
- P1: ``nox -s preflight`` with nothing changed over the full one
  (target <= 5%).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks import NONZERO, median_of, timed  # noqa: E402 - after the path


@dataclass(frozen=True)
class Subject:
    """A project, and the one-function edits P6 makes to it (file, old, new), each alone."""

    kind: str
    path: Path
    edits: tuple[tuple[str, str, str], ...]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"UV_PYTHON_DOWNLOADS": "never", "NOX_SCRIPT_MODE": "none"}


def _git(path: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@e", *args],
        cwd=path,
        check=True,
        capture_output=True,
    )


def _commit_all(path: Path, message: str) -> None:
    """Make ``path`` a git repository of one commit holding everything in it."""
    _git(path, "init", "-q")
    _git(path, "add", "-A")
    _git(path, "commit", "-qm", message)


def _sample(where: Path) -> Subject:
    target = where / "sample"
    shutil.copytree(ROOT / "tests" / "data" / "projects" / "base", target)
    shutil.copytree(
        ROOT / "tests" / "data" / "projects" / "incremental", target, dirs_exist_ok=True
    )
    shutil.copytree(ROOT / "tests" / "data" / "advisories", target / "advisories")
    with (target / "pyproject.toml").open("a") as out:
        out.write(
            '\n[tool.noxci.security]\nvulnerability-service = "osv-dir:advisories"\n'
        )
    _commit_all(target, "sample")
    return Subject(
        "sample",
        target,
        (("src/sample/words.py", "return text.upper()", "return str.upper(text)"),),
    )


def _repo(where: Path) -> Subject:
    target = where / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    # Three one-function changes, from a function most of the pipeline
    # calls to one a single job calls.
    return Subject(
        "repo",
        target,
        (
            (  # the dashboard's duration format: every readiness run renders it
                "src/noxci/render/common.py",
                'return f"{minutes}m {secs:02d}s"',
                'return f"{minutes:d}m {secs:02d}s"',
            ),
            (  # the bandit parser: the security job's
                "src/noxci/parsers/bandit.py",
                'files = sum(1 for name in metrics if name != "_totals")',
                'files = len([name for name in metrics if name != "_totals"])',
            ),
            (  # pytest's report log: which tests failed (the tests job's)
                "src/noxci/parsers/pytest_log.py",
                "return [nodeid for nodeid, cats in self.tests.items() if BAD & set(cats)]",
                "return [nodeid for nodeid, cats in self.tests.items() if set(cats) & BAD]",
            ),
        ),
    )


def _pypi(where: Path) -> Subject:
    spec = importlib.util.spec_from_file_location(
        "adoption", ROOT / "benchmarks" / "adoption.py"
    )
    assert spec is not None
    assert spec.loader is not None
    adoption = importlib.util.module_from_spec(spec)
    sys.modules["adoption"] = adoption  # its dataclasses look their module up
    spec.loader.exec_module(adoption)
    archive = adoption.download_sdist("itsdangerous", "2.2.0", where)
    import tarfile

    with tarfile.open(archive) as tar:
        tar.extractall(where, filter="data")
    target = where / "itsdangerous-2.2.0"
    (target / "noxfile.py").write_text(
        "import noxci.sessions\n\nnoxci.sessions.register()\n"
    )
    with (target / "pyproject.toml").open("a") as out:
        out.write(
            '\n[tool.noxci.tests]\ntools = ["pytest", "pytest-xdist", "pytest-reportlog", '
            '"coverage>=7.10", "freezegun"]\n'
        )
    _commit_all(target, "sdist")
    return Subject(
        "pypi (itsdangerous 2.2.0)",
        target,
        (
            (
                "src/itsdangerous/timed.py",
                "return int(time.time())",
                "return int(time.time() // 1)",
            ),
        ),
    )


def _plain(subject: Subject, env: dict[str, str], workers: int) -> float:
    """``coverage run -m pytest -n N`` in the tests venv, as a user would run it by hand."""
    venv = subject.path / ".nox" / "tests" / "bin"
    work = Path(tempfile.mkdtemp(prefix="plain-"))
    shutil.copyfile(
        ROOT / "src" / "noxci" / "jobs" / "xdist_coverage.py",
        work / "noxci_xdist_coverage.py",
    )
    from noxci.jobs.testcov import coverage_rc

    rc = work / "rc"
    rc.write_text(
        coverage_rc(subject.path, branch=True, source=(), data_file=work / ".coverage")
    )
    run_env = env | {
        "PYTHONPATH": str(work),
        "NOXCI_COVERAGE_RC": str(rc),
        "PYTHONHASHSEED": "0",
        "VIRTUAL_ENV": str(venv.parent),
        "PATH": f"{venv}{os.pathsep}{env['PATH']}",
    }
    xdist = ["-n", str(workers), "-p", "noxci_xdist_coverage"]
    start = time.perf_counter()
    timed(
        [str(venv / "coverage"), "run", f"--rcfile={rc}", "-m", "pytest", "-q", *xdist],
        subject.path,
        run_env,
        (0, 1),
    )
    timed([str(venv / "coverage"), "combine", f"--rcfile={rc}"], subject.path, run_env)
    timed(
        [str(venv / "coverage"), "report", f"--rcfile={rc}"],
        subject.path,
        run_env,
        (0, 2),
    )
    took = time.perf_counter() - start
    shutil.rmtree(work)
    return took


def _edit(subject: Subject, edit: tuple[str, str, str], forward: bool) -> None:
    name, old, new = edit
    path = subject.path / name
    text = path.read_text()
    a, b = (old, new) if forward else (new, old)
    assert a in text, (name, a)
    path.write_text(text.replace(a, b, 1))


def _p5(subject: Subject, runs: int, env: dict[str, str], nox: list[str]) -> None:
    session = median_of(
        runs,
        lambda: timed(
            [*nox, "-s", "tests", "--", "--full"],
            subject.path,
            env | {"NOXCI_CACHE": "0"},
            (0, 1),
        ),
    )
    plain = {
        n: statistics.median(_plain(subject, env, n) for _ in range(runs))
        for n in (0, 1, 2)
    }
    best = min(plain, key=plain.__getitem__)
    print(
        f"  P5 tests session {session:.1f} s / best plain coverage run (-n {best}) {plain[best]:.1f} s "
        f"= {session / plain[best]:.2f} (target <= 1.1; -n 0/1/2: "
        + ", ".join(f"{plain[n]:.1f}" for n in (0, 1, 2))
        + " s)"
    )


def measure(subject: Subject, runs: int, which: set[str]) -> None:
    """Print P5, P6 and P1 (those in ``which``) for one project."""
    env = _env()
    nox = [sys.executable, "-m", "nox"]
    path = subject.path
    ok = (0, 1, 2, 8)
    print(f"[{subject.kind}] median of {runs}")
    timed([*nox, "-s", "preflight"], path, env, ok)  # venvs, uv cache, state
    if "p5" in which:
        _p5(subject, runs, env, nox)
    full = median_of(
        runs,
        lambda: timed([*nox, "-s", "preflight", "--", "--no-cache"], path, env, ok),
    )
    timed([*nox, "-s", "preflight"], path, env, ok)
    if "p6" in which:
        for edit in subject.edits:
            changes = []
            for i in range(runs):
                _edit(subject, edit, forward=i % 2 == 0)
                changes.append(timed([*nox, "-s", "preflight"], path, env, ok))
            if runs % 2:
                _edit(subject, edit, forward=False)
                timed([*nox, "-s", "preflight"], path, env, ok)  # back to the state
            changed = statistics.median(changes)
            print(
                f"  P6 preflight after a change to one function in {edit[0]}: {changed:.1f} s "
                f"/ full {full:.1f} s = {changed / full:.1%} (target <= 25%)"
            )
    if "p1" in which:
        unchanged = median_of(
            runs, lambda: timed([*nox, "-s", "preflight"], path, env, ok)
        )
        print(
            f"  P1 unchanged preflight {unchanged:.2f} s / full {full:.1f} s = "
            f"{unchanged / full:.1%} (target <= 5%)"
        )


def main() -> None:
    """Parse the arguments and measure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["sample", "repo", "pypi"])
    parser.add_argument(
        "--measure", default="p5,p6,p1", help="which of p5, p6, p1 (comma-separated)"
    )
    args = parser.parse_args()
    which = set(args.measure.split(","))
    with tempfile.TemporaryDirectory(prefix="noxci-speed-") as tmp:
        where = Path(tmp)
        for kind, make in (("sample", _sample), ("repo", _repo), ("pypi", _pypi)):
            if args.only in (None, kind):
                measure(make(where), args.runs, which)
    for line in NONZERO:
        print(f"  note: {line}")


if __name__ == "__main__":
    main()
