"""A pytest plugin that measures coverage in pytest-xdist workers.

noxci copies this file next to the job's coverage rc and loads it with
``-p noxci_xdist_coverage``; it must import nothing from noxci, because the
session's virtualenv need not have noxci installed.

The pytest controller already runs under ``coverage run``. Its workers are
new processes: this starts a ``coverage.Coverage`` in each, from the same rc,
as early as a plugin can (at import, during pytest's pre-parse), so that a
project's own coverage figure is the one its serial ``coverage run -m pytest``
gives. Other subprocesses are measured only if the project's config asks for
coverage's ``subprocess`` patch, as with coverage itself.

The data is saved at the end of the worker's session, not at unconfigure:
xdist tells the controller a worker finished as its session ends, and the
controller may then end the worker before unconfigure runs. A worker's
whole share of the tests went missing that way, at random (humanize: 97%
serially, 76% to 83% under two workers).
"""

from __future__ import annotations

import os
from typing import Any

import coverage

_RC = "NOXCI_COVERAGE_RC"


def _start() -> coverage.Coverage | None:
    in_worker = os.environ.get("PYTEST_XDIST_WORKER") and _RC in os.environ
    # coverage's subprocess patch, when the project asks for it, started one already
    if not in_worker or coverage.Coverage.current() is not None:
        return None
    cov = coverage.Coverage(config_file=os.environ[_RC], data_suffix=True)
    cov.start()
    return cov


_WORKER = [c for c in [_start()] if c is not None]


def _save() -> None:
    while _WORKER:
        cov = _WORKER.pop()
        cov.stop()
        cov.save()


def pytest_sessionfinish(session: Any, exitstatus: Any) -> None:
    """Save this worker's data before xdist reports the worker finished."""
    _save()


def pytest_unconfigure(config: Any) -> None:
    """Save it here when the session never finished (a crash in collection)."""
    _save()
