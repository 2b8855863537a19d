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


def pytest_unconfigure(config: Any) -> None:
    """Save this worker's data when pytest is done with it."""
    while _WORKER:
        cov = _WORKER.pop()
        cov.stop()
        cov.save()
