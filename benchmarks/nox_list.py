"""`nox -l` on this repository's noxfile against a bare noxfile with the same sessions.

Run: uv run python benchmarks/nox_list.py [RUNS]. Prints the medians and two
ratios (target: at most 1.2 each):

- in place: nox already has noxci (NOX_SCRIPT_MODE=none: the locked
  environment, CI, the IDE tasks) against the bare noxfile;
- script mode: a plain nox reads the PEP 723 block and uses the environment
  it made on the first run, against a bare noxfile with a block of the same
  shape (a URL requirement), which pays the same nox machinery.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SESSIONS = "\n".join(
    f'@nox.session(python="3.11")\ndef {name}(session):\n    """{name.title()}."""\n'
    for name in ("lint", "typecheck", "tests", "docs", "security", "build")
)
BARE = f'import nox\n\nnox.options.default_venv_backend = "uv"\n\n{SESSIONS}'


def _time(noxfile: Path, runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "nox", "-f", str(noxfile), "-l"],
            check=True,
            capture_output=True,
            env=env,
            cwd=noxfile.parent,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Measure and print."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    in_place = {**os.environ, "NOX_SCRIPT_MODE": "none"}
    script = {k: v for k, v in os.environ.items() if k != "NOX_SCRIPT_MODE"}
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare" / "noxfile.py"
        bare.parent.mkdir()
        bare.write_text(BARE, encoding="utf-8")
        blocked = Path(tmp) / "blocked" / "noxfile.py"
        (blocked.parent / "tiny").mkdir(parents=True)
        (blocked.parent / "tiny" / "pyproject.toml").write_text(
            '[project]\nname = "tiny"\nversion = "1"\n[build-system]\n'
            'requires = ["uv_build>=0.13,<0.14"]\nbuild-backend = "uv_build"\n'
        )
        (blocked.parent / "tiny" / "src" / "tiny").mkdir(parents=True)
        (blocked.parent / "tiny" / "src" / "tiny" / "__init__.py").write_text("")
        blocked.write_text(
            '# /// script\n# dependencies = ["nox>=2026.10.20", "tiny @ file:./tiny"]\n'
            f"# ///\n{BARE}",
            encoding="utf-8",
        )
        for path, env in ((bare, in_place), (ROOT / "noxfile.py", in_place)):
            _time(path, 2, env)  # warm the bytecode caches
        _time(blocked, 2, script)  # the first run makes the script environment
        _time(ROOT / "noxfile.py", 2, script)
        bare_s = _time(bare, runs, in_place)
        ours_s = _time(ROOT / "noxfile.py", runs, in_place)
        blocked_s = _time(blocked, runs, script)
        ours_script_s = _time(ROOT / "noxfile.py", runs, script)
    print(
        f"nox -l, median of {runs}: in place: bare {bare_s * 1000:.0f} ms, noxci "
        f"{ours_s * 1000:.0f} ms, ratio {ours_s / bare_s:.2f}; script mode: bare "
        f"{blocked_s * 1000:.0f} ms, noxci {ours_script_s * 1000:.0f} ms, ratio "
        f"{ours_script_s / blocked_s:.2f} (target <= 1.2)"
    )


if __name__ == "__main__":
    main()
