"""Readiness end to end on a project on disk: reports, freshness, outputs, exits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from noxci.cli import main
from noxci.config import Config
from noxci.errors import ExitCode
from noxci.github import GitHubSettings
from noxci.readiness.document import read_document
from noxci.readiness.history import read_history
from noxci.readiness.model import CiRun, Gate
from noxci.readiness.run import Options, readiness
from noxci.report import Status, read_report, write_report
from tests.readiness_helpers import (
    ci_runs,
    fetch_returning,
    fresh_report,
    passing_set,
    write_project,
)

NOW = "2026-11-27T10:00:00Z"
GITHUB = GitHubSettings(
    token="t0ken-value", repository="acme/widget", api_url="http://127.0.0.1:9"
)


def _options(runs: str = "ssssssssss", **kw: object) -> Options:
    return Options(now=NOW, github=GITHUB, fetch=fetch_returning(ci_runs(runs)), **kw)  # type: ignore[arg-type]


@pytest.fixture
def project(tmp_path: Path) -> Config:
    config = write_project(tmp_path)
    passing_set(config)
    return config


def test_passing_project_passes_and_writes_every_output(project: Config) -> None:
    doc = readiness(project, {}, _options(context="ci"))
    assert doc.result.gate is Gate.PASSED
    assert doc.result.score == pytest.approx(40 + 0.3 * 96.5 + 20 + 10)
    out = project.readiness_dir
    assert read_document(out / "readiness.json").to_dict() == doc.to_dict()
    assert json.loads((out / "badge.json").read_text()) == {
        "schemaVersion": 1,
        "label": "readiness",
        "message": "99.0/100 Excellent",
        "color": "brightgreen",
    }
    dashboard = (out / "README.md").read_text()
    assert "**Score 98.95 / 100 · Excellent** (ship it)" in dashboard
    assert "| Test coverage | 30% | 96.50 | 28.95 |" in dashboard
    # Not a git checkout, so not on the default branch: no history line.
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "badge.json",
        "index.html",
        "readiness.json",
    ]


def test_a_local_run_writes_only_where_git_ignores_it(
    project: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    readiness(project, {}, _options(context="preflight"))
    assert not project.readiness_dir.exists()  # the committed dashboard is CI's
    local = project.local_readiness_dir
    assert sorted(p.name for p in local.iterdir()) == [
        ".gitignore",
        "README.md",
        "badge.json",
        "history.jsonl",
        "index.html",
        "readiness.json",
    ]
    assert (local / ".gitignore").read_text() == "*\n"
    assert (
        "the dashboard is in .noxci/readiness/index.html (git ignores it; "
        "`noxci readiness --update` writes the committed readiness/)"
    ) in capsys.readouterr().err
    readiness(project, {}, _options(context="preflight", update=True))
    assert (project.readiness_dir / "history.jsonl").is_file()


def test_history_only_on_the_default_branch_or_in_preflight(project: Config) -> None:
    readiness(project, {"GITHUB_REF_NAME": "feature"}, _options(context="ci"))
    assert read_history(project.readiness_dir / "history.jsonl") == ([], [])
    readiness(project, {"GITHUB_REF_NAME": "main"}, _options(context="ci"))
    readiness(project, {"GITHUB_REF_NAME": "feature"}, _options(context="preflight"))
    entries, bad = read_history(project.readiness_dir / "history.jsonl")
    assert [e.context for e in entries] == ["ci"]
    local, bad_local = read_history(project.local_readiness_dir / "history.jsonl")
    assert [e.context for e in local] == ["preflight"]
    assert bad == bad_local == []


def test_missing_report_is_exit_2_and_named(project: Config) -> None:
    (project.reports_dir / "tests.json").unlink()
    doc = readiness(project, {}, _options())
    assert doc.result.gate is Gate.INCOMPLETE
    assert doc.result.message == "gate failed: incomplete data: tests (missing)"
    assert doc.result.component("coverage").score == 0.0
    assert (
        "- `tests` (missing): no tests.json; run 'nox -s tests'"
        in (project.local_readiness_dir / "README.md").read_text()
    )
    assert (
        json.loads((project.local_readiness_dir / "badge.json").read_text())["message"]
        == "incomplete (70.0)"
    )


def test_changed_source_makes_reports_stale_but_commit_does_not(
    project: Config,
) -> None:
    (project.root / "src" / "widget" / "__init__.py").write_text(
        '"""Widget."""\n\nVALUE = 2\n'
    )
    doc = readiness(project, {}, _options(write=False))
    stale = sorted(p.subject for p in doc.result.problems if p.kind == "stale")
    assert stale == ["docs", "lint", "security", "tests", "typecheck"]
    # Same inputs, different commit: the digest decides, so it is fresh.
    passing_set(project)
    report = read_report(project.reports_dir / "lint.json")
    write_report(
        project.reports_dir / "lint.json",
        report.__class__(
            **{**report.__dict__, "git": report.git.__class__(commit="f" * 40)}
        ),
    )
    assert readiness(project, {}, _options(write=False)).result.gate is Gate.PASSED


def test_readme_change_stales_only_the_docs_report(project: Config) -> None:
    (project.root / "README.md").write_text("# widget, better\n")
    doc = readiness(project, {}, _options(write=False))
    assert [p.subject for p in doc.result.problems] == ["docs"]


def test_errored_and_skipped_sessions_fail_closed(project: Config) -> None:
    fresh_report(
        project,
        "security",
        status=Status.ERROR,
        metrics={},
        error="nothing could be audited",
    )
    fresh_report(project, "typecheck", status=Status.SKIPPED, metrics={})
    doc = readiness(project, {}, _options(write=False))
    kinds = {p.subject: p.kind for p in doc.result.problems}
    assert kinds == {"security": "error", "typecheck": "skipped"}
    assert doc.result.gate.exit_code == 2


def test_report_in_the_wrong_file_is_invalid(project: Config) -> None:
    os.replace(project.reports_dir / "lint.json", project.reports_dir / "docs.json")
    doc = readiness(project, {}, _options(write=False))
    assert {p.subject: p.kind for p in doc.result.problems} == {
        "docs": "invalid",
        "lint": "missing",
    }


def test_github_failure_falls_back_to_cache_with_a_warning(
    project: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    # CI writes the cache (source github) into the committed readiness/.
    readiness(project, {}, _options("ssssssssff", context="ci"))
    from noxci.errors import NetworkError

    def down(*_: object, **__: object) -> list[CiRun]:
        raise NetworkError("GitHub API answered 502")

    doc = readiness(
        project, {}, Options(now="2026-11-27T13:00:00Z", github=GITHUB, fetch=down)
    )
    assert doc.result.ci.source == "cache"
    assert doc.result.ci.fetched_at == NOW
    assert doc.result.component("ci").score == 80.0
    err = capsys.readouterr().err
    assert "noxci > warning: GitHub API answered 502\n" in err
    assert (
        "CI pass rate from GitHub runs cached 3 h ago (fetched 2026-11-27T10:00:00Z; "
        "they may stand in for 24 h)" in err
    )
    assert (
        "Source: **cache**, fetched 2026-11-27T10:00:00Z (3 h old)"
        in (project.local_readiness_dir / "README.md").read_text()
    )
    # A day later the cache is too old to stand in: incomplete, never a pass.
    doc = readiness(
        project, {}, Options(now="2026-11-28T10:00:01Z", github=GITHUB, fetch=down)
    )
    assert doc.result.ci.source == "none"
    assert doc.result.gate is Gate.INCOMPLETE
    assert "no GitHub runs younger than 24 h are cached" in capsys.readouterr().err


def test_without_github_or_cache_preflight_history_counts(project: Config) -> None:
    doc = readiness(project, {}, Options(now=NOW, context="preflight"))
    assert doc.result.ci.source == "preflight"
    assert [r.conclusion for r in doc.result.ci.runs] == ["success"]
    (project.root / "src" / "widget" / "new.py").write_text('"""New."""\n')
    passing_set(project)
    (project.reports_dir / "lint.json").unlink()
    doc = readiness(
        project, {}, Options(now="2026-11-27T11:00:00Z", context="preflight")
    )
    assert [r.conclusion for r in doc.result.ci.runs] == ["failure", "success"]


def test_preflight_run_time_is_recorded_and_averaged(project: Config) -> None:
    from noxci.readiness.history import read_history
    from noxci.readiness.trend import trend

    readiness(project, {}, Options(now=NOW, context="preflight", duration_s=40.0))
    # Another tree, so another run (an unchanged re-run would replace it).
    (project.root / "src" / "widget" / "__init__.py").write_text('"""Widget."""\n')
    passing_set(project)
    doc = readiness(
        project,
        {},
        Options(now="2026-11-27T11:00:00Z", context="preflight", duration_s=20.0),
    )
    assert [r.duration_s for r in doc.result.ci.runs] == [20.0, 40.0]
    entries, bad = read_history(project.local_readiness_dir / "history.jsonl")
    assert (bad, [e.duration_s for e in entries]) == ([], [40.0, 20.0])
    figures = trend(doc, entries, "main").monitoring
    assert (figures.average_build_s, figures.builds_timed) == (30.0, 2)


def test_a_history_line_with_a_bad_run_time_is_unreadable(project: Config) -> None:
    from noxci.readiness.history import read_history

    readiness(project, {}, Options(now=NOW, context="preflight", duration_s=3.0))
    path = project.local_readiness_dir / "history.jsonl"
    path.write_text(path.read_text().replace('"duration_s":3.0', '"duration_s":-1'))
    assert read_history(path)[1] == [1]


def test_cli_rejects_a_bad_duration_in_one_line(
    project: Config, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project.root)
    with pytest.raises(SystemExit) as exc:
        main(["readiness", "--preflight", "--duration", "soon"])
    assert exc.value.code == ExitCode.CONFIG
    err = capsys.readouterr().err
    assert "'soon' is not a number of seconds" in err
    assert "Traceback" not in err


def test_corrupt_history_is_not_trusted_for_the_pass_rate(project: Config) -> None:
    readiness(project, {}, Options(now=NOW, context="preflight"))
    path = project.local_readiness_dir / "history.jsonl"
    path.write_text(path.read_text() + '{"broken": \n')
    doc = readiness(project, {}, Options(now=NOW, context="local", write=False))
    assert doc.result.ci.source == "none"
    assert doc.result.gate is Gate.INCOMPLETE


def test_cli_exit_codes(
    project: Config, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project.root)
    for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "CI", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["readiness", "--preflight"]) == 0  # one passing preflight run
    assert "gate passed" in capsys.readouterr().err
    fresh_report(
        project,
        "tests",
        metrics={
            **json.loads((project.reports_dir / "tests.json").read_text())["metrics"],
            "coverage_percent": 10.0,
        },
    )
    assert main(["readiness", "--no-write"]) == 1
    (project.reports_dir / "security.json").unlink()
    assert main(["readiness", "--no-write"]) == 2
    err = capsys.readouterr().err
    assert "noxci > error: gate failed: incomplete data: security (missing)" in err
    assert "Traceback" not in err


def test_step_summary_is_appended(project: Config, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    readiness(project, {"GITHUB_STEP_SUMMARY": str(summary)}, _options())
    text = summary.read_text()
    assert text.startswith("earlier step\n## Release readiness\n")
    assert "| CI pass rate | 40% | 100.00 | 40.00 |" in text


def test_token_never_reaches_outputs(project: Config) -> None:
    readiness(project, {"GITHUB_TOKEN": GITHUB.token}, _options())
    readiness(project, {"GITHUB_TOKEN": GITHUB.token}, _options(context="ci"))
    for folder in (project.readiness_dir, project.local_readiness_dir):
        for path in folder.iterdir():
            assert GITHUB.token not in path.read_text()


def _rewrite_inputs(config: Config, session: str, **changes: object) -> None:
    import dataclasses

    path = config.reports_dir / f"{session}.json"
    report = read_report(path)
    inputs = dataclasses.replace(report.inputs, **changes)  # type: ignore[arg-type]
    write_report(path, dataclasses.replace(report, inputs=inputs))


def test_a_report_made_with_session_arguments_is_not_the_ci_job(
    project: Config,
) -> None:
    _rewrite_inputs(project, "lint", args=("--select", "E9"))
    doc = readiness(project, {}, _options(write=False))
    assert [(p.subject, p.kind) for p in doc.result.problems] == [("lint", "stale")]
    assert "made with session arguments (--select E9)" in doc.result.problems[0].message
    assert doc.result.gate is Gate.INCOMPLETE


def test_a_daily_job_report_from_an_older_day_is_stale(project: Config) -> None:
    _rewrite_inputs(project, "security", salt="2026-10-01")
    doc = readiness(project, {}, _options(write=False))
    assert [(p.subject, p.kind) for p in doc.result.problems] == [("security", "stale")]
    assert "made on 2026-10-01" in doc.result.problems[0].message


def test_a_stale_report_or_a_failed_job_run_makes_the_preflight_run_fail(
    project: Config,
) -> None:
    doc = readiness(
        project, {}, Options(now=NOW, context="preflight", jobs_failed=True)
    )
    assert [r.conclusion for r in doc.result.ci.runs] == ["failure"]
    # A report that does not stand for the tree now is no pass for the run,
    # even a non-blocking one (the job did not run on this tree).
    (project.root / "src" / "widget" / "new.py").write_text('"""New."""\n')
    passing_set(project)
    _rewrite_inputs(project, "typecheck", files="0" * 64)
    doc = readiness(project, {}, Options(now=NOW, context="preflight"))
    assert [p.subject for p in doc.result.problems] == ["typecheck"]
    assert [r.conclusion for r in doc.result.ci.runs] == ["failure", "failure"]


def test_an_unwritable_step_summary_is_one_line_exit_5(
    project: Config,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(project.root)
    for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "CI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "/no/such/dir/summary.md")
    code = main(["readiness"])
    err = capsys.readouterr().err
    assert code == ExitCode.INPUT
    assert "cannot use /no/such/dir/summary.md: No such file or directory" in err
    assert "Traceback" not in err


def test_deleting_a_required_file_stales_the_docs_report(tmp_path: Path) -> None:
    config = write_project(
        tmp_path,
        '[tool.noxci.docs]\nrequired-files = ["README*", "CONTRIBUTING.md"]\n',
    )
    (tmp_path / "CONTRIBUTING.md").write_text("How to help.\n")
    passing_set(config)
    assert readiness(config, {}, _options(write=False)).result.problems == []
    (tmp_path / "CONTRIBUTING.md").unlink()
    doc = readiness(config, {}, _options(write=False))
    assert [(p.subject, p.kind) for p in doc.result.problems] == [("docs", "stale")]
