"""`nox -s smoke` for real: offline against the embedded `noxci serve`, and
against a service that is down."""

from __future__ import annotations

from noxci.report import Status
from tests.integration.conftest import Project


def test_smoke_works_out_of_the_box(project: Project) -> None:
    done = project.nox("-s", "smoke")
    assert done.returncode == 0, done.stderr
    report = project.report("smoke")
    assert report.status is Status.PASSED
    assert report.details["embedded"] is True
    assert [c["name"] for c in report.details["checks"]] == ["health", "database"]
    assert "noxci serve" not in project.status()  # nothing left in the tree


def test_smoke_against_a_closed_port_fails_after_three_attempts(
    project: Project,
) -> None:
    url = "http://127.0.0.1:9"
    done = project.nox("-s", "smoke", env={"STAGING_URL": url})
    assert done.returncode != 0
    report = project.report("smoke")
    assert report.status is Status.FAILED
    [check] = report.details["checks"]
    assert (check["name"], check["attempts"], check["error"]) == (
        "health",
        3,
        "connection refused or reset",
    )
    assert url not in done.stdout + done.stderr
    assert url not in (project.root / "reports" / "smoke.json").read_text()
