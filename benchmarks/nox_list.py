"""`nox -l` on this repository's noxfile against a bare noxfile with the same sessions.

Run: uv run python benchmarks/nox_list.py [RUNS]. Prints the medians and the
ratio (target: at most 1.2).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = '''
import nox

nox.options.default_venv_backend = "uv"

@nox.session(python="3.11")
def lint(session):
    """Lint."""

@nox.session(python="3.11")
def typecheck(session):
    """Typecheck."""

@nox.session(python="3.11")
def tests(session):
    """Tests."""

@nox.session(python="3.11")
def docs(session):
    """Docs."""

@nox.session(python="3.11")
def build(session):
    """Build."""
'''


def _time(noxfile: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "nox", "-f", str(noxfile), "-l"],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Measure and print."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "noxfile.py"
        bare.write_text(BARE, encoding="utf-8")
        _time(bare, 2)  # warm the bytecode caches
        _time(ROOT / "noxfile.py", 2)
        bare_s = _time(bare, runs)
        ours_s = _time(ROOT / "noxfile.py", runs)
    print(
        f"nox -l, median of {runs}: bare noxfile {bare_s * 1000:.0f} ms, "
        f"noxci noxfile {ours_s * 1000:.0f} ms, ratio {ours_s / bare_s:.2f} (target <= 1.2)"
    )


if __name__ == "__main__":
    main()
