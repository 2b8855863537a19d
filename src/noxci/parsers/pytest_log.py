"""pytest's own structured output: the ``--report-log`` JSON lines.

Outcomes are categorised exactly as pytest's terminal summary counts them
(one category per report, so a test failing in its call and its teardown is
one failure and one error), which keeps noxci's figures equal to pytest's.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from noxci import safefile
from noxci.parsers import ParseError

__all__ = [
    "BAD",
    "CATEGORIES",
    "EXIT_INTERRUPTED",
    "RunLog",
    "TestLocation",
    "merge_reruns",
    "parse_report_log",
]

EXIT_INTERRUPTED = 2  # pytest stopped: a collection error, Ctrl-C
CATEGORIES = ("passed", "failed", "skipped", "errors", "xfailed", "xpassed")
BAD = frozenset({"failed", "errors"})  # the categories of a test that did not pass


@dataclass(frozen=True, kw_only=True)
class TestLocation:
    """Where a test lives and why it failed, for findings."""

    __test__ = False

    path: str | None
    line: int | None
    message: str


@dataclass(frozen=True, kw_only=True)
class RunLog:
    """One pytest run: per-test categories, collection errors, durations."""

    tests: Mapping[str, tuple[str, ...]]
    collection_errors: Mapping[str, str]
    locations: Mapping[str, TestLocation] = field(default_factory=dict)
    duration_s: float = 0.0
    durations: Mapping[str, float] = field(default_factory=dict)  # per test
    finished: bool = False
    exitstatus: int | None = None

    def counts(self) -> Counter[str]:
        """How many reports fell in each category, as pytest's summary says."""
        total: Counter[str] = Counter(dict.fromkeys(CATEGORIES, 0))
        for categories in self.tests.values():
            total.update(categories)
        total["errors"] += len(self.collection_errors)
        return total

    def bad(self) -> list[str]:
        """Test ids that failed or errored (re-run candidates), in log order."""
        return [nodeid for nodeid, cats in self.tests.items() if BAD & set(cats)]


def _category(report: Mapping[str, object]) -> str | None:
    when, outcome = report.get("when"), report.get("outcome")
    xfail = "wasxfail" in report
    if when == "call":
        if outcome == "passed":
            return "xpassed" if xfail else "passed"
        if outcome == "skipped":
            return "xfailed" if xfail else "skipped"
        return "failed"
    if outcome == "failed":
        return "errors"
    if outcome == "skipped":
        return "xfailed" if xfail else "skipped"
    return None


def _message(report: Mapping[str, object]) -> str:
    longrepr = report.get("longrepr")
    text = ""
    if isinstance(longrepr, dict):
        crash = longrepr.get("reprcrash")
        text = str(crash.get("message") or "") if isinstance(crash, dict) else ""
        text = text.splitlines()[0] if text else "failed"
    elif isinstance(longrepr, list) and len(longrepr) == 3:
        text = str(longrepr[2])  # a skip: (path, line, reason)
    elif isinstance(longrepr, str) and longrepr.strip():
        text = longrepr.strip().splitlines()[-1]  # a collection error's last line
    return text[:300]


def _location(report: Mapping[str, object]) -> TestLocation:
    loc = report.get("location")
    path = line = None
    if isinstance(loc, list) and len(loc) >= 2:
        path = str(loc[0])
        line = loc[1] + 1 if isinstance(loc[1], int) else None  # pytest counts from 0
    return TestLocation(path=path, line=line, message=_message(report))


def parse_report_log(lines: Iterable[str]) -> RunLog:
    """Parse a report log; malformed lines raise :class:`ParseError`."""
    tests: dict[str, list[str]] = {}
    collection_errors: dict[str, str] = {}
    locations: dict[str, TestLocation] = {}
    durations: dict[str, float] = {}
    finished = False
    exitstatus: int | None = None
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            report = safefile.loads(raw)
            kind = report["$report_type"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ParseError(f"pytest report log line {number}: {exc!r}") from None
        if kind == "SessionFinish":
            finished = True
            exitstatus = report.get("exitstatus")
        elif kind == "CollectReport" and report.get("outcome") == "failed":
            collection_errors[report.get("nodeid") or "<session>"] = _message(report)
        elif kind == "CollectReport" and report.get("outcome") == "skipped":
            tests.setdefault(report.get("nodeid") or "<session>", []).append("skipped")
        elif kind == "TestReport":
            nodeid = report["nodeid"]
            entry = tests.setdefault(nodeid, [])
            durations[nodeid] = durations.get(nodeid, 0.0) + _seconds(report)
            category = _category(report)
            if category is not None:
                entry.append(category)
            if category in BAD or nodeid not in locations:
                locations[nodeid] = _location(report)
    return RunLog(
        tests={nodeid: tuple(cats) for nodeid, cats in tests.items() if cats},
        collection_errors=collection_errors,
        locations=locations,
        duration_s=sum(durations.values()),
        durations=durations,
        finished=finished,
        exitstatus=exitstatus,
    )


MAX_PHASE_SECONDS = 86_400.0  # longer is a clock a test froze, not a duration


def _seconds(report: Mapping[str, object]) -> float:
    """A phase's duration; nonsense counts 0.

    pytest takes durations from the clock the test sees: a test that freezes
    time (freezegun) reports a phase of years, or a negative one.
    """
    value = report.get("duration")
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and 0 <= value <= MAX_PHASE_SECONDS
    ):
        return float(value)
    return 0.0


def merge_reruns(first: RunLog, reruns: Iterable[RunLog]) -> tuple[RunLog, list[str]]:
    """Apply re-run rounds to the first run; return it and the flaky test ids.

    A test's final categories are those of the last round it ran in. A test
    that failed first and passed in a later round is flaky.
    """
    tests = dict(first.tests)
    locations = dict(first.locations)
    duration = first.duration_s
    for log in reruns:
        duration += log.duration_s
        for nodeid, categories in log.tests.items():
            if nodeid in tests:
                tests[nodeid] = categories
                if nodeid in log.locations:
                    locations[nodeid] = log.locations[nodeid]
    flaky = [n for n in first.bad() if not BAD & set(tests[n])]
    merged = RunLog(
        tests=tests,
        collection_errors=first.collection_errors,
        locations=locations,
        duration_s=duration,
        durations=first.durations,  # a test's own time, not its re-runs'
        finished=first.finished,
        exitstatus=first.exitstatus,
    )
    return merged, flaky
