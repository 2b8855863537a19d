"""Job logic without nox: fake runners for the error paths, real files for the rest."""

from __future__ import annotations

import configparser
from collections.abc import Callable
from pathlib import Path

import pytest

from noxci.config import Config
from noxci.errors import ToolError
from noxci.jobs import get_job
from noxci.jobs.base import JobContext, Outcome
from noxci.jobs.lint import choose_formatter
from noxci.jobs.tests import (
    below_minimum,
    choose_workers,
    coverage_minimum,
    coverage_rc,
)
from noxci.parsers.coverage import CoverageTotals
from noxci.report import Status, read_report
from noxci.runjob import execute, report_path
from tests.conftest import FakeRunner

MakeConfig = Callable[[str], Config]


def _ctx(config: Config, job: str, **kw: object) -> JobContext:
    return JobContext(config=config, job=job, session=job, python="3.11", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("job", ["lint", "typecheck"])
def test_missing_tool_gives_an_error_report(make_config: MakeConfig, job: str) -> None:
    config = make_config("")
    ctx = _ctx(
        config, job, runner=FakeRunner([ToolError(f"{job}-tool: command not found")])
    )
    report = execute(ctx, get_job(job))
    assert report.status is Status.ERROR
    assert report.error is not None
    assert "command not found" in report.error
    assert read_report(report_path(config, job)) == report
    assert report.tools[0].exit_code is None


def test_crashing_tool_is_error_never_passed(make_config: MakeConfig) -> None:
    config = make_config("")

    crash = FakeRunner([(2, "ruff failed\n  Cause: bad toml")])
    report = execute(_ctx(config, "lint", runner=crash), get_job("lint"))
    assert report.status is Status.ERROR
    assert report.error == "ruff check exited 2: ruff failed | Cause: bad toml"


def test_execute_records_inputs_and_redacts(make_config: MakeConfig) -> None:
    from noxci import console

    config = make_config("")
    console.register_secret("hunter2-secret")
    report = execute(
        _ctx(config, "lint"),
        lambda _ctx: Outcome(
            status=Status.ERROR, summary="x hunter2-secret", error="bad hunter2-secret"
        ),
    )
    assert report.summary == "x ***"
    assert report.error == "bad ***"
    assert report.inputs.file_count == 1  # pyproject.toml
    assert report.inputs.python == "3.11"


def test_unreadable_inputs_make_a_report_that_matches_nothing(
    make_config: MakeConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    from noxci import digest

    config = make_config("")

    def broken(_root: Path) -> list[str]:
        raise digest.DigestError("git exploded")

    monkeypatch.setattr(digest, "list_files", broken)
    one = execute(
        _ctx(config, "lint"),
        lambda _c: Outcome(
            status=Status.PASSED,
            summary="ok",
            metrics={"ruff_findings": 0, "ruff_fixable": 0, "format_unformatted": 0},
        ),
    )
    two = execute(
        _ctx(config, "lint"),
        lambda _c: Outcome(
            status=Status.PASSED,
            summary="ok",
            metrics={"ruff_findings": 0, "ruff_fixable": 0, "format_unformatted": 0},
        ),
    )
    assert one.inputs_digest != two.inputs_digest


def test_formatter_detection(make_config: MakeConfig) -> None:
    config = make_config("")
    assert choose_formatter(_ctx(config, "lint")) == "ruff"
    pyproject = config.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.black]\nline-length = 100\n")

    assert choose_formatter(_ctx(config, "lint")) == "black"
    assert (
        choose_formatter(
            _ctx(make_config("[tool.noxci.lint]\nformatter = 'none'\n"), "lint")
        )
        == "none"
    )


def test_coverage_rc_keeps_project_settings_and_adds_ours(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    config = make_config("""
        [tool.coverage.run]
        branch = false
        omit = ["*/vendored/*"]
        patch = ["_exit"]

        [tool.coverage.report]
        fail_under = 95
        precision = 2
        """)
    rc = configparser.RawConfigParser()
    rc.read_string(coverage_rc(_ctx(config, "tests"), tmp_path / ".coverage"))
    assert rc.get("run", "branch") == "False"  # the project's choice wins
    assert rc.get("run", "parallel") == "True"
    assert rc.get("run", "patch").split() == [
        "_exit"
    ]  # measures what the project measures
    # The project's omit, and noxci's own files (the worker plugin beside the
    # data file): with no `source`, coverage would measure them.
    assert rc.get("run", "omit").split() == ["*/vendored/*", f"{tmp_path}/*"]
    assert not rc.has_option("run", "source")  # the project's own config decides
    assert rc.get("run", "data_file") == str(tmp_path / ".coverage")
    assert rc.get("report", "precision") == "2"
    assert rc.get("report", "fail_under") == "0"  # noxci applies the minimum
    assert coverage_minimum(_ctx(config, "tests")) == 95.0


def test_coverage_minimum_precedence(make_config: MakeConfig) -> None:
    assert coverage_minimum(_ctx(make_config(""), "tests")) == 80.0
    explicit = make_config(
        "[tool.noxci.tests]\ncoverage-min = 70\n[tool.coverage.report]\nfail_under = 95\n"
    )
    assert coverage_minimum(_ctx(explicit, "tests")) == 70.0


@pytest.mark.parametrize(
    ("percent", "display", "minimum", "below"),
    [
        (79.6, "80", 80.0, False),  # coverage rounds to its precision first
        (79.4, "79", 80.0, True),
        (99.99, "99.99", 100.0, True),  # 100 means 100
        (100.0, "100", 100.0, False),
    ],
)
def test_below_minimum_matches_coverage(
    percent: float, display: str, minimum: float, below: bool
) -> None:
    totals = CoverageTotals(
        percent=percent,
        display=display,
        statements=10,
        missing=0,
        branches=0,
        partial_branches=0,
        precision=len(display.partition(".")[2]),
    )
    assert below_minimum(totals, minimum) is below


def test_workers_auto_goes_serial_for_quick_suites(make_config: MakeConfig) -> None:
    import dataclasses

    from tests.conftest import make_report

    config = make_config("")
    ctx = _ctx(config, "tests")
    assert choose_workers(ctx) >= 1  # no history: parallel

    def after(seconds: object) -> JobContext:
        last = make_report(
            session="tests", job="tests", metrics={"tests_duration_s": seconds}
        )
        return dataclasses.replace(ctx, previous=last)

    assert choose_workers(after(1.2)) == 0
    assert choose_workers(after(60)) >= 1
    assert choose_workers(after("soon")) >= 1
    assert (
        choose_workers(_ctx(make_config("[tool.noxci.tests]\nworkers = 3\n"), "tests"))
        == 3
    )


@pytest.mark.parametrize(
    ("durations", "timings", "serial"),
    [
        # 62k tiny tests: xdist took 168 s, their own durations sum to 60 s.
        (60.0, {"parallel_s": 168.0}, True),
        (300.0, {"parallel_s": 150.0}, False),  # slow tests: xdist pays
        (60.0, {"parallel_s": 168.0, "serial_s": 104.0}, True),  # both measured
        (60.0, {"parallel_s": 90.0, "serial_s": 104.0}, False),
        (60.0, {"serial_s": 104.0}, False),  # a slow serial run tries xdist once
        (60.0, {"serial_s": 3.0}, True),
        (60.0, {"serial_s": "x", "parallel_s": -1}, False),  # nonsense is ignored
        # freezegun: 11 s per frozen test, 55 s in all, from a 5.5 s run on
        # 4 workers: not believed, so serial is measured once.
        (55.0, {"parallel_s": 5.5}, True),
        (15.0, {"parallel_s": 5.5}, False),  # plausible: xdist pays
    ],
)
def test_worker_choice_takes_the_mode_measured_faster(
    durations: float, timings: dict[str, object], serial: bool
) -> None:
    from noxci.jobs.workers import choose
    from tests.conftest import make_report

    last = make_report(
        session="tests",
        job="tests",
        metrics={"tests_duration_s": durations},
        details={"timings": timings},
    )
    workers = choose("auto", last, serial_below_s=5.0, cpus=4)
    assert workers == (0 if serial else 4)
    assert choose("auto", last, serial_below_s=5.0, cpus=1) == 0
    assert choose(2, last, serial_below_s=5.0, cpus=4) == 2


def test_worker_timings_keep_the_other_modes_figure() -> None:
    from noxci.jobs.workers import timings
    from tests.conftest import make_report

    last = make_report(
        session="tests", job="tests", details={"timings": {"parallel_s": 168.0}}
    )
    assert timings(last, 0, 104.04) == {"parallel_s": 168.0, "serial_s": 104.04}
    assert timings(None, 4, 9.5) == {"parallel_s": 9.5}


def test_cache_rules(make_config: MakeConfig) -> None:
    import dataclasses

    from noxci.cache import cache_enabled, reusable
    from tests.conftest import make_inputs, make_report

    config = make_config("")
    report = make_report()
    where = {"session": "lint", "job": "lint"}
    assert reusable(report, report.inputs, **where) == report.as_cached()
    assert reusable(report, make_inputs(python="3.12"), **where) is None
    assert reusable(report, make_inputs(salt="2026-11-28"), **where) is None
    assert reusable(report, make_inputs(args=("-x",)), **where) is None
    assert reusable(report, report.inputs, session="tests", job="tests") is None
    errored = dataclasses.replace(report, status=Status.ERROR, error="boom", metrics={})
    assert reusable(errored, report.inputs, **where) is None  # errors are never reused
    assert cache_enabled(config.job("lint"), {})
    assert not cache_enabled(config.job("lint"), {"NOXCI_CACHE": "0"})
    assert not cache_enabled(config.job("smoke"), {})  # staging state is never cached
    assert config.job("security").cache == "daily"


def test_coverage_rc_defaults_only_without_project_config(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    rc = configparser.RawConfigParser()
    rc.read_string(coverage_rc(_ctx(make_config(""), "tests"), tmp_path / ".coverage"))
    assert rc.get("run", "branch") == "True"
    assert rc.get("run", "source").split() == ["."]  # flat project, no packages
    assert not rc.has_option("run", "patch")  # as coverage's own default


def test_lint_names_the_root_for_a_ruff_that_needs_a_path(
    make_config: MakeConfig,
) -> None:
    """ruff 0.1 (humanize 4.9's) stops when given no path, and cannot write SARIF."""
    from noxci import proc

    config = make_config("")
    (config.root / "a.py").write_text("x = 1\n", encoding="utf-8")
    formatted = (Path(__file__).parents[1] / "data" / "tool-output").joinpath(
        "ruff-format-0.1.6-clean.txt"
    )
    calls: list[tuple[str, ...]] = []

    def ruff_0_1(
        argv: object, *, cwd: Path, capture: bool = True, **_kw: object
    ) -> proc.Completed:
        args = tuple(str(a) for a in argv)  # type: ignore[attr-defined]
        calls.append(args)
        named = [a for a in args[2:] if not a.startswith("-") and (cwd / a).exists()]
        code, stdout, stderr = 0, "[]", ""
        if not named:
            code, stdout = 2, ""
            stderr = "ruff failed\n  Cause: Expected at least one path to search for Python files"
        elif "sarif" in args:
            code, stdout = 2, ""
            stderr = (
                "error: invalid value 'sarif' for '--output-format <OUTPUT_FORMAT>'"
            )
        elif "--show-files" in args:
            stdout = str(cwd / "a.py")
        elif args[1] == "format":
            stdout = formatted.read_text(encoding="utf-8")
        return proc.Completed(
            argv=args, returncode=code, stdout=stdout, stderr=stderr, duration_s=0.0
        )

    report = execute(_ctx(config, "lint", runner=ruff_0_1), get_job("lint"))
    assert report.status is Status.PASSED, report.error
    assert report.metrics["ruff_files_checked"] == 1
    assert report.metrics["format_files_checked"] == 1
    assert all("." in call for call in calls)
    assert "ruff-sarif" not in report.artifacts


def test_the_format_check_counts_what_ruff_format_check_counts(
    make_config: MakeConfig,
) -> None:
    """From 0.16 ruff formats Markdown too; noxci's count equals the one by hand.

    itsdangerous pins no ruff: a README that ruff 0.17 would reformat left
    lint passing while `ruff format --check` failed (a false pass).
    """
    from noxci import proc

    config = make_config("")
    (config.root / "a.py").write_text("x = 1\n", encoding="utf-8")
    (config.root / "README.md").write_text("```python\nx=1\n```\n", encoding="utf-8")

    def ruff(argv: object, *, cwd: Path, **_kw: object) -> proc.Completed:
        args = tuple(str(a) for a in argv)  # type: ignore[attr-defined]
        stdout = "[]"
        if "--show-files" in args:
            stdout = str(cwd / "a.py")
        elif args[1] == "format":
            markdown = not any("*.md" in a for a in args)
            stdout = (
                "README.md:2:1: unformatted: File would be reformatted\n"
                "1 file would be reformatted, 1 file already formatted\n"
                if markdown
                else "1 file already formatted\n"
            )
        return proc.Completed(
            argv=args, returncode=0, stdout=stdout, stderr="", duration_s=0.0
        )

    report = execute(_ctx(config, "lint", runner=ruff), get_job("lint"))
    assert report.status is Status.FAILED
    assert report.details["unformatted"] == ["README.md"]


def test_a_project_that_lints_with_flake8_is_linted_with_flake8(
    make_config: MakeConfig,
) -> None:
    """tabulate runs flake8 (tox.ini, pre-commit); ruff's defaults found 306 findings."""
    from noxci import proc
    from noxci.jobs.lint import choose_linter, tools

    config = make_config("")
    (config.root / "a.py").write_text("x = 1\n", encoding="utf-8")
    assert choose_linter(_ctx(config, "lint")) == "ruff"
    (config.root / "tox.ini").write_text("[flake8]\nmax-line-length = 99\n")
    assert choose_linter(_ctx(config, "lint")) == "flake8"
    # ruff stays, for the format check: the project formats with ruff format.
    assert [t.split("==")[0] for t in tools(_ctx(config, "lint"))] == ["ruff", "flake8"]
    calls: list[tuple[str, ...]] = []

    def flake8(argv: object, *, cwd: Path, **_kw: object) -> proc.Completed:
        args = tuple(str(a) for a in argv)  # type: ignore[attr-defined]
        calls.append(args)
        stdout = (
            "./a.py:1:2: E225 missing whitespace around operator\n"
            "0.01 seconds elapsed\n1          total files processed\n"
            if args[0].endswith("flake8")
            else "1 file already formatted\n"
        )
        return proc.Completed(
            argv=args, returncode=0, stdout=stdout, stderr="", duration_s=0.0
        )

    report = execute(_ctx(config, "lint", runner=flake8), get_job("lint"))
    assert report.status is Status.FAILED, report.error
    assert report.metrics["flake8_findings"] == 1
    assert "ruff_findings" not in report.metrics
    assert report.summary.startswith("flake8: 1 finding(s) in 1 file(s)")
    assert not any(call[1] == "check" for call in calls)  # no ruff check
    # A project that configures ruff as well lints with ruff.
    pyproject = config.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.ruff]\nline-length = 99\n")
    assert choose_linter(_ctx(config, "lint")) == "ruff"
