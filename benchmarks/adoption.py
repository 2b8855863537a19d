"""noxci on other people's projects: their figures from noxci beside their own tools.

Run: uv run python benchmarks/adoption.py [PROJECT ...]

For each project it downloads the sdist from PyPI, adds the two-line noxfile
(`noxci init`) and the few `[tool.noxci]` lines it needs, runs `nox -s lint
typecheck tests`, then runs ruff, mypy, pytest and coverage directly, under
the project's own configuration, in the same virtualenvs, and prints both.
Needs PyPI; tests/integration/test_adoption.py runs one project and skips,
saying why, when PyPI cannot be reached.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


@dataclass(frozen=True)
class Case:
    """A project to try, and the `[tool.noxci]` lines it needs (if any)."""

    name: str
    version: str
    config: str = ""


CASES = [
    # idna: no dependency groups, its tools in an "all" extra; coverage with fail_under.
    Case(
        "idna",
        "3.20",
        '[tool.noxci.tests]\ngroup = "all"\n[tool.noxci.typecheck]\ngroup = "all"\n',
    ),
    # itsdangerous: src layout, filterwarnings = error, coverage that measures tests too.
    Case(
        "itsdangerous",
        "2.2.0",
        '[tool.noxci.tests]\ntools = ["pytest", "pytest-xdist", "pytest-reportlog", '
        '"coverage>=7.10", "freezegun"]\n',
    ),
    # pyparsing: flat layout, flit, tests outside the package, an optional extra.
    Case("pyparsing", "3.3.3", '[tool.noxci.tests]\ngroup = "diagrams"\n'),
    # attrs: hatch with versions from git tags, uv.lock, dependency groups.
    Case("attrs", "26.1.0", '[tool.noxci.typecheck]\ngroup = "mypy"\n'),
]


def _run(
    argv: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    full = {
        **(os.environ if env is None else env),
        "UV_PYTHON_DOWNLOADS": "never",
        "NOXCI_CACHE": "0",
    }
    return subprocess.run(
        argv,
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


SIMPLE = "https://pypi.org/simple"


def _get(request: Any, timeout: int) -> bytes:
    import urllib.request

    # https URLs only: SIMPLE and the file URLs PyPI's index gives.
    with urllib.request.urlopen(request, timeout=timeout) as reply:  # nosec B310
        return reply.read()  # type: ignore[no-any-return]


def download_sdist(name: str, version: str, where: Path) -> Path:
    """The sdist from PyPI's simple index (PEP 691 JSON), its sha256 checked."""
    import hashlib
    import urllib.request

    filename = f"{name}-{version}.tar.gz"
    request = urllib.request.Request(
        f"{SIMPLE}/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    files = json.loads(_get(request, 30))["files"]
    [entry] = [f for f in files if f["filename"] == filename]
    data = _get(entry["url"], 120)
    if hashlib.sha256(data).hexdigest() != entry["hashes"]["sha256"]:
        raise RuntimeError(f"{filename}: sha256 does not match PyPI's")
    archive = where / filename
    archive.write_bytes(data)
    return archive


def fetch(case: Case, where: Path, env: dict[str, str] | None = None) -> Path:
    """Download and unpack the sdist; add noxci; make it a git repository."""
    archive = download_sdist(case.name, case.version, where)
    with tarfile.open(archive) as tar:
        tar.extractall(where, filter="data")
    root = where / f"{case.name}-{case.version}"
    if case.config:
        with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
            handle.write("\n" + case.config)
    _run([*_command("noxci", env), "init"], root, env)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.email=a@b", "-c", "user.name=n", "commit", "-qm", "sdist"],
    ):
        _run(["git", *args], root, env)
    return root


def _summary(text: str) -> dict[str, int]:
    line = next(
        (
            ln
            for ln in reversed(text.strip().splitlines())
            if re.search(r"\d+ (passed|failed)", ln)
        ),
        "",
    )
    counts = {
        word: int(n)
        for n, word in re.findall(
            r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)", line
        )
    }
    counts["errors"] = counts.pop("error", 0) + counts.get("errors", 0)
    return {word: n for word, n in counts.items() if n}


def direct(root: Path) -> dict[str, Any]:
    """The same tools, run by hand in the sessions' venvs, under the project's config."""
    from noxci.config import load_config
    from noxci.jobs.base import JobContext
    from noxci.jobs.typecheck import typecheck_paths
    from noxci.project import coverage_config, detect_packages

    def bin_(session: str, tool: str) -> str:
        return str(root / ".nox" / session / "bin" / tool)

    ruff = _run(
        [bin_("lint", "ruff"), "check", "--no-fix", "--output-format", "json"], root
    )
    paths = typecheck_paths(
        JobContext(
            config=load_config(root),
            job="typecheck",
            session="typecheck",
            python="3.11",
        )
    )
    mypy = _run([bin_("typecheck", "mypy"), "--output", "json", *paths], root)
    pytest = _run(
        [bin_("tests", "python"), "-m", "pytest", "-p", "no:cacheprovider"], root
    )
    # A project with no coverage config gets noxci's documented defaults;
    # on the command line, they are these two options.
    defaults = (
        []
        if coverage_config(root)
        else ["--branch", f"--source={','.join(detect_packages(root))}"]
    )
    coverage = _run(
        [
            bin_("tests", "coverage"),
            "run",
            *defaults,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        root,
    )
    _run([bin_("tests", "coverage"), "combine"], root)
    total = _run([bin_("tests", "coverage"), "report", "--format=total"], root)
    return {
        "ruff": len(json.loads(ruff.stdout or "[]")),
        "mypy": (
            sum(1 for ln in mypy.stdout.splitlines() if '"severity": "error"' in ln)
            if mypy.returncode < 2
            else "crash"
        ),
        "pytest": _summary(pytest.stdout),
        "coverage": total.stdout.strip() or f"none ({coverage.returncode})",
    }


def from_noxci(root: Path) -> dict[str, Any]:
    """The figures noxci's reports give."""
    from noxci.report import read_report

    def metric(session: str, *names: str) -> Any:
        report = read_report(root / "reports" / f"{session}.json")
        if report.status.value == "error":
            return f"error: {report.error}"
        return [report.metrics.get(n) for n in names]

    lint, mypy = metric("lint", "ruff_findings"), metric("typecheck", "mypy_errors")
    tests = read_report(root / "reports" / "tests.json")
    counts = {
        k: int(tests.metrics.get(f"tests_{k}", 0))
        for k in ("passed", "failed", "skipped", "errors", "xfailed", "xpassed")
    }
    return {
        "ruff": lint[0] if isinstance(lint, list) else lint,
        "mypy": mypy[0] if isinstance(mypy, list) else mypy,
        "pytest": {k: v for k, v in counts.items() if v},
        "coverage": tests.details.get("coverage_display", "none"),
    }


def _command(name: str, env: dict[str, str] | None) -> list[str]:
    """``nox`` or ``noxci``: from ``env``'s PATH, else this interpreter's."""
    return [name] if env is not None else [sys.executable, "-m", name]


def compare(
    case: Case, where: Path, env: dict[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run noxci and the tools on one project."""
    root = fetch(case, where, env)
    _run([*_command("nox", env), "-s", "lint", "typecheck", "tests"], root, env)
    return from_noxci(root), direct(root)


def main() -> None:
    """Print a table: each figure from noxci and from the tools run directly."""
    wanted = set(sys.argv[1:])
    print("| project | figure | noxci | tools run directly | equal |")
    print("|---|---|---|---|---|")
    for case in CASES:
        if wanted and case.name not in wanted:
            continue
        with tempfile.TemporaryDirectory(prefix=f"noxci-adopt-{case.name}-") as tmp:
            ours, theirs = compare(case, Path(tmp))
        for key in ("pytest", "coverage", "ruff", "mypy"):
            same = "yes" if ours[key] == theirs[key] else "**no**"
            print(
                f"| {case.name} {case.version} | {key} | {ours[key]} | {theirs[key]} | {same} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
