"""A pytest plugin for the tests job: which tests run, and who covered what.

noxci copies this file beside the job's coverage rc and loads it with
``-p noxci_select``; like ``xdist_coverage.py`` it imports nothing from noxci
(the session's virtualenv need not have it). It reads the environment:

- ``NOXCI_DESELECT``: a file of test ids, one per line, to leave out (the
  tests whose earlier results an incremental run reuses, or those of other
  shards). pytest's own ``-k`` and ``-m`` apply first.
- ``NOXCI_COLLECTED``: where to write, as JSON, every test collected with
  its file (relative to ``NOXCI_ROOT``) and the ids left out.
- ``NOXCI_CONTEXTS=1``: record each test's coverage under a context named
  by its id, in this process and in the subprocesses it starts (coverage's
  ``subprocess`` patch hands its config to them in
  ``COVERAGE_PROCESS_CONFIG``, whose context is set to the test's id for the
  length of the test). An incremental run knows from these contexts which
  tests touched a changed file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
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


def _writes_collection() -> bool:
    """One process writes the collection: pytest's, or xdist's first worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return bool(os.environ.get("NOXCI_COLLECTED")) and worker in {None, "gw0"}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Leave out the listed tests; write what was collected."""
    unwanted = _deselected()
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
