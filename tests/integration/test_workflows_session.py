"""`nox -s workflows` for real: zizmor and the thin-wrapper rule."""

from __future__ import annotations

import shutil

from noxci.report import Status
from tests.conftest import DATA
from tests.integration.conftest import Project


def test_bad_workflows_fail_and_each_problem_is_named(project: Project) -> None:
    target = project.root / ".github" / "workflows"
    target.mkdir(parents=True)
    shutil.copy(DATA / "workflows" / "bad" / "bad.yml", target / "bad.yml")
    done = project.nox("-s", "workflows")
    assert done.returncode != 0
    report = project.report("workflows")
    assert report.status is Status.FAILED
    rules = {(f.tool, f.rule) for f in report.findings}
    assert {
        ("zizmor", "template-injection"),
        ("zizmor", "unpinned-uses"),
        ("zizmor", "excessive-permissions"),
        ("noxci", "thin-wrapper"),
        ("noxci", "unknown-session"),
        ("noxci", "no-timeout"),
    } <= rules
    assert int(report.metrics["zizmor_high"]) >= 3
    assert (project.root / report.artifacts["zizmor-sarif"]).read_text().startswith("{")


def test_good_workflows_pass(project: Project) -> None:
    target = project.root / ".github" / "workflows"
    target.mkdir(parents=True)
    text = (DATA / "workflows" / "good" / "ci.yml").read_text()
    (target / "ci.yml").write_text(text)
    done = project.nox("-s", "workflows")
    assert done.returncode == 0, done.stderr
    report = project.report("workflows")
    assert (report.metrics["zizmor_findings"], report.metrics["rule_violations"]) == (
        0,
        0,
    )
