"""Incremental test runs: the plan, the coverage data kept, the JUnit merged."""

from __future__ import annotations

import dataclasses
import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from coverage import CoverageData

from noxci.jobs import covcontexts, incremental
from noxci.jobs.incremental import Plan, State
from noxci.jobs.junit import add_reused
from noxci.parsers.pytest_log import RunLog

KEY = {"python": "3.11", "noxci": "0.1.0", "packages": "p", "pytest": "9.2.0"}
FILES = {
    "src/pkg/a.py": "a1",
    "src/pkg/b.py": "b1",
    "tests/test_a.py": "ta1",
    "tests/test_b.py": "tb1",
    "tests/conftest.py": "c1",
    "tests/data/x.json": "x1",
    "tests/helpers.py": "h1",
    "pyproject.toml": "p1",
    "uv.lock": "l1",
}
STATE = State(
    key=KEY,
    files=FILES,
    outcomes={
        "tests/test_a.py::test_one": ("passed",),
        "tests/test_a.py::test_two": ("passed",),
        "tests/test_b.py::test_three": ("passed",),
        "tests/test_b.py::test_four": ("skipped",),
        "tests/test_b.py::test_five": ("failed",),
    },
    test_files={
        "tests/test_a.py::test_one": "tests/test_a.py",
        "tests/test_a.py::test_two": "tests/test_a.py",
        "tests/test_b.py::test_three": "tests/test_b.py",
        "tests/test_b.py::test_four": "tests/test_b.py",
        "tests/test_b.py::test_five": "tests/test_b.py",
    },
    durations={"tests/test_a.py::test_one": 0.5},
    flaky=("tests/test_a.py::test_two",),
)
TOUCHED = {
    "src/pkg/a.py": {"tests/test_a.py::test_one", "tests/test_b.py::test_three"},
    "src/pkg/b.py": {"tests/test_b.py::test_four"},
}


def _plan(**changes: str | None) -> Plan:
    files = {**FILES, **{k: v for k, v in changes.items() if v is not None}}
    for name, value in changes.items():
        if value is None:
            files.pop(name)
    return incremental.plan(STATE, key=KEY, files=files, touched=TOUCHED)


def _changed(name: str, value: str | None = "new") -> Plan:
    return _plan(**{name: value})


def test_a_changed_module_reruns_the_tests_that_executed_it() -> None:
    plan = _changed("src/pkg/b.py")
    assert not plan.full
    # test_four executed b.py; test_five failed and test_two was flaky: always again.
    assert plan.reuse == {"tests/test_a.py::test_one", "tests/test_b.py::test_three"}
    assert plan.changed == ("src/pkg/b.py",)


def test_a_changed_test_module_reruns_its_tests() -> None:
    plan = _changed("tests/test_a.py")
    assert plan.reuse == {"tests/test_b.py::test_three", "tests/test_b.py::test_four"}


def test_a_deleted_module_reruns_the_tests_that_executed_it() -> None:
    plan = _changed("src/pkg/a.py", None)
    assert plan.reuse == {"tests/test_b.py::test_four"}


def test_nothing_changed_reruns_only_failed_and_flaky_tests() -> None:
    plan = incremental.plan(STATE, key=KEY, files=FILES, touched=TOUCHED)
    assert not plan.full
    assert plan.reason == "nothing changed"
    assert plan.reuse == set(STATE.outcomes) - {
        "tests/test_b.py::test_five",
        "tests/test_a.py::test_two",
    }


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("uv.lock", "uv.lock changed"),
        ("pyproject.toml", "pyproject.toml changed"),
        ("tests/conftest.py", "tests/conftest.py changed"),
        ("requirements-dev.txt", "requirements-dev.txt changed"),
        (
            "tests/data/x.json",
            "tests/data/x.json changed, and coverage cannot say which tests read it",
        ),
        (
            "tests/helpers.py",
            "tests/helpers.py changed, and no test executed it or lives in it",
        ),
        (
            "src/pkg/new.py",
            "src/pkg/new.py changed, and no test executed it or lives in it",
        ),
    ],
)
def test_changes_no_test_can_be_traced_to_run_everything(
    name: str, reason: str
) -> None:
    plan = _changed(name)
    assert (plan.full, plan.reason, plan.reuse) == (True, reason, frozenset())


def test_another_python_tools_or_noxci_run_everything() -> None:
    for key, value in [("python", "3.12"), ("pytest", "9.3.0"), ("packages", "q")]:
        plan = incremental.plan(
            STATE, key={**KEY, key: value}, files=FILES, touched=TOUCHED
        )
        assert (plan.full, plan.reason) == (True, f"{key} changed")


def test_no_state_no_contexts_or_a_forced_run_run_everything() -> None:
    assert incremental.plan(None, key=KEY, files=FILES, touched=TOUCHED).reason == (
        "no earlier complete run is recorded"
    )
    assert incremental.plan(STATE, key=KEY, files=FILES, touched=None).full
    forced = incremental.plan(
        STATE, key=KEY, files=FILES, touched=TOUCHED, forced="asked for (--full)"
    )
    assert (forced.full, forced.reason) == (True, "asked for (--full)")


def test_when_every_test_is_affected_the_run_is_full() -> None:
    touched = {"src/pkg/a.py": set(STATE.outcomes)}
    plan = incremental.plan(
        STATE, key=KEY, files={**FILES, "src/pkg/a.py": "a2"}, touched=touched
    )
    assert (plan.full, plan.reason) == (True, "every test may be affected")


def test_ci_runs_in_full_on_the_default_branch_and_on_schedule() -> None:
    main = {"GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_NAME": "push"}
    assert incremental.ci_full_run(main, "main") == (
        "CI on main always runs every test"
    )
    nightly = {"GITHUB_REF": "refs/heads/x", "GITHUB_EVENT_NAME": "schedule"}
    assert incremental.ci_full_run(nightly, "main") is not None
    pr = {"GITHUB_REF": "refs/pull/7/merge", "GITHUB_EVENT_NAME": "pull_request"}
    assert incremental.ci_full_run(pr, "main") is None
    assert incremental.ci_full_run({}, "main") is None


def test_merge_takes_over_the_reused_tests_still_collected() -> None:
    run = RunLog(
        tests={
            "tests/test_b.py::test_five": ("passed",),
            "tests/test_new.py::t": ("passed",),
        },
        collection_errors={},
        duration_s=1.0,
        durations={"tests/test_b.py::test_five": 1.0},
        finished=True,
    )
    collected = {
        "tests/test_a.py::test_one": "tests/test_a.py",
        "tests/test_b.py::test_five": "tests/test_b.py",
        "tests/test_new.py::t": "tests/test_new.py",
    }  # test_three was deleted since
    merged = incremental.merge(
        STATE,
        frozenset({"tests/test_a.py::test_one", "tests/test_b.py::test_three"}),
        run,
        collected,
    )
    assert merged.tests == {
        "tests/test_a.py::test_one": ("passed",),
        "tests/test_b.py::test_five": ("passed",),
        "tests/test_new.py::t": ("passed",),
    }
    assert merged.duration_s == pytest.approx(1.5)


def test_the_state_round_trips_and_refuses_what_another_noxci_wrote(
    tmp_path: Path,
) -> None:
    incremental.save_state(tmp_path, STATE)
    assert incremental.load_state(tmp_path, root=tmp_path, limit=1 << 20) == STATE
    (tmp_path / "state.json").write_text('{"version": 99}')
    assert incremental.load_state(tmp_path, root=tmp_path, limit=1 << 20) is None
    (tmp_path / "state.json").write_text("{broken")
    assert incremental.load_state(tmp_path, root=tmp_path, limit=1 << 20) is None


def _data(path: Path, root: Path, *, arcs: bool) -> None:
    """Coverage data with a context per test, as noxci_select records it."""
    data = CoverageData(basename=str(path))
    a, b = str(root / "src/pkg/a.py"), str(root / "src/pkg/b.py")
    for context, files in [
        ("", {a: [1, 2], b: [1]}),  # collection: imports
        ("tests/test_a.py::test_one", {a: [3, 4]}),
        ("tests/test_b.py::test_four", {b: [5]}),
        ("tests/test_b.py::test_three", {a: [3], b: [6]}),
    ]:
        data.set_context(context)
        if arcs:
            data.add_arcs(
                {
                    f: {(-1, lines[0]), *itertools.pairwise(lines)}
                    for f, lines in files.items()
                }
            )
        else:
            data.add_lines(files)
    data.write()


@pytest.mark.parametrize("arcs", [False, True], ids=["lines", "branches"])
def test_the_data_says_who_executed_what_and_keeps_some_tests(
    tmp_path: Path, arcs: bool
) -> None:
    db = tmp_path / ".coverage"
    _data(db, tmp_path, arcs=arcs)
    assert covcontexts.executed_by(db, tmp_path) == {
        "src/pkg/a.py": {"tests/test_a.py::test_one", "tests/test_b.py::test_three"},
        "src/pkg/b.py": {"tests/test_b.py::test_four", "tests/test_b.py::test_three"},
    }
    covcontexts.keep_tests(db, {"tests/test_a.py::test_one"})
    data = CoverageData(basename=str(db))
    data.read()
    assert data.measured_contexts() == {"tests/test_a.py::test_one"}
    # b.py was executed only by tests that are gone (and at import): not measured now.
    assert data.measured_files() == {str(tmp_path / "src/pkg/a.py")}
    assert sorted(data.lines(str(tmp_path / "src/pkg/a.py")) or []) == [3, 4]


@pytest.mark.parametrize("arcs", [False, True], ids=["lines", "branches"])
def test_the_lines_each_test_ran_in_a_file(tmp_path: Path, arcs: bool) -> None:
    db = tmp_path / ".coverage"
    _data(db, tmp_path, arcs=arcs)
    assert covcontexts.lines_by_test(db, tmp_path, "src/pkg/a.py") == {
        "tests/test_a.py::test_one": {3, 4} | ({1} if arcs else set()),
        "tests/test_b.py::test_three": {3} | ({1} if arcs else set()),
    }


def test_another_schema_or_no_data_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(covcontexts.Unusable, match="no coverage data"):
        covcontexts.executed_by(tmp_path / "missing", tmp_path)
    db = tmp_path / ".coverage"
    _data(db, tmp_path, arcs=False)
    import sqlite3

    with sqlite3.connect(db) as con:
        con.execute("update coverage_schema set version = 8")
    with pytest.raises(covcontexts.Unusable, match="schema 8, not 7"):
        covcontexts.keep_tests(db, set())


def test_a_static_context_of_the_projects_is_seen_through(tmp_path: Path) -> None:
    db = tmp_path / ".coverage"
    data = CoverageData(basename=str(db))
    data.set_context("ci")
    data.add_lines({str(tmp_path / "m.py"): [1]})
    data.set_context("ci|tests/t.py::test_x[a|b]")
    data.add_lines({str(tmp_path / "m.py"): [2]})
    data.write()
    assert covcontexts.executed_by(db, tmp_path, static="ci") == {
        "m.py": {"tests/t.py::test_x[a|b]"}
    }


def _junit(path: Path, cases: str, tests: int, skipped: int) -> None:
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">'
        f'<testsuite name="pytest" errors="0" failures="0" skipped="{skipped}" '
        f'tests="{tests}" time="1.000">{cases}</testsuite></testsuites>'
    )


def test_the_junit_file_gets_the_reused_tests(tmp_path: Path) -> None:
    earlier, now = tmp_path / "earlier.xml", tmp_path / "now.xml"
    _junit(
        earlier,
        '<testcase classname="tests.test_a" name="test_one" time="0.5"/>'
        '<testcase classname="tests.test_b" name="test_four" time="0.25"><skipped/></testcase>'
        '<testcase classname="tests.test_b" name="test_five" time="0.1"><failure/></testcase>',
        3,
        1,
    )
    _junit(
        now, '<testcase classname="tests.test_b" name="test_five" time="0.1"/>', 1, 0
    )
    added = add_reused(
        now, earlier, ["tests/test_a.py::test_one", "tests/test_b.py::test_four"]
    )
    assert added == 2
    suite = ET.parse(now).getroot().find("testsuite")  # noqa: S314 - written above
    assert suite is not None
    assert (suite.get("tests"), suite.get("skipped"), suite.get("failures")) == (
        "3",
        "1",
        "0",
    )
    assert suite.get("time") == "1.750"
    names = [case.get("name") for case in suite.iter("testcase")]
    assert names == ["test_five", "test_one", "test_four"]


BODY = '''"""A module."""

LIMIT = 3


def f(x: int = 1) -> int:
    """F."""
    return x + LIMIT
'''


def _shape(text: str) -> incremental.Shape:
    found = incremental.shape(text)
    assert found is not None
    return found


def test_the_shape_tells_bodies_from_what_importers_see() -> None:
    base = _shape(BODY)
    same = _shape(BODY.replace("x + LIMIT", "LIMIT + x"))
    assert (same.skeleton, same.layout) == (base.skeleton, base.layout)
    assert incremental.changed_lines(base, same) == {6, 7, 8}  # f, lines 6-8
    assert incremental.changed_lines(base, _shape(BODY)) == set()
    outside = [
        BODY.replace("LIMIT = 3", "LIMIT = 4"),  # a constant
        BODY.replace("x: int = 1", "x: int = 2"),  # a default
        BODY.replace('"""A module."""', '"""A module."""\n\nimport os'),  # an import
    ]
    for text in outside:
        assert _shape(text).skeleton != base.skeleton, text
    longer = _shape(
        BODY.replace("    return x + LIMIT", "    y = x\n    return y + LIMIT")
    )
    assert longer.skeleton == base.skeleton
    assert incremental.changed_lines(base, longer) is None  # lines moved
    assert incremental.shape("def broken(:\n") is None


def _plan_with(
    now: incremental.Shape | None,
    state: State,
    lines: dict[str, set[int]] | None = None,
) -> Plan:
    files = {**FILES, "src/pkg/b.py": "b2"}
    return incremental.plan(
        state,
        key=KEY,
        files=files,
        touched=TOUCHED,
        shape_now=lambda _n: now,
        lines_of=lambda _n: lines,
    )


def test_a_change_outside_function_bodies_runs_every_test() -> None:
    state = dataclasses.replace(STATE, shapes={"src/pkg/b.py": _shape(BODY)})
    assert not _plan_with(_shape(BODY.replace("x + LIMIT", "LIMIT + x")), state).full
    outside = _plan_with(_shape(BODY.replace("LIMIT = 3", "LIMIT = 4")), state)
    assert outside.full
    assert outside.reason.startswith("src/pkg/b.py changed outside its function bodies")
    # No shape recorded for the module: nobody can say, so every test runs.
    assert _plan_with(_shape(BODY), STATE).full


def test_where_no_line_moved_only_tests_that_ran_the_changed_body_run() -> None:
    two = BODY + '\n\ndef g() -> int:\n    """G."""\n    return 0\n'
    state = dataclasses.replace(STATE, shapes={"src/pkg/b.py": _shape(two)})
    touched = {
        **TOUCHED,
        "src/pkg/b.py": {"tests/test_b.py::test_four", "tests/test_a.py::test_one"},
    }
    state_lines = {  # test_one ran only g (lines 11-13); test_four ran f (6-8)
        "tests/test_a.py::test_one": {11, 12, 13},
        "tests/test_b.py::test_four": {1, 3, 6, 8},
    }
    plan = incremental.plan(
        state,
        key=KEY,
        files={**FILES, "src/pkg/b.py": "b2"},
        touched=touched,
        shape_now=lambda _n: _shape(two.replace("x + LIMIT", "LIMIT + x")),
        lines_of=lambda _n: state_lines,
    )
    assert not plan.full
    assert "tests/test_a.py::test_one" in plan.reuse  # it never ran f
    assert "tests/test_b.py::test_four" not in plan.reuse
    moved = incremental.plan(
        state,
        key=KEY,
        files={**FILES, "src/pkg/b.py": "b2"},
        touched=touched,
        shape_now=lambda _n: _shape(
            two.replace("    return x + LIMIT", "    y = x\n    return y + LIMIT")
        ),
        lines_of=lambda _n: state_lines,
    )
    assert (
        "tests/test_a.py::test_one" not in moved.reuse
    )  # lines moved: the module's tests


def test_a_state_with_nonsense_outcomes_is_refused(tmp_path: Path) -> None:
    data = STATE.to_dict()
    data["outcomes"]["tests/test_a.py::test_one"] = "failed"  # a string, not a list
    assert State.from_dict(data) is None
    data["outcomes"]["tests/test_a.py::test_one"] = ["exploded"]
    assert State.from_dict(data) is None
