"""Readiness over 20 reports and 1,000 history lines (target: at most 0.3 s).

Run: uv run python benchmarks/readiness_bench.py [RUNS]. Prints the median
time of the scoring run in-process (load, check freshness, score, write every
output) and of the whole `noxci readiness` command, interpreter start-up
included.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.readiness_helpers import (  # noqa: E402
    PASSING,
    ci_runs,
    fetch_returning,
    fresh_report,
    write_project,
)

from noxci.github import GitHubSettings  # noqa: E402
from noxci.readiness.history import HistoryEntry, append_entry  # noqa: E402
from noxci.readiness.run import Options, readiness  # noqa: E402
from noxci.report import checksum  # noqa: E402

VERSIONS = [
    f"3.{minor}" for minor in range(15)
]  # 15 tests sessions + 5 other jobs = 20


def _setup(root: Path) -> None:
    config = write_project(root, f"[tool.noxci]\npython = {json.dumps(VERSIONS)}\n")
    for job in ("lint", "typecheck", "docs", "security"):
        fresh_report(config, job)
    fresh_report(
        config, "build", metrics={"artifacts_count": 2, "artifacts_bytes": 90000}
    )
    fresh_report(config, "tests", metrics=PASSING["tests"])
    template = json.loads((config.reports_dir / "tests.json").read_text())
    for version in VERSIONS:
        data = {**template, "session": f"tests-{version}"}
        data["checksum"] = checksum(data)
        (config.reports_dir / f"tests-{version}.json").write_text(json.dumps(data))
    (config.reports_dir / "tests.json").unlink()
    history = config.readiness_dir / "history.jsonl"
    lines = [
        HistoryEntry(
            generated_at=f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T09:00:00Z",
            commit=f"{i:040x}",
            branch="main",
            context="ci",
            score=80 + i % 20,
            band="Good",
            gate="passed",
            components={
                "ci": 90.0,
                "coverage": 95.0,
                "security": 100.0,
                "quality": 90.0,
            },
            outcome="success",
        )
        for i in range(1000)
    ]
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in lines[:-1]))
    append_entry(history, lines[-1], limit=5000)


def main() -> None:
    """Measure and print."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _setup(root)
        from noxci.config import load_config

        config = load_config(root)
        reports = len(list(config.reports_dir.glob("*.json")))
        fetch = fetch_returning(ci_runs("s" * 10))
        github = GitHubSettings(token="t", repository="acme/widget")
        options = Options(github=github, fetch=fetch, context="local")
        engine = []
        for _ in range(runs):
            start = time.perf_counter()
            doc = readiness(config, {}, options)
            engine.append(time.perf_counter() - start)
        assert doc.result.gate.exit_code == 0, doc.result.message
        command = []
        for _ in range(max(3, runs // 3)):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "noxci", "readiness", "--no-write"],
                cwd=root,
                capture_output=True,
                check=False,
            )
            command.append(time.perf_counter() - start)
    engine_s, command_s = statistics.median(engine), statistics.median(command)
    print(
        f"readiness over {reports} reports and 1000 history lines, median of {runs}: "
        f"engine {engine_s:.3f} s (target <= 0.3 s, ratio {engine_s / 0.3:.2f}); "
        f"whole command incl. interpreter start {command_s:.3f} s"
    )


if __name__ == "__main__":
    main()
