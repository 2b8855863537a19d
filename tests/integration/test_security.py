"""The security session for real: bandit, pip-audit through `noxci osv-serve`
over real (old) PyPA advisories, uv pip check."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from noxci.config import load_config
from noxci.jobs import get_job
from noxci.jobs.base import JobContext
from noxci.report import Status
from noxci.runjob import execute
from noxci.uvtool import find_uv
from tests.integration.conftest import Project, make_project


def test_vulnerable_pins_are_named_by_their_real_advisories(tmp_path: Path) -> None:
    project = make_project(tmp_path, "vulnerable")
    before = project.status()
    done = project.nox("-s", "security")
    assert done.returncode == 0, done.stderr  # non-blocking by default
    assert (
        "installing the job's tools: bandit==1.9.4 (noxci's pin), "
        "pip-audit==2.10.1 (noxci's pin)" in done.stderr
    )
    report = project.report("security")
    # Known vulnerabilities: failed, though (non-blocking) the session passed.
    assert report.status is Status.FAILED
    assert not report.blocking
    advisories = set(report.details["advisories"])
    assert {
        "PYSEC-2018-28",
        "PYSEC-2023-74",
        "PYSEC-2019-132",
        "PYSEC-2021-66",
    } <= advisories
    assert report.metrics["vulns_total"] == len(report.details["advisories"])
    assert report.metrics["vulns_fixable"] == report.metrics["vulns_total"]
    assert report.metrics["packages_unaudited"] == 0
    # Every locked pin, librt (not on PyPy) too: its marker is taken off.
    assert report.metrics["packages_audited"] == report.metrics["packages_required"]
    assert "pin(s) locked behind environment markers too" in done.stderr
    audit = (project.root / "reports" / "security.audit.txt").read_text()
    assert "librt==" in audit
    assert ";" not in audit
    assert report.metrics["pip_check_problems"] == 0
    [requests] = [f for f in report.findings if f.rule == "PYSEC-2018-28"]
    assert (
        requests.message
        == "requests 2.19.1: PYSEC-2018-28 (CVE-2018-18074, GHSA-x84v-xcm2-53pg), fixed in 2.20.0"
    )
    sbom = (project.root / report.artifacts["sbom"]).read_text()
    assert '"name": "requests"' in sbom
    assert '"version": "2.19.1"' in sbom
    assert project.status() == before


def test_a_pin_for_another_platform_is_audited_too(tmp_path: Path) -> None:
    """pip-audit drops a pin whose marker does not match, without a word."""
    from noxci.jobs.security import Settings, _audit_all

    project = make_project(tmp_path, "vulnerable")
    assert project.nox("-s", "security").returncode == 0
    hashes = "    --hash=sha256:" + "0" * 64
    requirements = project.root / "reports" / "windows.txt"
    requirements.write_text(
        f"requests==2.19.1 ; sys_platform == 'win32' \\\n{hashes}\n"
        f"idna==2.7 ; python_full_version < '3.0' \\\n{hashes}\n"
    )
    config = load_config(project.root)
    ctx = JobContext(
        config=config,
        job="security",
        session="security",
        python="3.11",
        venv=project.root / ".nox" / "security",
        env={k: v for k, v in os.environ.items() if not k.startswith("NOXCI_")},
    )
    audit, required, _ = _audit_all(
        ctx, config.settings("security", Settings), requirements, hashed=True
    )
    assert (required, audit.audited, audit.unaudited) == (2, 2, 0)
    assert "PYSEC-2018-28" in audit.advisories  # requests 2.19.1, Windows only


def test_blocking_security_fails_on_findings(tmp_path: Path) -> None:
    project = make_project(tmp_path, "vulnerable")
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'vulnerability-service = "osv-dir:advisories"',
            'vulnerability-service = "osv-dir:advisories"\nblocking = true\n'
            'ignore = [{ id = "PYSEC-2018-28", reason = "test" }]',
        )
    )
    done = project.nox("-s", "security")
    assert done.returncode != 0
    report = project.report("security")
    assert report.status is Status.FAILED
    assert "PYSEC-2018-28" not in report.details["advisories"]
    assert report.details["ignored"] == [{"id": "PYSEC-2018-28", "reason": "test"}]


def test_unreachable_service_is_never_clean(tmp_path: Path) -> None:
    project = make_project(tmp_path, "vulnerable")
    done = project.nox(
        "-s", "security", env={"NOXCI_VULN_SERVICE": "http://127.0.0.1:9/v1/query"}
    )
    assert done.returncode != 0
    report = project.report("security")
    assert report.status is Status.ERROR
    assert report.error is not None
    assert report.error.startswith("pip-audit crashed (exit 1): ")
    # PyPI's JSON API is unreachable here: pip-audit skips every package, exit 0.
    done = project.nox("-s", "security", env={"NOXCI_VULN_SERVICE": "pypi"})
    report = project.report("security")
    assert report.status is Status.ERROR
    assert report.error is not None
    assert report.error.startswith(
        "no dependency could be audited with pypi (Dependency not found on PyPI"
    )


def test_bandit_medium_finding_and_unparseable_file(project: Project) -> None:
    project.write(
        "src/sample/risky.py",
        '"""Risky."""\n\nimport pickle\n\n\ndef load(data: bytes) -> object:\n'
        '    """Load."""\n    return pickle.loads(data)\n',
    )
    project.write("src/sample/broken.py", "def broken(:\n")
    done = project.nox("-s", "security")
    assert done.returncode == 0, done.stderr
    report = project.report("security")
    assert (report.metrics["bandit_medium"], report.metrics["bandit_errors"]) == (1, 1)
    rules = {(f.rule, f.path, f.line) for f in report.findings if f.tool == "bandit"}
    assert rules == {
        ("B301:blacklist", "src/sample/risky.py", 8),
        ("scan-error", "src/sample/broken.py", None),
    }


def test_pip_check_finds_a_broken_environment(project: Project, tmp_path: Path) -> None:
    """The job against a venv whose packages conflict (installed by hand)."""
    config = load_config(project.root)
    venv = tmp_path / "venv"
    uv = find_uv()
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run([uv, "venv", "-q", "-p", "3.11", str(venv)], check=True, env=env)
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "-q",
            "-p",
            str(venv / "bin" / "python"),
            "bandit==1.9.4",
            "pip-audit==2.10.1",
        ],
        check=True,
        env=env,
    )

    runtime = venv / "noxci-runtime" / "bin" / "python"

    def runner(argv, *, cwd, timeout=None, capture=True, env=None):  # type: ignore[no-untyped-def]
        from noxci import proc

        done = proc.run(argv, cwd=cwd, timeout=timeout, capture=capture, env=env)
        if tuple(argv[1:3]) == ("sync", "--locked") and runtime.exists():
            # Break the runtime environment after it was built: an incompatible idna.
            subprocess.run(
                [
                    uv,
                    "pip",
                    "install",
                    "-q",
                    "-p",
                    str(runtime),
                    "--no-deps",
                    "requests==2.32.3",
                    "idna==2.0",
                ],
                check=True,
            )
        return done

    ctx = JobContext(
        config=config,
        job="security",
        session="security",
        python="3.11",
        venv=venv,
        env={**env, "NOXCI_VULN_SERVICE": "osv-dir:advisories"},
        runner=runner,
    )
    report = execute(ctx, get_job("security"))
    assert report.status is Status.FAILED, report.error  # a pip check problem
    assert int(report.metrics["pip_check_problems"]) >= 1
    problems = [f.message for f in report.findings if f.rule == "pip-check"]
    assert (
        "The package `requests` requires `idna>=2.5,<4`, but `2.0` is installed"
        in problems
    )


def test_uv_audit_works_against_osv_serve(tmp_path: Path) -> None:
    from noxci.httpserve import serving
    from noxci.osv.server import osv_app
    from noxci.osv.store import AdvisoryStore

    project = make_project(tmp_path, "vulnerable")
    with serving(osv_app(AdvisoryStore(project.root / "advisories"))) as url:
        done = project.run(
            find_uv(),
            "audit",
            "--frozen",
            "--service-url",
            url,
            "--output-format",
            "json",
            "--preview-features",
            "audit-command,json-output",
        )
    assert done.returncode != 0  # vulnerabilities found
    found = {v["id"] for v in json.loads(done.stdout)["vulnerabilities"]}
    assert {"PYSEC-2018-28", "PYSEC-2021-66"} <= found
