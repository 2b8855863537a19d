"""A pytest plugin for the tests job: which tests run, and who covered what.

noxci copies this file beside the job's coverage rc and loads it with
``-p noxci_select``; like ``xdist_coverage.py`` it imports nothing from noxci
(the session's virtualenv need not have it). It reads the environment:

- ``NOXCI_DESELECT``: a file of test ids, one per line, to leave out (the
  tests whose earlier results an incremental run reuses, or those of other
  shards). pytest's own ``-k`` and ``-m`` apply first.
- ``NOXCI_COLLECTED``: where to write, as JSON, every test collected with
  its file (relative to ``NOXCI_ROOT``) and the ids left out.
- ``NOXCI_SHARD=K/N`` (with ``NOXCI_DURATIONS``, a JSON file of test ids
  and seconds): keep only shard K of N, as :func:`assign` splits the
  collected tests. Every shard computes the same split, so the shards of
  one suite, run anywhere, run each test once; the collection file records
  a digest of the split for the combine step to check.
- ``NOXCI_CONTEXTS=1``: record each test's coverage under a context named
  by its id, in this process and in the subprocesses it starts (coverage's
  ``subprocess`` patch hands its config to them in
  ``COVERAGE_PROCESS_CONFIG``, whose context is set to the test's id for the
  length of the test). An incremental run knows from these contexts which
  tests touched a changed file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Generator, Mapping
from pathlib import Path
from typing import Any

import pytest

_PROCESS_CONFIG = "COVERAGE_PROCESS_CONFIG"


def _deselected() -> frozenset[str]:
    path = os.environ.get("NOXCI_DESELECT")
    if not path:
        return frozenset()
    with open(path, encoding="utf-8") as handle:
        return frozenset(line.rstrip("\n") for line in handle if line.strip())


def _relative(path: Path) -> str:
    root = os.environ.get("NOXCI_ROOT", "")
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def assign(
    tests: Mapping[str, str], durations: Mapping[str, float], shards: int
) -> dict[str, int]:
    """Each test's shard (1 to ``shards``): modules whole where they fit, balanced by time.

    A module stays on one shard (its fixtures are set up once) unless it
    alone weighs more than a shard's fair share (the total over ``shards``):
    then its tests are placed one by one. Tests are weighed by their
    recorded durations (a test with none counts the mean of those recorded)
    or, when nothing is recorded, all alike. The heaviest unit goes first to
    the lightest shard (ties: the unit's name, the lowest shard). The same
    tests and durations always give the same split.
    """
    known = [durations[t] for t in tests if t in durations]
    estimate = sum(known) / len(known) if known else 1.0
    cost = {test: durations.get(test, estimate) for test in tests}
    weight: dict[str, float] = {}
    for test, module in tests.items():
        weight[module] = weight.get(module, 0.0) + cost[test]
    share = sum(weight.values()) / shards
    units: dict[str, tuple[float, list[str]]] = {}
    for test, module in tests.items():
        key = module if weight[module] <= share else test
        total, members = units.get(key, (0.0, []))
        units[key] = (total + cost[test], [*members, test])
    loads = [0.0] * shards
    shard_of: dict[str, int] = {}
    for key in sorted(units, key=lambda k: (-units[k][0], k)):
        lightest = min(range(shards), key=lambda i: (loads[i], i))
        total, members = units[key]
        loads[lightest] += total
        shard_of.update(dict.fromkeys(members, lightest + 1))
    return shard_of


def split_digest(split: Mapping[str, int]) -> str:
    """A digest of a split: equal on every shard that split the same suite the same way."""
    text = "\n".join(f"{test}\t{shard}" for test, shard in sorted(split.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def _shard(items: list[Any]) -> tuple[set[str], dict[str, Any]]:
    """The test ids outside this shard, and what the collection file says of the split."""
    spec = os.environ.get("NOXCI_SHARD")
    if not spec:
        return set(), {}
    index, _, total = spec.partition("/")
    durations: dict[str, float] = {}
    if path := os.environ.get("NOXCI_DURATIONS"):
        with open(path, encoding="utf-8") as handle:
            durations = json.load(handle)
    tests = {item.nodeid: _relative(item.path) for item in items}
    split = assign(tests, durations, int(total))
    others = {test for test, shard in split.items() if shard != int(index)}
    return others, {"index": int(index), "of": int(total), "split": split_digest(split)}


def _writes_collection() -> bool:
    """One process writes the collection: pytest's, or xdist's first worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return bool(os.environ.get("NOXCI_COLLECTED")) and worker in {None, "gw0"}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Leave out the listed tests and other shards'; write what was collected."""
    others, shard = _shard(items)
    unwanted = _deselected() | others
    kept = [item for item in items if item.nodeid not in unwanted]
    left_out = [item for item in items if item.nodeid in unwanted]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
    if _writes_collection():
        data = {
            "tests": {item.nodeid: _relative(item.path) for item in kept + left_out},
            "deselected": [item.nodeid for item in left_out],
            "contexts": _contexts_possible(),
            "shard": shard,
        }
        target = Path(os.environ["NOXCI_COLLECTED"])
        partial = target.with_name(target.name + ".part")
        partial.write_text(json.dumps(data), encoding="utf-8")
        partial.replace(target)


def _coverage() -> Any:
    if os.environ.get("NOXCI_CONTEXTS") != "1":
        return None
    import coverage

    return coverage.Coverage.current()


def _contexts_possible() -> bool:
    """Whether every process that runs a test records it under its own context.

    False when coverage is not measuring here, or when subprocesses would be
    measured by a mechanism whose context cannot be set (a project's own
    ``COVERAGE_PROCESS_START``): their data would belong to no test.
    """
    if _coverage() is None:
        return False
    return not os.environ.get("COVERAGE_PROCESS_START")


def _subprocess_context(nodeid: str) -> str | None:
    """Point the config subprocesses inherit at ``nodeid``; return the old value."""
    old = os.environ.get(_PROCESS_CONFIG)
    if old is None:
        return None
    from coverage.config import CoverageConfig

    config = CoverageConfig.deserialize(old)
    config.context = nodeid
    os.environ[_PROCESS_CONFIG] = config.serialize()
    return old


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: Any, nextitem: Any) -> Generator[None, None, None]:
    """Measure the test (setup, call, teardown) under a context named by its id."""
    cov = _coverage()
    if cov is None:
        yield
        return
    cov.switch_context(item.nodeid)
    old = _subprocess_context(item.nodeid)
    try:
        yield
    finally:
        cov.switch_context("")
        if old is not None:
            os.environ[_PROCESS_CONFIG] = old
