"""noxci on other people's projects: their figures from noxci beside their own tools.

Run: uv run --locked python benchmarks/adoption.py [PROJECT ...]

For each project it downloads the sdist from PyPI (sha256 checked), makes it
a git repository tagged with its version (as its own repository is), adopts
noxci as docs/adoption.md says (`noxci init`, or the two lines added to the
project's own noxfile) plus the `[tool.noxci]` lines the case names, runs
`nox -s preflight`, and records its exit code, the gate and `git status
--porcelain`. Then it runs each tool directly in the sessions' virtualenvs,
under the project's own configuration, and prints both sides of every
figure. Where the project's config does not say what to check, the direct
run uses the defaults docs/adoption.md documents, computed here on their
own: mypy, interrogate and bandit on `src/` or the package named after the
project, coverage with `--branch --source=PACKAGE`.

Needs PyPI; tests/integration/test_adoption.py runs one project and skips,
saying why, when PyPI cannot be reached.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

NO_CACHE = ("-p", "no:cacheprovider")  # the direct runs leave the tree as it was
JOBS = ("lint", "typecheck", "tests", "docs", "security", "build")


@dataclass(frozen=True)
class Case:
    """A project to try, what shape it has, and what adopting noxci took.

    ``config`` is appended to pyproject.toml; ``noxfile`` replaces text in
    the project's own noxfile (renaming a session noxci also registers).
    Both are printed as the adoption lines.
    """

    name: str
    version: str
    shape: str
    config: str = ""
    noxfile: Mapping[str, str] = field(default_factory=dict)


CASES = [
    Case(
        "idna",
        "3.20",
        "flat layout, flit; its test and type-check tools in an 'all' extra; fail_under",
    ),
    Case(
        "itsdangerous",
        "2.2.0",
        "src layout, flit; tox-based (its test deps in requirements/tests.txt, "
        "named by tox.ini); filterwarnings = error; a coverage source that "
        "includes tests",
    ),
    Case(
        "pyparsing",
        "3.3.3",
        "flat layout, flit; tests outside the package; tox, whose extras for the "
        "tests are behind a factor (unit: diagrams)",
        '[tool.noxci.tests]\ngroup = "diagrams"\n',
    ),
    Case(
        "attrs",
        "26.1.0",
        "hatch, version from git tags (hatch-vcs); uv.lock, dependency groups",
    ),
    Case(
        "pluggy",
        "1.7.0",
        "src layout, mypy config without files; setuptools-scm; tox; uv.lock; "
        ".coveragerc that includes the tests",
    ),
    Case(
        "structlog",
        "26.1.0",
        "hatch, hatch-vcs; ruff select = ALL and ruff format; tox; "
        "interrogate whitelist-regex",
    ),
    Case(
        "hepunits",
        "2.4.7",
        "nox-based (its noxfile has lint and tests); hatch, hatch-vcs; src layout",
        noxfile={
            "@nox.session\ndef lint(": '@nox.session(name="lint-project")\ndef lint(',
            "@nox.session\ndef tests(": '@nox.session(name="tests-project")\ndef tests(',
        },
    ),
    Case(
        "pyproject-metadata",
        "0.12.1",
        "flat layout, flit; ruff select = ALL, ruff format; mypy files name a noxfile",
    ),
    Case(
        "humanize",
        "4.9.0",
        "an old pinned ruff (pre-commit v0.1.6) and black 23.11; hatch-vcs; tox; src",
    ),
    Case(
        "tabulate",
        "0.10.0",
        "flat layout found by setuptools itself; setuptools-scm; tox; flake8 and "
        "black, no ruff or mypy config",
    ),
    Case(
        "more-itertools",
        "11.2.1",
        "flat layout, flit; tox; ruff format",
    ),
]


def _run(
    argv: list[str], cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    if "/" in argv[0] and not Path(argv[0]).exists():
        # A session that could not install its tools: the figure says so.
        return subprocess.CompletedProcess(argv, 127, "", f"no {argv[0]}")
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

    request = urllib.request.Request(
        f"{SIMPLE}/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    files = json.loads(_get(request, 30))["files"]
    stem = re.sub(r"[-_.]+", "[-_.]", name)
    pattern = re.compile(rf"{stem}-{re.escape(version)}\.tar\.gz", re.IGNORECASE)
    [entry] = [f for f in files if pattern.fullmatch(f["filename"])]
    data = _get(entry["url"], 120)
    if hashlib.sha256(data).hexdigest() != entry["hashes"]["sha256"]:
        raise RuntimeError(f"{entry['filename']}: sha256 does not match PyPI's")
    archive: Path = where / str(entry["filename"])
    archive.write_bytes(data)
    return archive


def _adopt_noxfile(case: Case, root: Path) -> list[str]:
    """Add noxci's two lines to the project's own noxfile; the lines changed."""
    noxfile = root / "noxfile.py"
    text = noxfile.read_text(encoding="utf-8")
    lines = []
    for old, new in case.noxfile.items():
        if old not in text:
            raise RuntimeError(f"{case.name}: its noxfile has no {old!r}")
        text = text.replace(old, new)
        lines.append(new.splitlines()[0])
    # Beside its imports, and after its sessions, as `noxci init` says.
    text = re.sub(
        r"^import nox\n",
        "import nox\nimport noxci.sessions\n",
        text,
        count=1,
        flags=re.M,
    )
    text = text.rstrip("\n") + "\n\n\nnoxci.sessions.register()\n"
    noxfile.write_text(text, encoding="utf-8")
    return ["import noxci.sessions", "noxci.sessions.register()", *lines]


def fetch(case: Case, where: Path, env: Mapping[str, str] | None = None) -> Path:
    """Download and unpack the sdist, tag it as its repository is; adopt noxci."""
    archive = download_sdist(case.name, case.version, where)
    with tarfile.open(archive) as tar:
        tar.extractall(where, filter="data")
    root = where / archive.name.removesuffix(".tar.gz")
    git = ["git", "-c", "user.email=a@b", "-c", "user.name=n"]
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["commit", "-qm", "sdist"],
        ["tag", case.version],
    ):
        _run([*git, *args], root, env)
    if case.config:
        with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
            handle.write("\n" + case.config)
    if (root / "noxfile.py").exists():
        _adopt_noxfile(case, root)
    else:
        _run([*_command("noxci", env), "init"], root, env)
    for args in (["add", "-A"], ["commit", "-qm", "adopt noxci"]):
        _run([*git, *args], root, env)
    return root


def adoption_lines(case: Case) -> list[str]:
    """What adopting noxci took beyond `noxci init`: config and noxfile lines."""
    lines = [ln for ln in case.config.splitlines() if ln.strip()]
    if case.noxfile:
        lines += ["noxfile: import noxci.sessions; noxci.sessions.register()"]
        lines += [f"noxfile: {new.splitlines()[0]}" for new in case.noxfile.values()]
    return lines


# --- the tools, run directly -------------------------------------------------


def _summary(text: str) -> dict[str, int]:
    """pytest's closing line, as counts."""
    line = next(
        (
            ln
            for ln in reversed(text.strip().splitlines())
            if re.search(r"\d+ (passed|failed|skipped|errors?)", ln)
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


def _pyproject(root: Path) -> dict[str, Any]:
    try:
        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def code_paths(root: Path) -> list[str]:
    """docs/adoption.md's default: `src/`, else the package named after the project."""
    if (root / "src").is_dir():
        return ["src"]
    name = str(_pyproject(root).get("project", {}).get("name", root.name))
    module = re.sub(r"[-_.]+", "_", name).lower()
    for candidate in (module, f"{module}.py"):
        if (root / candidate).exists():
            return [candidate]
    return ["."]


def _has_coverage_config(root: Path) -> bool:
    import configparser

    if (root / ".coveragerc").is_file():
        return True
    for ini in ("setup.cfg", "tox.ini"):
        parser = configparser.RawConfigParser()
        parser.read(root / ini, encoding="utf-8")
        if any(s.startswith("coverage:") for s in parser.sections()):
            return True
    return bool(_pyproject(root).get("tool", {}).get("coverage"))


def _mypy_names_files(root: Path) -> bool:
    import configparser

    for ini in ("mypy.ini", ".mypy.ini"):
        if (root / ini).is_file():
            parser = configparser.RawConfigParser()
            parser.read(root / ini, encoding="utf-8")
            return parser.has_option("mypy", "files")
    table = _pyproject(root).get("tool", {}).get("mypy", {})
    if table:
        return any(table.get(k) for k in ("files", "packages", "modules"))
    parser = configparser.RawConfigParser()
    parser.read(root / "setup.cfg", encoding="utf-8")
    return parser.has_option("mypy", "files")


def _interrogate_paths(root: Path) -> list[str]:
    """The paths the project's interrogate pre-commit hook names, else the code."""
    import yaml

    try:
        config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text("utf-8"))
    except OSError:
        config = None
    for repo in (config or {}).get("repos", []):
        for hook in repo.get("hooks", []):
            if hook.get("id") == "interrogate":
                named = [a for a in hook.get("args", []) if not a.startswith("-")]
                if named:
                    return named
    return code_paths(root)


def _formatter_direct(root: Path, formatter: str, tool: str) -> Any:
    """Files to reformat, from the summary line black and every ruff print."""
    if formatter == "none":
        return "none"
    argv = (
        [tool, "--check", "."]
        if formatter == "black"
        else [tool, "format", "--check", "."]
    )
    done = _run(argv, root)
    if done.returncode > 1:
        return f"crash ({done.returncode})"
    would = re.search(r"(\d+) files? would be reformatted", done.stdout + done.stderr)
    return int(would.group(1)) if would else 0


def _lint_direct(root: Path, linter: str, tool: str) -> Any:
    """Findings of the project's linter, run by hand on the whole tree."""
    if linter == "flake8":
        done = _run([tool, "."], root)
        if done.returncode > 1:
            return f"crash ({done.returncode})"
        return sum(
            1 for ln in done.stdout.splitlines() if re.match(r".+:\d+:\d+: ", ln)
        )
    done = _run([tool, "check", "--no-fix", "--output-format", "json", "."], root)
    if done.returncode > 1:
        return f"crash ({done.returncode})"
    return len(json.loads(done.stdout or "[]"))


def direct(root: Path, linter: str, formatter: str) -> dict[str, Any]:
    """The same tools, run by hand in the sessions' venvs, under the project's config."""

    def bin_(session: str, tool: str) -> str:
        return str(root / ".nox" / session / "bin" / tool)

    paths = code_paths(root)
    fmt_tool = bin_("lint", "black" if formatter == "black" else "ruff")
    mypy_args = [] if _mypy_names_files(root) else paths
    mypy = _run(
        [bin_("typecheck", "mypy"), "--no-pretty", "--no-error-summary", *mypy_args],
        root,
    )
    defaults = (
        []
        if _has_coverage_config(root)
        else ["--branch", f"--source={','.join(paths)}"]
    )
    pytest = _run(
        [bin_("tests", "coverage"), "run", *defaults, "-m", "pytest", *NO_CACHE],
        root,
    )
    _run([bin_("tests", "coverage"), "combine"], root)
    total = _run([bin_("tests", "coverage"), "report", "--format=total"], root)
    docs = _run(
        [bin_("docs", "interrogate"), "--fail-under", "0", *_interrogate_paths(root)],
        root,
    )
    docs_percent = re.search(r"actual: ([\d.]+)%", docs.stdout)
    bandit_cmd = [bin_("security", "bandit"), "-r", *paths, "-f", "json", "-q"]
    bandit_cmd += ["--severity-level", "medium", "--confidence-level", "medium"]
    if _pyproject(root).get("tool", {}).get("bandit"):
        bandit_cmd += ["-c", "pyproject.toml"]
    bandit = _run(bandit_cmd, root)
    return {
        "tests": _summary(pytest.stdout) or f"none ({pytest.returncode})",
        "coverage": total.stdout.strip() or f"none ({pytest.returncode})",
        "lint": _lint_direct(root, linter, bin_("lint", linter)),
        "format": _formatter_direct(root, formatter, fmt_tool),
        "mypy": (
            sum(1 for ln in mypy.stdout.splitlines() if ": error:" in ln)
            if mypy.returncode < 2
            else f"crash ({mypy.returncode})"
        ),
        "docstrings": (
            float(docs_percent.group(1))
            if docs_percent
            else f"none ({docs.returncode})"
        ),
        "bandit": (
            len(json.loads(bandit.stdout)["results"])
            if bandit.returncode < 2
            else f"crash ({bandit.returncode})"
        ),
    }


# --- noxci's side ------------------------------------------------------------


def _reports(root: Path) -> dict[str, Any]:
    from noxci.config import load_config
    from noxci.report import read_report

    reports_dir = load_config(root).reports_dir
    found = {}
    for job in JOBS:
        path = reports_dir / f"{job}.json"
        found[job] = read_report(path) if path.is_file() else None
    return found


def from_noxci(root: Path) -> dict[str, Any]:
    """The figures noxci's reports give (an errored job gives its error)."""
    reports = _reports(root)

    def metric(job: str, compute: Any) -> Any:
        report = reports[job]
        if report is None:
            return "no report"
        if report.status.value == "error":
            return f"error: {report.error}"
        return compute(report)

    def tests(report: Any) -> dict[str, int]:
        counts = {
            k: int(report.metrics.get(f"tests_{k}", 0))
            for k in ("passed", "failed", "skipped", "errors", "xfailed", "xpassed")
        }
        return {k: v for k, v in counts.items() if v}

    return {
        "tests": metric("tests", tests),
        "coverage": metric("tests", lambda r: r.details.get("coverage_display")),
        "lint": metric(
            "lint",
            lambda r: r.metrics.get("flake8_findings", r.metrics.get("ruff_findings")),
        ),
        "format": metric(
            "lint",
            lambda r: (
                "none"
                if r.details.get("formatter") == "none"
                else r.metrics.get("format_unformatted")
            ),
        ),
        "mypy": metric("typecheck", lambda r: r.metrics.get("mypy_errors")),
        "docstrings": metric(
            "docs", lambda r: round(float(r.metrics["docstring_coverage_percent"]), 1)
        ),
        "bandit": metric(
            "security",
            lambda r: sum(
                int(r.metrics.get(f"bandit_{k}", 0)) for k in ("high", "medium", "low")
            ),
        ),
    }


def _statuses(root: Path) -> dict[str, str]:
    return {
        job: (report.status.value if report else "none")
        for job, report in _reports(root).items()
    }


def _chosen(root: Path, what: str) -> str:
    """The linter or formatter noxci chose (docs/adoption.md says how), to run it by hand."""
    report = _reports(root)["lint"]
    value = report.details.get(what) if report else None
    return str(value or "ruff")


def _gate(root: Path) -> str:
    from noxci.config import load_config
    from noxci.readiness.document import latest_path

    config = load_config(root)
    path = latest_path(config.readiness_dir, config.local_readiness_dir)
    if not path.is_file():
        return "no readiness.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return f"{data['gate']['status']} ({data['score']:.1f})"


# Each figure, and what makes it a failing result when the tool runs directly.
def _direct_fails(key: str, value: Any) -> bool:
    if isinstance(value, str):
        return value != "none"  # a crash, or nothing checked
    if key == "tests":
        return bool(value.get("failed") or value.get("errors")) or not value
    return key in {"lint", "format", "mypy"} and bool(value)


FIGURE_JOB = {
    "tests": "tests",
    "coverage": "tests",
    "lint": "lint",
    "format": "lint",
    "mypy": "typecheck",
    "docstrings": "docs",
    "bandit": "security",
}


def false_passes(statuses: Mapping[str, str], theirs: Mapping[str, Any]) -> list[str]:
    """noxci's jobs that passed where the tool run directly fails or checked nothing."""
    return sorted(
        {
            FIGURE_JOB[key]
            for key, value in theirs.items()
            if key in {"tests", "lint", "format", "mypy"}
            and _direct_fails(key, value)
            and statuses.get(FIGURE_JOB[key]) == "passed"
        }
    )


@dataclass(frozen=True)
class Result:
    """One project: both sides of every figure, and how preflight went."""

    ours: dict[str, Any]
    theirs: dict[str, Any]
    exit_code: int
    statuses: dict[str, str]
    gate: str
    git_status: str
    seconds: float
    output: str


def _command(name: str, env: Mapping[str, str] | None) -> list[str]:
    """``nox`` or ``noxci``: from ``env``'s PATH, else this interpreter's."""
    return [name] if env is not None else [sys.executable, "-m", name]


def run(case: Case, where: Path, env: Mapping[str, str] | None = None) -> Result:
    """Adopt noxci in one project, run preflight, then the tools directly."""
    start = time.monotonic()
    root = fetch(case, where, env)
    preflight = _run([*_command("nox", env), "-s", "preflight"], root, env)
    status = _run(["git", "status", "--porcelain"], root, env).stdout.strip()
    ours = from_noxci(root)
    theirs = direct(root, _chosen(root, "linter"), _chosen(root, "formatter"))
    return Result(
        ours=ours,
        theirs=theirs,
        exit_code=preflight.returncode,
        statuses=_statuses(root),
        gate=_gate(root),
        git_status=status or "clean",
        seconds=time.monotonic() - start,
        output=preflight.stdout + preflight.stderr,
    )


def compare(
    case: Case, where: Path, env: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """noxci's figures and the tools', on one project."""
    result = run(case, where, env)
    return result.ours, result.theirs


def _cell(ours: Any, theirs: Any) -> str:
    def text(value: Any) -> str:
        if isinstance(value, dict):
            return " ".join(f"{n} {k}" for k, n in value.items()) or "none"
        return str(value).replace("|", "/")[:120]

    if ours == theirs:
        return text(ours)
    return f"**{text(ours)} / {text(theirs)}**"


def main() -> None:
    """Print a table: each figure from noxci and from the tools run directly."""
    wanted = set(sys.argv[1:])
    keep = os.environ.get("ADOPTION_KEEP")  # a directory to keep the projects in
    figures = list(FIGURE_JOB)
    print(
        "Each cell: noxci's figure; in bold, noxci's / the tool's where they differ"
        " (lint: the findings of the project's linter, ruff or flake8)."
    )
    print(
        "| project | adoption lines | "
        + " | ".join(figures)
        + " | false passes | exit | gate | git status after preflight | s |"
    )
    print("|---" * (len(figures) + 7) + "|")
    unequal = false = 0
    started = time.monotonic()
    for case in CASES:
        if wanted and case.name not in wanted:
            continue
        if keep:  # kept for a look afterwards, with preflight's output beside
            where = Path(tempfile.mkdtemp(prefix=f"{case.name}-", dir=keep))
            result = run(case, where)
            (where / "preflight.txt").write_text(result.output, encoding="utf-8")
        else:
            with tempfile.TemporaryDirectory(prefix=f"noxci-adopt-{case.name}-") as tmp:
                result = run(case, Path(tmp))
        lines = "<br>".join(f"`{ln}`" for ln in adoption_lines(case)) or "none"
        cells = [_cell(result.ours[f], result.theirs[f]) for f in figures]
        wrong = false_passes(result.statuses, result.theirs)
        unequal += sum(result.ours[f] != result.theirs[f] for f in figures)
        false += len(wrong)
        print(
            f"| {case.name} {case.version} | {lines} | "
            + " | ".join(cells)
            + f" | {', '.join(wrong) or 0} | {result.exit_code} | {result.gate} "
            f"| {result.git_status.replace(chr(10), '<br>')} | {result.seconds:.0f} |",
            flush=True,
        )
    print("\nShapes:")
    for case in CASES:
        if not wanted or case.name in wanted:
            print(f"- {case.name} {case.version}: {case.shape}")
    print(
        f"\n{unequal} figure(s) differ, {false} false pass(es); "
        f"{time.monotonic() - started:.0f} s in all"
    )


if __name__ == "__main__":
    main()
