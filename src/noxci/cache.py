"""Result caching: a session whose inputs did not change is not run again.

The previous report is the cache. It is reused only when it is valid, from
the same session and job, ended with a verdict (passed or failed: an error
or a skip is never reused), and fresh under the cache's staleness policy
(:data:`noxci.staleness.CACHE`: every part of its inputs equal). Anything
uncertain (an unreadable tree, a corrupt report) is a miss, never a hit.
The commit does not matter: equal inputs are equal inputs, so a report from
another commit with the same inputs is reused, as readiness also holds.
"""

from __future__ import annotations

from collections.abc import Mapping

from noxci.jobconfig import JobConfig
from noxci.report import Inputs, Report
from noxci.staleness import CACHE, stale_reason

__all__ = ["CACHE_ENV", "cache_enabled", "reusable"]

CACHE_ENV = "NOXCI_CACHE"
_OFF = {"0", "false", "no", "off"}


def cache_enabled(cfg: JobConfig, env: Mapping[str, str]) -> bool:
    """Whether this job may reuse a report (``cache`` config, ``NOXCI_CACHE=0``)."""
    return (
        cfg.cache is not False and env.get(CACHE_ENV, "1").strip().lower() not in _OFF
    )


def reusable(
    report: Report, inputs: Inputs, *, session: str, job: str
) -> Report | None:
    """``report`` marked cached when it may stand for a run on ``inputs``, else None."""
    if (report.session, report.job) != (session, job) or not report.status.final:
        return None
    if stale_reason(report, inputs, CACHE) is not None:
        return None
    return report.as_cached()
