"""How many xdist workers the tests job uses: measured, not guessed.

Each run records the wall time of its first pass in the report's
``details.timings``, as ``serial_s`` or ``parallel_s`` (the other mode's
last figure is carried over). :func:`choose` then takes the mode measured
faster: a suite of 62,000 tiny tests runs faster serially (104 s) than under
xdist (168 s), where every worker collects every test again.
"""

from __future__ import annotations

from collections.abc import Mapping

from noxci.report import Report

__all__ = ["TIMINGS", "choose", "timings"]

TIMINGS = ("serial_s", "parallel_s")


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return float(value)


def _recorded(previous: Report | None) -> Mapping[str, float]:
    """The previous run's timings, plus its summed test durations."""
    if previous is None:
        return {}
    found = previous.details.get("timings")
    recorded = {
        key: number
        for key in TIMINGS
        if isinstance(found, dict) and (number := _number(found.get(key))) is not None
    }
    durations = _number(previous.metrics.get("tests_duration_s"))
    if durations is not None:
        recorded["durations_s"] = durations
    return recorded


def _faster(
    recorded: Mapping[str, float], serial_below_s: float, cpus: int
) -> bool | None:
    """Whether serial is expected to be faster, from what was measured (None: unknown).

    Wall times decide. The tests' own durations, summed, stand in for a
    serial run only where they are plausible: pytest reads them from the
    clock the tests see, and a suite that freezes time (freezegun) reports
    minutes for a run of seconds. Summed durations above what the workers
    could have done in the parallel run's wall time are not believed; the
    next run is then serial, once, to measure it.
    """
    serial, parallel = recorded.get("serial_s"), recorded.get("parallel_s")
    durations = recorded.get("durations_s")
    if serial is not None and parallel is not None:
        return serial <= parallel
    if parallel is not None:
        if durations is not None and durations <= parallel * cpus:
            return durations < parallel
        return True  # measure serial once
    if serial is not None:
        return serial < serial_below_s  # a slow serial run tries xdist once
    if durations is not None:
        return durations < serial_below_s
    return None


def choose(
    configured: int | str,
    previous: Report | None,
    *,
    serial_below_s: float,
    cpus: int | None,
) -> int:
    """Workers for this run: ``configured``, or for ``auto`` the faster mode.

    With nothing measured yet (the first run), one worker per CPU; a
    one-CPU machine always runs serially.
    """
    if isinstance(configured, int):
        return configured
    cpus = cpus or 1
    if cpus == 1:
        return 0
    return 0 if _faster(_recorded(previous), serial_below_s, cpus) else cpus


def timings(
    previous: Report | None, workers: int | None, wall_s: float
) -> dict[str, float]:
    """The timings to record: this run's first-pass wall time, and the other mode's last.

    ``workers`` None: this run ran part of the suite; the last figures stand.
    """
    recorded = {k: v for k, v in _recorded(previous).items() if k in TIMINGS}
    if workers is not None:
        recorded["parallel_s" if workers else "serial_s"] = round(wall_s, 3)
    return recorded
