"""The fault suite, files: hostile reports, history, caches, pyproject.toml, payloads.

Each case puts one generated hostile file (:mod:`tests.fault_corpus`) into a
copy of a passing project and runs the real ``noxci`` entry point
(:mod:`tests.fault_harness` says what every case asserts). The network and
service cases are in ``test_faults_network.py``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from noxci.errors import ExitCode
from tests import fault_corpus as corpus
from tests.fault_harness import Case, copy_project, judge, run_case, template
from tests.readiness_helpers import SCORED_JOBS

KINDS = (*corpus.FILE_KINDS, "unreadable")
VARIANTS = tuple(corpus.JSON_VARIANTS)
HISTORY = "readiness/history.jsonl"
CACHE = "readiness/readiness.json"
_ISSUE_FILES = {"reports/tests.json", HISTORY}
# The template's two preflight runs are one run (same commit and inputs):
# the history keeps one line for them.
TEMPLATE_LINES = 1


@pytest.fixture(scope="session")
def passing_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template(tmp_path_factory.mktemp("fault-template"))


def _hostile(relative: str, kind: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        path = root / relative
        if kind == "unreadable":
            return  # the harness refuses open() of it
        corpus.make(path, kind, path.read_bytes())

    return setup


def _same_as_template(relative: str) -> Callable[[Path], None]:
    """What noxci must leave alone: the other reports and the history lines."""

    def kept(root: Path) -> None:
        history = (root / HISTORY).read_text().splitlines()
        assert len(history) == TEMPLATE_LINES, "the history lost or gained a line"
        for job in SCORED_JOBS:
            if f"reports/{job}.json" != relative:
                assert (root / "reports" / f"{job}.json").is_file()

    return kept


def _kind(kind: str, relative: str) -> dict[str, Any]:
    """How a file kind is run: the issue's own hangs in a subprocess, the rest in-process.

    A FIFO or ``/dev/zero`` as ``reports/tests.json`` or ``history.jsonl``
    runs ``python -m noxci`` with a timeout and a memory limit; elsewhere the
    same kinds run in-process under the harness's deadline.
    """
    unbounded = kind in corpus.UNBOUNDED_KINDS and relative in _ISSUE_FILES
    return {
        "subprocess": unbounded,
        "seconds": 15.0 if unbounded else 8.0,
        "unreadable": relative if kind == "unreadable" else None,
    }


def _report_cases() -> Iterator[Case]:
    # Every kind of file for every scored report; every content variant for
    # the tests report and a rotating seventh of them for each other one.
    for index, job in enumerate(SCORED_JOBS):
        relative = f"reports/{job}.json"
        variants = VARIANTS if job == "tests" else VARIANTS[index::7]
        for kind in (*KINDS, *variants):
            yield Case(
                id=f"report-{job}-{kind}",
                category="report",
                setup=_hostile(relative, kind),
                says=f"gate failed: incomplete data: {job} (",
                kept=_same_as_template(relative),
                **_kind(kind, relative),
            )


def _reports_dir_cases() -> Iterator[Case]:
    def is_a_file(root: Path) -> None:
        for path in (root / "reports").iterdir():
            path.unlink()
        (root / "reports").rmdir()
        (root / "reports").write_text("not a directory\n")

    yield Case(
        id="reports-dir-unreadable",
        category="report",
        setup=lambda _root: None,
        unreadable="reports",
        says="lint (unreadable)",
    )
    yield Case(
        id="reports-dir-is-a-file",
        category="report",
        setup=is_a_file,
        says="lint (unreadable)",
    )


def _history_cases() -> Iterator[Case]:
    for kind in KINDS:
        yield Case(
            id=f"history-{kind}",
            category="history",
            setup=_hostile(HISTORY, kind),
            argv=("readiness", "--preflight"),
            says="history.jsonl",
            untouched=HISTORY,
            **_kind(kind, HISTORY),
        )
    for kind in VARIANTS:
        # Blank lines, or a valid line with extra members, are no harm.
        harmless = kind in {"empty", "whitespace", "huge-string-6mib", "many-keys"}
        yield Case(
            id=f"history-line-{kind}",
            category="history",
            setup=_append_line(kind),
            argv=("readiness", "--preflight"),
            code=0 if harmless else ExitCode.INCOMPLETE,
            # The line is skipped (a warning) and the local history is no
            # longer trusted for the pass rate: no CI history, exit 2.
            says="" if harmless else "history.jsonl",
            kept=_history_kept,
        )


def _append_line(kind: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        path = root / HISTORY
        valid = path.read_text().splitlines()[0]
        hostile = corpus.JSON_VARIANTS[kind](valid)
        path.write_bytes(path.read_bytes() + hostile + b"\n")

    return setup


def _history_kept(root: Path) -> None:
    """The template's valid lines survive, whatever else the file holds."""
    data = (root / HISTORY).read_bytes()
    template_lines = [
        line for line in data.split(b"\n") if line.startswith(b'{"band":')
    ]
    assert len(template_lines) >= TEMPLATE_LINES


def _cache_cases() -> Iterator[Case]:
    for kind in (*KINDS, *VARIANTS):
        yield Case(
            id=f"readiness-json-{kind}",
            category="readiness.json",
            setup=_hostile(CACHE, kind),
            argv=("comment", "--dry-run", "--from", CACHE),
            code=ExitCode.INPUT,
            says="readiness.json",
            untouched=CACHE,
            **_kind(kind, CACHE),
        )
    for kind in KINDS:
        # As the gate's cache, a broken readiness.json is ignored (with a
        # warning): the CI history then comes from the preflight runs.
        yield Case(
            id=f"cache-{kind}",
            category="readiness.json",
            setup=_hostile(CACHE, kind),
            code=0,
            says="readiness.json",
            **{**_kind(kind, CACHE), "subprocess": False},
        )


TOML = {
    "deep-array-2000": "[tool.other]\nx = " + "[" * 2000 + "]" * 2000 + "\n",
    "deep-table-2000": "[tool.other]\nx = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n",
    "deep-array-70": "[tool.other]\nx = " + "[" * 70 + "]" * 70 + "\n",
    "int-5000-digits": "[tool.other]\nx = " + "9" * 5000 + "\n",
    "max-file-size-401-digits": "[tool.noxci]\nmax-file-size = " + "1" * 401 + "\n",
    "max-file-size-nan": "[tool.noxci]\nmax-file-size = nan\n",
    "network-budget-inf": "[tool.noxci]\nnetwork-budget = inf\n",
    "network-max-wait-negative": "[tool.noxci]\nnetwork-max-wait = -1\n",
    "max-file-size-string": '[tool.noxci]\nmax-file-size = "8M"\n',
    "max-file-size-tiny": "[tool.noxci]\nmax-file-size = 10\n",
    "misspelt-key": "[tool.noxci]\nnetwork-budgett = 3\n",
    "truncated": '[tool.noxci\npython = ["3.11"',
    "invalid-utf8": "[tool.other]\nx = '\udcff'\n",
    "nul-bytes": "\0" * 64,
    "oversized-9mib": "# " + "x" * (9 * corpus.MIB) + "\n",
    "binary-noise": "",
}


def _pyproject(name: str, text: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        path = root / "pyproject.toml"
        base = path.read_bytes()
        if name == "binary-noise":
            path.write_bytes(corpus.JSON_VARIANTS["binary-noise"](""))
        else:
            path.write_bytes(base + b"\n" + text.encode("utf-8", "surrogateescape"))

    return setup


def _pyproject_cases() -> Iterator[Case]:
    for name, text in TOML.items():
        yield Case(
            id=f"pyproject-{name}",
            category="pyproject.toml",
            setup=_pyproject(name, text),
            code=ExitCode.CONFIG,
            says="pyproject.toml",
        )
    for kind in KINDS:
        yield Case(
            id=f"pyproject-{kind}",
            category="pyproject.toml",
            setup=_hostile("pyproject.toml", kind),
            code=ExitCode.CONFIG,
            says="pyproject.toml",
            **_kind(kind, "pyproject.toml"),
        )


# Outside the project, as on a runner (a file in the tree would change the
# reports' inputs).
EVENT = "../event.json"


def _event(kind: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        path = root / EVENT
        path.write_text('{"pull_request": {"number": 7}}')
        if kind != "unreadable":
            corpus.make(path, kind, path.read_bytes())

    return setup


def _event_cases() -> Iterator[Case]:
    # The pull request number is informative for the gate: a broken payload
    # is at most a warning, and the gate passes on its evidence.
    for kind in (*KINDS, *VARIANTS[::3]):
        yield Case(
            id=f"event-{kind}",
            category="event payload",
            setup=_event(kind),
            code=0,
            env={"GITHUB_EVENT_PATH": EVENT},
            **_kind(kind, EVENT),
        )


def _temp(name: str, age: float, kind: str = "file") -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "symlink":
            path.symlink_to(root / "README.md")
        elif kind == "directory":
            path.mkdir()
        else:
            path.write_text('{"half": ')
        stamp = time.time() - age
        os.utime(path, (stamp, stamp), follow_symlinks=False)

    return setup


def _gone(name: str, expect: bool) -> Callable[[Path], None]:
    def kept(root: Path) -> None:
        path = root / name
        assert (path.exists() or path.is_symlink()) is not expect

    return kept


def _temp_cases() -> Iterator[Case]:
    # .NAME.XXXXXXXX.tmp left by a writer killed with -9: removed when older
    # than five minutes; a younger one may belong to a live writer.
    # A run cleans the folders it writes: reports/ always, readiness/ with
    # --update (else the git-ignored local folder).
    for where, name, argv in (
        ("readiness", "readiness.json", ("readiness", "--update")),
        (".noxci/readiness", "readiness.json", ("readiness",)),
        ("reports", "tests.json", ("readiness",)),
    ):
        for age, random, removed in ((3600, "k9x2_a7q", True), (5, "b3c4d5e6", False)):
            temp = f"{where}/.{name}.{random}.tmp"
            yield Case(
                id=f"temp-{where.strip('.').replace('/', '-')}-{'stale' if removed else 'fresh'}",
                category="temp files",
                setup=_temp(temp, age),
                argv=argv,
                code=0,
                kept=_gone(temp, removed),
            )
    for kind in ("symlink", "directory"):
        name = f"readiness/.README.md.zzzzzzzz.tmp-{kind}"[: -len(kind) - 1]
        yield Case(
            id=f"temp-{kind}-left-alone",
            category="temp files",
            setup=_temp(name, 3600, kind),
            code=0,
            kept=_gone(name, False),
        )


def _control() -> Iterator[Case]:
    yield Case(id="control-passing", category="control", setup=lambda _r: None, code=0)


def _tree_cases() -> Iterator[Case]:
    # The inputs digest reads every file of the project: a FIFO, a device or
    # a socket there has no content (it is not counted) and is never opened.
    for kind in ("fifo", "dev-zero", "dev-urandom", "socket"):
        name = f"src/widget/{kind}.dat"
        yield Case(
            id=f"tree-{kind}",
            category="project tree",
            setup=lambda root, name=name, kind=kind: corpus.make(  # type: ignore[misc]
                root / name, kind, b""
            ),
            code=0,
        )


CASES = [
    *_control(),
    *_tree_cases(),
    *_report_cases(),
    *_reports_dir_cases(),
    *_history_cases(),
    *_cache_cases(),
    *_pyproject_cases(),
    *_event_cases(),
    *_temp_cases(),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_file(
    case: Case,
    passing_project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = copy_project(passing_project, tmp_path)
    judge(case, run_case(case, root, monkeypatch, capsys), root)


def test_the_corpus_is_large_and_covers_the_issue() -> None:
    ids = {c.id for c in CASES}
    assert len(CASES) >= 200
    for named in (
        "report-tests-deep-array-2000",
        "history-line-int-401-digits",
        "report-tests-dev-zero",
        "report-tests-fifo",
        "history-unreadable",
        "reports-dir-unreadable",
        "temp-readiness-stale",
        "temp-noxci-readiness-stale",
    ):
        assert named in ids
