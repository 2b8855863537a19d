"""The tests job's JUnit XML, made to agree with its report on flaky tests.

pytest writes the JUnit file during the first pass, where a flaky test
failed; the re-runs that it then passed write none. So the file is edited
after the re-runs: a flaky test's ``<failure>`` or ``<error>`` becomes the
``<flakyFailure>`` / ``<flakyError>`` that Maven Surefire's re-run format
(read by Jenkins, GitLab and most JUnit viewers) uses for "failed, then
passed on a re-run", and the suite's ``failures`` and ``errors`` counts drop
accordingly.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET  # nosec B405 - pytest's own output
from collections.abc import Collection
from pathlib import Path

from noxci import fsutil

__all__ = ["add_reused", "junit_case", "mark_flaky", "merge_junit"]

_FLAKY = {"failure": "flakyFailure", "error": "flakyError"}
_COUNT = {"failure": "failures", "error": "errors"}


def junit_case(nodeid: str) -> tuple[str, str]:
    """``(classname, name)`` of a test id in pytest's JUnit XML (its mangling)."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    return ".".join(names[:-1]), names[-1]


def mark_flaky(path: Path, flaky: Collection[str]) -> int:
    """Rewrite ``path`` so that ``flaky`` tests pass there too; how many changed."""
    if not flaky or not path.is_file():
        return 0
    wanted = {junit_case(nodeid) for nodeid in flaky}
    tree = ET.parse(path)  # noqa: S314  # nosec B314 - written by pytest in this run
    root = tree.getroot()
    changed = 0
    for suite in root.iter("testsuite"):
        for case in suite.iter("testcase"):
            key = (case.get("classname", ""), case.get("name", ""))
            if key not in wanted:
                continue
            for child in list(case):
                if child.tag not in _FLAKY:
                    continue
                child.tag = _FLAKY[child.tag]
                count = _COUNT[child.tag.removeprefix("flaky").lower()]
                for holder in {suite, root}:
                    if holder.get(count) is not None:
                        holder.set(count, str(max(0, int(holder.get(count, "0")) - 1)))
                changed += 1
    if changed:
        text = ET.tostring(root, encoding="unicode")
        fsutil.atomic_write_text(path, '<?xml version="1.0" encoding="utf-8"?>' + text)
    return changed


def _append(path: Path, cases: list[ET.Element]) -> int:
    """Add ``cases`` to the first suite of ``path``'s JUnit; its counts (and the root's) grow."""
    tree = ET.parse(path)  # noqa: S314  # nosec B314 - written by pytest in this run
    root = tree.getroot()
    suite = next(root.iter("testsuite"), None)
    if suite is None or not cases:
        return 0
    grows = {
        "tests": len(cases),
        "skipped": sum(1 for case in cases if case.find("skipped") is not None),
        "failures": sum(1 for case in cases if case.find("failure") is not None),
        "errors": sum(1 for case in cases if case.find("error") is not None),
    }
    seconds = sum(float(case.get("time", "0") or 0) for case in cases)
    suite.extend(cases)
    for holder in {suite, root}:
        for key, more in grows.items():
            if holder.get(key) is not None:
                holder.set(key, str(int(holder.get(key, "0")) + more))
        if holder.get("time") is not None:
            holder.set("time", f"{float(holder.get('time', '0')) + seconds:.3f}")
    text = ET.tostring(root, encoding="unicode")
    fsutil.atomic_write_text(path, '<?xml version="1.0" encoding="utf-8"?>' + text)
    return len(cases)


def _cases(path: Path) -> list[ET.Element]:
    root = ET.parse(path).getroot()  # noqa: S314  # nosec B314 - noxci's own
    return list(root.iter("testcase"))


def add_reused(path: Path, earlier: Path, tests: Collection[str]) -> int:
    """Copy the ``tests`` an incremental run reused from ``earlier``'s JUnit into ``path``'s.

    They join the first suite, whose counts (and the root's) grow to match:
    the file then describes the whole suite, as the report does. Reused
    tests never failed (failures always run again); skips stay skips.
    """
    if not tests or not path.is_file() or not earlier.is_file():
        return 0
    wanted = {junit_case(nodeid) for nodeid in tests}
    try:
        cases = [
            case
            for case in _cases(earlier)
            if (case.get("classname", ""), case.get("name", "")) in wanted
        ]
    except ET.ParseError:
        return 0  # a damaged copy: the file keeps this run's tests only
    return _append(path, cases)


def merge_junit(path: Path, parts: list[Path]) -> int:
    """``path``: the first of ``parts`` with the test cases of the others added."""
    present = [part for part in parts if part.is_file()]
    if not present:
        return 0
    shutil.copyfile(present[0], path)
    return sum(_append(path, _cases(part)) for part in present[1:])
