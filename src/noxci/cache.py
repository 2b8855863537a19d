"""Result caching: a session whose inputs did not change is not run again.

The previous report is the cache. It is reused only when it is valid, from
the same session and job, ended with a verdict (passed or failed: an error
or a skip is never reused), and its inputs digest equals the one the tree
gives now. Anything uncertain (an unreadable tree, a corrupt report) is a
miss, never a hit. The commit does not matter: equal digests mean equal
inputs, so a report from another commit with the same inputs is reused, as
readiness's staleness rule also holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from noxci import console
from noxci.config import JobConfig
from noxci.errors import ReportError
from noxci.report import Inputs, Report, read_report

__all__ = ["CACHE_ENV", "cache_enabled", "cached_report", "reusable"]

CACHE_ENV = "NOXCI_CACHE"
_OFF = {"0", "false", "no", "off"}


def cache_enabled(cfg: JobConfig, env: Mapping[str, str]) -> bool:
    """Whether this job may reuse a report (``cache`` config, ``NOXCI_CACHE=0``)."""
    return (
        cfg.cache is not False and env.get(CACHE_ENV, "1").strip().lower() not in _OFF
    )


def cached_report(
    path: Path, inputs: Inputs, *, session: str, job: str
) -> Report | None:
    """The reusable report at ``path`` for ``inputs``, or None (a miss)."""
    if not path.exists():
        return None
    try:
        report = read_report(path)
    except ReportError as exc:
        console.warn(f"cache miss: {exc}")
        return None
    return reusable(report, inputs, session=session, job=job)


def reusable(
    report: Report, inputs: Inputs, *, session: str, job: str
) -> Report | None:
    """``report`` marked cached when it may stand for a run on ``inputs``, else None."""
    if (report.session, report.job) != (session, job) or not report.status.final:
        return None
    if report.inputs_digest != inputs.digest:
        return None
    return report.as_cached()
