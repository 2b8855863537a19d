"""Result caching and overhead: noxci's preflight against plain nox and tox.

Run: uv run python benchmarks/cache_bench.py [--runs N] [--only sample|repo]

For this repository (a fresh clone) and a sample project made from the test
fixture, with the median of N runs each, it prints:

1. a no-change second ``nox -s preflight`` against the first (target <= 5%);
2. a full preflight with fresh venvs and a warm uv cache (``--no-cache``)
   against a hand-written minimal noxfile running the same tools with
   ``nox -j auto`` (target <= 1.05x), and against ``tox p`` with tox-uv
   running the same tools (target <= 0.8x).

Every contender runs every tool to the end (findings are recorded, never
fatal), audits against the same local OSV endpoint, and runs with bytecode
caching on (``PYTHONDONTWRITEBYTECODE`` is removed from the environment, as
on a usual machine: with it, every Python start compiles nox from source,
which taxes the contender that starts more processes).

(``nox -l`` against a bare noxfile is benchmarks/nox_list.py.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks import NONZERO, median_of, timed  # noqa: E402 - after the path

# The repository's own audit needs a mirror of the advisories here (offline):
# the one NOXCI_VULN_SERVICE=osv-dir:PATH names.
_MIRROR = os.environ.get("NOXCI_VULN_SERVICE", "")
ADVISORIES = (
    Path(_MIRROR.removeprefix("osv-dir:")) if _MIRROR.startswith("osv-dir:") else None
)
TOX = ["tox==4.67.15", "tox-uv==1.37.1"]

# The same tools as noxci's jobs, written the way a careful user would by hand.
MINIMAL_NOXFILE = """
import os

import nox

nox.options.default_venv_backend = "uv"
nox.options.download_python = "never"


def sync(session, group, project=False):
    args = ["uv", "sync", "--locked", "--no-default-groups", "--group", group]
    session.run_install(*args, *([] if project else ["--no-install-project"]),
                        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location})


@nox.session(python="3.11", allow_parallel=True)
def lint(session):
    sync(session, "lint")
    # Findings are recorded, not fatal, so that both tools always run (as in noxci).
    session.run("ruff", "check", "--no-fix", "--output-format", "json", "--output-file", "ruff.json",
                success_codes=[0, 1])
    session.run("black", "--check", ".", success_codes=[0, 1])


@nox.session(python="3.11", allow_parallel=True)
def typecheck(session):
    sync(session, "typecheck", project=True)
    session.run("mypy", "--output", "json", success_codes=[0, 1])


@nox.session(python="3.11", allow_parallel=True)
def tests(session):
    sync(session, "tests", project=True)
    session.run("coverage", "run", "-m", "pytest", "-n", "2",
                "--report-log=pytest.jsonl", "--junitxml=junit.xml", env={"PYTHONHASHSEED": "0"})
    session.run("coverage", "combine")
    session.run("coverage", "json", "-o", "coverage.json")


@nox.session(python="3.11", allow_parallel=True)
def docs(session):
    sync(session, "docs")
    session.run("interrogate", "-v", "--fail-under", "0", "src")


@nox.session(python="3.11", allow_parallel=True)
def security(session):
    sync(session, "security")
    session.run("bandit", "-r", "src", "-f", "json", "-o", "bandit.json", "-q", "--severity-level", "medium",
                "--confidence-level", "medium", success_codes=[0, 1])
    session.run("uv", "export", "--locked", "--no-emit-project", "--all-groups", "-o", "requirements-audit.txt")
    session.run("pip-audit", "-r", "requirements-audit.txt", "--require-hashes", "--disable-pip", "--format",
                "json", "--progress-spinner", "off", "--vulnerability-service", "osv", "--osv-url",
                os.environ.get("OSV_URL", "https://api.osv.dev/v1/query"), success_codes=[0, 1])
    session.run("uv", "pip", "check", "--python", session.virtualenv.location + "/bin/python")


@nox.session(python="3.11", allow_parallel=True)
def build(session):
    session.run("uv", "build", "--out-dir", "dist-minimal")
"""

TOX_INI = """
[tox]
env_list = lint, typecheck, tests, docs, security, build
skip_missing_interpreters = false

[testenv]
runner = uv-venv-lock-runner
base_python = python3.11
package = skip
allowlist_externals = uv

[testenv:lint]
dependency_groups = lint
commands =
    - ruff check --no-fix --output-format json --output-file ruff.json
    - black --check .

[testenv:typecheck]
package = editable
dependency_groups = typecheck
commands = mypy --output json

[testenv:tests]
package = editable
dependency_groups = tests
set_env = PYTHONHASHSEED = 0
commands =
    coverage run -m pytest -n 2 --report-log=pytest.jsonl --junitxml=junit.xml
    coverage combine
    coverage json -o coverage.json

[testenv:docs]
dependency_groups = docs
commands = interrogate -v --fail-under 0 src

[testenv:security]
dependency_groups = security
pass_env = OSV_URL
commands =
    - bandit -r src -f json -o bandit.json -q --severity-level medium --confidence-level medium
    uv export --locked --no-emit-project --all-groups -o requirements-audit.txt
    - pip-audit -r requirements-audit.txt --require-hashes --disable-pip --format json --progress-spinner off --vulnerability-service osv --osv-url {env:OSV_URL:https://api.osv.dev/v1/query}
    uv pip check --python {env_python}

[testenv:build]
commands = uv build --out-dir dist-tox
"""

# The sample's coverage config, which every contender uses (as this
# repository's own does): branch coverage of the package, in the xdist
# workers too (they are subprocesses).
COVERAGE_CONFIG = """
[tool.coverage.run]
branch = true
parallel = true
patch = ["subprocess"]
source = ["src"]
"""


BENCH_FILES = (
    "noxfile_minimal.py",
    "tox.ini",
    ".tox/",
    "ruff.json",
    "junit.xml",
    "pytest.jsonl",
    "coverage.json",
    ".coverage*",
    "bandit.json",
    "requirements-audit.txt",
    "dist-minimal/",
    "dist-tox/",
)


def _clean(project: Path) -> None:
    for name in (
        ".nox",
        ".tox",
        "reports",
        "readiness",
        "dist",
        "dist-minimal",
        "dist-tox",
    ):
        shutil.rmtree(project / name, ignore_errors=True)


def _project(kind: str, where: Path) -> Path:
    target = where / kind
    if kind == "repo":
        subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    else:
        shutil.copytree(ROOT / "tests" / "data" / "projects" / "base", target)
        shutil.copytree(ROOT / "tests" / "data" / "advisories", target / "advisories")
        with (target / "pyproject.toml").open("a", encoding="utf-8") as handle:
            handle.write(COVERAGE_CONFIG)
        subprocess.run(["git", "init", "-q"], cwd=target, check=True)
        subprocess.run(["git", "add", "-A"], cwd=target, check=True)
    (target / "noxfile_minimal.py").write_text(MINIMAL_NOXFILE)
    (target / "tox.ini").write_text(TOX_INI)
    # The contenders' own files and outputs are not the project's: ignored,
    # so that no linter judges them and no inputs digest covers them.
    with (target / ".git" / "info" / "exclude").open("a", encoding="utf-8") as out:
        out.write("\n".join(BENCH_FILES) + "\n")
    # black reads .gitignore but not .git/info/exclude: format it instead.
    subprocess.run(
        [sys.executable, "-m", "black", "-q", "noxfile_minimal.py"],
        cwd=target,
        check=True,
    )
    return target


def _tox(where: Path) -> list[str]:
    venv = where / "tox-venv"
    subprocess.run(
        [sys.executable, "-m", "uv", "venv", "-q", "-p", "3.11", str(venv)], check=True
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "pip",
            "install",
            "-q",
            "-p",
            str(venv / "bin" / "python"),
            *TOX,
        ],
        check=True,
    )
    return [str(venv / "bin" / "tox")]


def measure(kind: str, runs: int, where: Path, tox: list[str]) -> None:
    """Measure one project and print its ratios."""
    from noxci.httpserve import serving
    from noxci.osv.server import osv_app
    from noxci.osv.store import AdvisoryStore

    project = _project(kind, where)
    advisories = (
        ADVISORIES
        if kind == "repo" and ADVISORIES is not None
        else project / "advisories"
    )
    with serving(osv_app(AdvisoryStore(advisories))) as osv:
        # Every contender audits against the same local OSV endpoint.
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "UV_PYTHON_DOWNLOADS": "never",
            "NOXCI_VULN_SERVICE": f"{osv}/v1/query",
            "OSV_URL": f"{osv}/v1/query",
        }
        _measure(kind, runs, project, tox, env)


def _measure(
    kind: str, runs: int, project: Path, tox: list[str], env: dict[str, str]
) -> None:
    nox = [sys.executable, "-m", "nox"]
    timed([*nox, "-s", "preflight"], project, env)  # warm the uv cache for every group
    firsts, seconds = [], []
    for _ in range(runs):
        _clean(project)
        firsts.append(timed([*nox, "-s", "preflight"], project, env))
        seconds.append(timed([*nox, "-s", "preflight"], project, env))
    first, second = statistics.median(firsts), statistics.median(seconds)

    def full() -> float:
        _clean(project)
        return timed([*nox, "-s", "preflight", "--", "--no-cache"], project, env)

    def minimal() -> float:
        _clean(project)
        return timed([*nox, "-f", "noxfile_minimal.py", "-j", "auto"], project, env)

    def tox_p() -> float:
        _clean(project)
        return timed([*tox, "p", "-p", "auto"], project, env)

    noxci_full, nox_full, tox_full = (
        median_of(runs, full),
        median_of(runs, minimal),
        median_of(runs, tox_p),
    )
    print(f"[{kind}] median of {runs} runs")
    print(
        f"  no-change second preflight: {second:.1f} s vs first {first:.1f} s = {second / first:.1%} "
        f"(target <= 5%)"
    )
    print(
        f"  full preflight (fresh venvs, warm uv cache, --no-cache): {noxci_full:.1f} s"
    )
    print(
        f"  vs minimal noxfile, nox -j auto: {nox_full:.1f} s, ratio {noxci_full / nox_full:.2f} (target <= 1.05)"
    )
    print(
        f"  vs tox p with tox-uv: {tox_full:.1f} s, ratio {noxci_full / tox_full:.2f} (target <= 0.8)"
    )


def main() -> None:
    """Parse the arguments and measure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["sample", "repo"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="noxci-bench-") as tmp:
        where = Path(tmp)
        tox = _tox(where)
        for kind in ("sample", "repo"):
            if args.only in (None, kind):
                measure(kind, args.runs, where, tox)
    for line in NONZERO:
        print(f"  note: {line}")


if __name__ == "__main__":
    main()
