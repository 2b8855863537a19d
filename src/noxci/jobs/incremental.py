"""Incremental test runs: re-run only what a change can reach, reuse the rest.

After every complete run without session arguments, the tests job records
a :class:`State` (``.noxci/incremental/<session>/``, git-ignored): the hash
of every file the job reads, each test's outcome, file and duration, and the
coverage data with one context per test (``noxci_select``). The next run
(:func:`plan`) compares the files:

- a change inside function bodies of a module: the tests that executed a
  line of a changed body run again (the tests that executed the module at
  all, where lines moved); a change outside them (an import, a constant, a
  signature, a class attribute: what every importer sees, which ran as
  pytest collected, under no test) runs every test (:class:`Shape`);
- a changed test module: its tests run again;
- new tests run (they are not in the state); deleted ones are gone;
- failed, errored and flaky tests always run again;
- the rest keep their outcome, and their coverage data is reused
  (:mod:`noxci.jobs.covcontexts`), so the verdict and the coverage figure
  are those of a full run.

A full run is forced where reuse could be wrong or is not wanted: a change
to the lock, the project or tool configuration, a ``conftest.py``, a file
that is not Python, or a Python file no recorded test executed and that is
not a test module; another Python, tool or noxci version; no state; session
arguments; ``--full``; CI on the default branch and scheduled runs.
"""

from __future__ import annotations

import ast
import fnmatch
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from noxci import fsutil, safefile
from noxci.config import STATE_DIR
from noxci.parsers.pytest_log import BAD, CATEGORIES, RunLog

__all__ = [
    "Plan",
    "State",
    "ci_full_run",
    "load_state",
    "merge",
    "plan",
    "save_state",
    "state_dir",
]

STATE_VERSION = 1
# Files whose change can reach any test: the lock, the project's and the
# tools' configuration, pytest's fixtures.
GLOBAL = (
    "uv.lock",
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "tox.ini",
    "pytest.ini",
    ".coveragerc",
    "conftest.py",
    "requirements*.txt",
    "noxfile.py",
)


@dataclass(frozen=True, kw_only=True)
class State:
    """What the last complete run left for the next one to reuse."""

    key: Mapping[str, str]
    files: Mapping[str, str]
    outcomes: Mapping[str, tuple[str, ...]]
    test_files: Mapping[str, str]
    durations: Mapping[str, float] = field(default_factory=dict)
    flaky: tuple[str, ...] = ()
    shapes: Mapping[str, Shape] = field(default_factory=dict)  # measured .py files

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "version": STATE_VERSION,
            "key": dict(self.key),
            "files": dict(self.files),
            "outcomes": {k: list(v) for k, v in self.outcomes.items()},
            "test_files": dict(self.test_files),
            "durations": dict(self.durations),
            "flaky": list(self.flaky),
            "shapes": {k: v.to_dict() for k, v in self.shapes.items()},
        }

    @classmethod
    def from_dict(cls, data: Any) -> State | None:
        """The state, or None when ``data`` is not one this noxci wrote."""
        try:
            if data["version"] != STATE_VERSION:
                return None
            return cls(
                key={str(k): str(v) for k, v in data["key"].items()},
                files={str(k): str(v) for k, v in data["files"].items()},
                outcomes={str(k): _categories(v) for k, v in data["outcomes"].items()},
                test_files={str(k): str(v) for k, v in data["test_files"].items()},
                durations={
                    str(k): float(v)
                    for k, v in data["durations"].items()
                    if isinstance(v, (int, float)) and not isinstance(v, bool)
                },
                flaky=tuple(str(t) for t in data["flaky"]),
                shapes={str(k): Shape.from_dict(v) for k, v in data["shapes"].items()},
            )
        except (KeyError, TypeError, AttributeError, ValueError):
            return None


def _categories(value: Any) -> tuple[str, ...]:
    """A test's recorded categories: a list of pytest's, or the state is refused."""
    if not isinstance(value, list) or not all(c in CATEGORIES for c in value):
        raise ValueError(f"not a list of pytest's categories: {value!r}")
    return tuple(value)


@dataclass(frozen=True, kw_only=True)
class Plan:
    """Full or incremental, why, and the tests whose results are reused."""

    full: bool
    reason: str
    reuse: frozenset[str] = frozenset()
    changed: tuple[str, ...] = ()


def state_dir(root: Path, session: str) -> Path:
    """Where the session's state lives (git-ignored)."""
    return fsutil.ignored_dir(root / STATE_DIR) / "incremental" / session


def load_state(directory: Path, *, root: Path, limit: int) -> State | None:
    """The recorded state, or None (none, unreadable or from another noxci)."""
    try:
        data = safefile.read_json(directory / "state.json", root=root, limit=limit)
    except safefile.FileProblem:
        return None
    return State.from_dict(data)


def save_state(directory: Path, state: State) -> None:
    """Record ``state`` atomically (the coverage data is written beside it first)."""
    directory.mkdir(parents=True, exist_ok=True)
    fsutil.atomic_write_json(directory / "state.json", state.to_dict())


def ci_full_run(env: Mapping[str, str], default_branch: str) -> str | None:
    """Why CI must run in full here (the default branch, a scheduled run), or None."""
    if env.get("GITHUB_EVENT_NAME") == "schedule":
        return "a scheduled CI run always runs every test"
    if env.get("GITHUB_REF") == f"refs/heads/{default_branch}":
        return f"CI on {default_branch} always runs every test"
    return None


@dataclass(frozen=True, kw_only=True)
class Shape:
    """A module's code, told apart: what importers see, where it lies, each body.

    ``skeleton``: a digest of the code outside function bodies (imports,
    constants, class attributes, signatures, defaults, decorators), which
    ran when pytest collected, under no test: a change there may reach any
    test. ``layout``: the same with line numbers: equal, no line moved.
    ``bodies``: each outermost function's first and last line and a digest
    of its body.
    """

    skeleton: str
    layout: str
    bodies: Mapping[str, tuple[int, int, str]]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "skeleton": self.skeleton,
            "layout": self.layout,
            "bodies": {k: list(v) for k, v in self.bodies.items()},
        }

    @classmethod
    def from_dict(cls, data: Any) -> Shape:
        """Build from the JSON form (KeyError, TypeError, ValueError when it is not one)."""
        return cls(
            skeleton=str(data["skeleton"]),
            layout=str(data["layout"]),
            bodies={
                str(k): (int(v[0]), int(v[1]), str(v[2]))
                for k, v in data["bodies"].items()
            },
        )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def shape(text: str) -> Shape | None:
    """The :class:`Shape` of a module's source (None: not Python)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    bodies: dict[str, tuple[int, int, str]] = {}

    def strip(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                body = ast.dump(ast.Module(body=child.body, type_ignores=[]))
                end = child.end_lineno or child.lineno
                bodies[name] = (child.lineno, end, _digest(body))
                child.body = [ast.Pass()]
            elif isinstance(child, ast.ClassDef):
                strip(child, f"{prefix}{child.name}.")
            else:
                strip(child, prefix)

    strip(tree, "")
    # Lines, not columns: an edit inside a body moves its function's end
    # column, never a line of anything else.
    lines = [
        f"{type(node).__name__}:{node.lineno}-{node.end_lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt) and hasattr(node, "lineno")  # not our Pass
    ]
    return Shape(
        skeleton=_digest(ast.dump(tree)),
        layout=_digest("\n".join(lines)),
        bodies=bodies,
    )


def changed_lines(was: Shape, now: Shape) -> set[int] | None:
    """The lines of the function bodies that changed, or None when lines moved."""
    if was.layout != now.layout:
        return None
    lines: set[int] = set()
    for name, (start, end, body) in now.bodies.items():
        if was.bodies.get(name, (0, 0, ""))[2] != body:
            lines.update(range(start, end + 1))
    return lines


def _global(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(base, pattern) for pattern in GLOBAL)


def _key_change(old: Mapping[str, str], new: Mapping[str, str]) -> str | None:
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    if not changed:
        return None
    return ", ".join(changed) + " changed"


def _needs_all(
    name: str,
    touched: Mapping[str, set[str]],
    by_module: Mapping[str, set[str]],
    shapes: tuple[Shape | None, Shape | None],
) -> str | None:
    """Why a change to ``name`` needs every test to run, or None.

    ``shapes``: the module's :class:`Shape` then and now.
    """
    if _global(name):
        return f"{name} changed"
    if name in by_module:
        return None  # a test module: its own tests run again
    if name in touched:
        was, now = shapes
        if now is not None and (was is None or was.skeleton != now.skeleton):
            return (
                f"{name} changed outside its function bodies (what every importer sees)"
            )
        return None
    if not name.endswith(".py"):
        return f"{name} changed, and coverage cannot say which tests read it"
    return f"{name} changed, and no test executed it or lives in it"


def _again(
    name: str,
    touched: Mapping[str, set[str]],
    shapes: tuple[Shape | None, Shape | None],
    lines_of: Callable[[str], Mapping[str, set[int]] | None],
) -> set[str]:
    """The tests a change to module ``name`` reaches.

    Where no line moved, those that executed a line of a changed function
    body; otherwise every test that executed the module.
    """
    was, now = shapes
    lines = changed_lines(was, now) if was is not None and now is not None else None
    executed = lines_of(name) if lines is not None else None
    if lines is None or executed is None:
        return set(touched.get(name, set()))
    return {test for test, ran in executed.items() if ran & lines}


def plan(
    state: State | None,
    *,
    key: Mapping[str, str],
    files: Mapping[str, str],
    touched: Mapping[str, set[str]] | None,
    forced: str | None = None,
    shape_now: Callable[[str], Shape | None] = lambda _name: None,
    lines_of: Callable[[str], Mapping[str, set[int]] | None] = lambda _name: None,
) -> Plan:
    """Decide what this run re-runs (see the module docstring).

    ``shape_now`` gives a changed module's :class:`Shape` as it is now;
    ``lines_of`` the lines each test executed in a module, from the coverage
    data (None: unknown, and every test that executed it runs again).
    """
    why = (
        forced
        or ("no earlier complete run is recorded" if state is None else None)
        or (_key_change(state.key, key) if state is not None else None)
        or (
            "the earlier run's per-test coverage is unusable"
            if touched is None
            else None
        )
    )
    if why or state is None or touched is None:
        return Plan(full=True, reason=why or "")
    changed = sorted(
        name
        for name in files.keys() | state.files.keys()
        if files.get(name) != state.files.get(name)
    )
    by_module: dict[str, set[str]] = {}
    for test, module in state.test_files.items():
        by_module.setdefault(module, set()).add(test)
    again: set[str] = set()
    for name in changed:
        shapes = (state.shapes.get(name), shape_now(name))
        if (why := _needs_all(name, touched, by_module, shapes)) is not None:
            return Plan(full=True, reason=why, changed=(name,))
        again |= by_module.get(name, set())
        if name in touched:
            again |= _again(name, touched, shapes, lines_of)
    again |= {t for t, cats in state.outcomes.items() if BAD & set(cats)}
    again |= set(state.flaky)
    reuse = frozenset(state.outcomes) - again
    if not reuse:
        return Plan(
            full=True, reason="every test may be affected", changed=tuple(changed)
        )
    return Plan(
        full=False,
        reason=f"{len(changed)} file(s) changed" if changed else "nothing changed",
        reuse=reuse,
        changed=tuple(changed),
    )


def merge(
    state: State, reuse: frozenset[str], run: RunLog, collected: Mapping[str, str]
) -> RunLog:
    """The outcomes of this run plus the reused ones of tests still collected."""
    kept = [t for t in collected if t in reuse and t not in run.tests]
    tests = {t: state.outcomes[t] for t in kept}
    tests.update(run.tests)
    durations = {t: state.durations[t] for t in kept if t in state.durations}
    durations.update(run.durations)
    return RunLog(
        tests=tests,
        collection_errors=run.collection_errors,
        locations=run.locations,
        duration_s=run.duration_s + sum(durations.get(t, 0.0) for t in kept),
        durations=durations,
        finished=run.finished,
        exitstatus=run.exitstatus,
    )
