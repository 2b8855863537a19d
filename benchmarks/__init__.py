"""What the benchmark scripts share: timing a command, and saying when it failed.

The scripts run by path (``uv run python benchmarks/speed.py``); each puts
the repository root on ``sys.path`` so that ``import benchmarks`` finds this.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

# Commands that exited with a code they should not have: a contender that
# stops early is not doing the same work, and the reader must know.
NONZERO: list[str] = []


def timed(
    argv: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)
) -> float:
    """Run ``argv`` in ``cwd``; its wall time in seconds (a bad exit goes to NONZERO)."""
    start = time.perf_counter()
    done = subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    took = time.perf_counter() - start
    if done.returncode not in ok:
        NONZERO.append(
            f"{cwd.name}: {' '.join(argv[-4:])} exited {done.returncode}: "
            f"{done.stderr[-300:]}"
        )
    return took


def median_of(runs: int, once: Callable[[], float]) -> float:
    """The median of ``runs`` calls of ``once``."""
    return statistics.median(once() for _ in range(runs))
