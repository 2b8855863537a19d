"""One staleness rule, for the result cache and for the readiness gate.

A report stands for a run on the inputs it recorded. It is *fresh* for the
inputs the tree gives now when every compared part is equal: the files'
digest and count, the Python version, the session arguments, the named
environment variables, the noxci version and the daily salt. The cache and
readiness differ only in a named :class:`Policy`:

- :data:`CACHE` compares everything: a reused report must be the one this
  exact session would write now.
- :data:`READINESS` ignores the Python version and the environment
  variables. In CI each job runs on its own runner and the readiness job
  on another (it does not set a job's ``NOXCI_VULN_SERVICE``, and its
  interpreter may differ in its patch version), so comparing them would
  fail every good run; the files, arguments, noxci and the day still decide.
  It also accepts yesterday's salt, so a daily job run just before midnight
  UTC still counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from noxci.clock import utc_now
from noxci.config import Config
from noxci.digest import Tree, compute_inputs
from noxci.report import Inputs, Report

__all__ = [
    "CACHE",
    "READINESS",
    "Policy",
    "current_inputs",
    "daily_salt",
    "stale_reason",
]


@dataclass(frozen=True, kw_only=True)
class Policy:
    """What a comparison leaves out, and how many days a daily salt stays fresh."""

    name: str
    ignore: frozenset[str] = frozenset()
    salt_days: int = 1


CACHE = Policy(name="cache")
READINESS = Policy(name="readiness", ignore=frozenset({"python", "env"}), salt_days=2)


def daily_salt(now: str | None = None) -> str:
    """The salt of a daily-cached job: the UTC date."""
    return (now or utc_now())[:10]


def current_inputs(
    config: Config,
    job: str,
    *,
    python: str,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    tree: Tree | None = None,
    now: str | None = None,
) -> Inputs:
    """The inputs job ``job`` would record if it ran now (raises when unreadable)."""
    cfg = config.job(job)
    return compute_inputs(
        config.root,
        include=cfg.digest_globs,
        exclude=cfg.inputs_exclude,
        skip_dirs=config.output_dirs,
        python=python,
        args=args,
        env_names=cfg.env,
        env=env or {},
        tree=tree,
        salt=daily_salt(now) if cfg.cache == "daily" else "",
    )


def _days_apart(recorded: str, current: str) -> int | None:
    try:
        return (dt.date.fromisoformat(current) - dt.date.fromisoformat(recorded)).days
    except ValueError:
        return None


def _differences(report: Report, now: Inputs, policy: Policy) -> Iterator[str]:
    """Every way the recorded inputs differ from ``now``, first the files."""
    was = report.inputs
    if (was.files, was.file_count) != (now.files, now.file_count):
        commit = (report.git.commit or "unknown commit")[:12]
        yield f"the job's inputs changed since this report was made (at {commit})"
    if tuple(was.args) != tuple(now.args):
        made = " ".join(was.args) or "none"
        yield f"made with session arguments ({made}), not these; run it without them"
    if "python" not in policy.ignore and was.python != now.python:
        yield f"made on Python {was.python}, not {now.python}"
    if "env" not in policy.ignore and dict(was.env) != dict(now.env):
        names = sorted(
            k for k in {*was.env, *now.env} if was.env.get(k) != now.env.get(k)
        )
        yield f"environment variable(s) {', '.join(names)} changed"
    if was.noxci != now.noxci:
        yield f"made by noxci {was.noxci}, not {now.noxci}"
    if was.salt != now.salt:
        apart = _days_apart(was.salt, now.salt) if was.salt and now.salt else None
        if apart is None or not 0 <= apart < policy.salt_days:
            yield (
                f"made on {was.salt or 'an unknown day'}, and this job is re-run "
                "daily (new advisories)"
            )


def stale_reason(report: Report, current: Inputs, policy: Policy) -> str | None:
    """Why ``report`` does not stand for a run on ``current``, or None when fresh."""
    reason = next(_differences(report, current, policy), None)
    if reason is None:
        return None
    return f"{reason}; re-run `nox -s {report.session}`"
