"""A simulated N-runner CI: how even noxci's split of this repository's tests is.

Run: uv run python benchmarks/shards_sim.py [DURATIONS]

DURATIONS is a tests report log (``reports/tests.pytest.jsonl``) or a
durations file (``reports/tests.durations.json``, which every full tests run
writes); by default the latter, else the former. For N = 2, 4 and 8 it splits
the recorded tests exactly as ``nox -s tests -- --shard K/N`` does (whole
modules, heaviest first onto the lightest shard) and prints the largest
shard's time over the ideal, the total over N (target <= 1.15), beside a
split by test id alone (what a split without durations gives) for scale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def load(path: Path) -> dict[str, float]:
    """Test ids and seconds from a durations file or a report log."""
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        return {str(k): float(v) for k, v in data.items()}
    from noxci.parsers.pytest_log import parse_report_log

    with path.open(encoding="utf-8") as lines:
        return dict(parse_report_log(lines).durations)


def largest(split: dict[str, int], durations: dict[str, float], shards: int) -> float:
    """The time of the slowest shard."""
    loads = [0.0] * shards
    for test, shard in split.items():
        loads[shard - 1] += durations.get(test, 0.0)
    return max(loads)


def main() -> None:
    """Load, split, print."""
    from noxci.jobs.pytest_select import assign

    default = ROOT / "reports" / "tests.durations.json"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    if not path.is_file():
        path = ROOT / "reports" / "tests.pytest.jsonl"
    durations = load(path)
    if not durations:
        raise SystemExit(f"{path}: no durations; run `nox -s tests` first")
    tests = {test: test.split("::")[0] for test in durations}
    total = sum(durations.values())
    modules = len(set(tests.values()))
    heaviest = max(
        sum(d for t, d in durations.items() if tests[t] == m)
        for m in set(tests.values())
    )
    print(
        f"{len(tests)} tests in {modules} modules, {total:.1f} s in all "
        f"(heaviest module {heaviest:.1f} s), from {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
    )
    for shards in (2, 4, 8):
        ideal = total / shards
        balanced = largest(assign(tests, durations, shards), durations, shards)
        blind = largest(assign(tests, {}, shards), durations, shards)
        print(
            f"  N={shards}: largest shard {balanced:.1f} s / ideal {ideal:.1f} s = "
            f"{balanced / ideal:.2f} (target <= 1.15); split without durations "
            f"{blind / ideal:.2f}"
        )


if __name__ == "__main__":
    main()
