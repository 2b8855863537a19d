"""The ``smoke`` job: the staging smoke test.

A health endpoint, API checks (method, path, expected status, required JSON
keys, a latency budget) and a database connectivity check (SQLAlchemy,
``SELECT 1``), each tried up to ``attempts`` times under noxci's retry
policy, with a timeout on every request (:mod:`noxci.smokecheck`). The service comes from ``$STAGING_URL`` (``url-env``);
with none set, ``noxci serve`` is started locally on SQLite, smoke-tested and
stopped, so the session works offline with no setup. The base URL and the
database credentials never appear in any output. A failure posts to Slack.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from noxci import console, proc
from noxci.errors import ToolError
from noxci.jobconfig import NAME, JobConfig, option
from noxci.jobs.base import JobContext, Outcome
from noxci.report import Finding, Severity, Status
from noxci.smokecheck import CheckResult, SmokeCheck, check_database, check_http

__all__ = [
    "CheckResult",
    "Settings",
    "SmokeCheck",
    "check_database",
    "check_http",
    "run",
]


def _checks(items: Sequence[Any]) -> tuple[SmokeCheck, ...]:
    from noxci.jobconfig import build_settings

    return tuple(build_settings(SmokeCheck, item) for item in items)


_CHECK = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "path"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "method": {
            "enum": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        },
        "path": {"type": "string", "pattern": "^/"},
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "json-keys": {"type": "array", "items": {"type": "string"}},
        "max-latency-ms": {"type": "number", "exclusiveMinimum": 0, "maximum": 600000},
    },
}


@dataclass(frozen=True, kw_only=True)
class Settings(JobConfig):
    """``[tool.noxci.smoke]``."""

    url_env: str = option(
        "STAGING_URL",
        NAME,
        "Environment variable holding the base URL of the service under test.",
    )
    database_url_env: str = option(
        "DATABASE_URL",
        NAME,
        "Environment variable holding the database URL (SQLAlchemy) to check; unset skips the database check.",
    )
    health_path: str = option(
        "/health",
        {"type": "string", "pattern": "^/"},
        "The health endpoint; it must answer 200.",
    )
    attempts: int = option(
        3,
        {"type": "integer", "minimum": 1, "maximum": 10},
        "Attempts per check, with exponential backoff.",
    )
    backoff: float = option(
        1.0,
        {"type": "number", "minimum": 0, "maximum": 60},
        "Seconds before the second attempt; doubled each time.",
    )
    request_timeout: float = option(
        10.0,
        {"type": "number", "exclusiveMinimum": 0, "maximum": 600},
        "Seconds each request or database connection may take.",
    )
    embedded: bool = option(
        True,
        {"type": "boolean"},
        "With the URL variable unset, start `noxci serve` locally (SQLite) and smoke-test it.",
    )
    notify: bool = option(
        True,
        {"type": "boolean"},
        "Send a Slack message ($SLACK_WEBHOOK_URL) when a check fails.",
    )
    checks: tuple[SmokeCheck, ...] = option(
        (),
        {"type": "array", "items": _CHECK},
        "API checks, each run with the same retries.",
        convert=_checks,
    )


@contextlib.contextmanager
def _embedded(ctx: JobContext) -> Iterator[tuple[str, str]]:
    """``noxci serve`` on a free port with a throwaway SQLite database."""
    with tempfile.TemporaryDirectory(prefix="noxci-smoke-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'smoke.db'}"
        argv = [
            sys.executable,
            "-m",
            "noxci",
            "serve",
            "--port",
            "0",
            "--database-url",
            db,
        ]
        env = {k: v for k, v in ctx.env.items() if k != "DATABASE_URL"}
        with proc.background(argv, cwd=ctx.root, env=env) as line:
            url = line.split()[2] if line.startswith("noxci serve: ") else ""
            if not url.startswith("http"):
                raise ToolError(f"noxci serve printed {line!r}, not its URL")
            yield url, db


def _outcome(results: list[CheckResult], embedded: bool) -> Outcome:
    failed = [r for r in results if not r.ok]
    latencies = [r.latency_ms for r in results if r.latency_ms is not None]
    where = "the embedded noxci serve" if embedded else "the service"
    summary = (
        f"{len(results) - len(failed)} of {len(results)} checks passed against {where}"
        + (
            ": "
            + "; ".join(
                f"{r.name}: {r.error} after {r.attempts} attempt(s)" for r in failed
            )
            if failed
            else ""
        )
    )
    return Outcome(
        status=Status.FAILED if failed else Status.PASSED,
        summary=summary,
        metrics={
            "checks_total": len(results),
            "checks_passed": len(results) - len(failed),
            "checks_failed": len(failed),
            "attempts_total": sum(r.attempts for r in results),
            "latency_max_ms": max(latencies, default=0.0),
        },
        findings=[
            Finding(
                tool="smoke",
                rule=r.kind,
                severity=Severity.HIGH,
                message=f"{r.name}: {r.error} after {r.attempts} attempt(s)",
            )
            for r in failed
        ],
        details={"embedded": embedded, "checks": [asdict(r) for r in results]},
    )


def run(ctx: JobContext) -> Outcome:
    """Run every check against the configured (or embedded) service."""
    import requests

    cfg = ctx.settings(Settings)
    base = ctx.env.get(cfg.url_env)
    database = ctx.env.get(cfg.database_url_env)
    if not base and not cfg.embedded:
        raise ToolError(
            f"${cfg.url_env} is not set and embedded = false: nothing to smoke-test"
        )
    console.register_secret(base)
    target = contextlib.nullcontext((base, database)) if base else _embedded(ctx)
    with target as (url, db), requests.Session() as http:
        checks = [SmokeCheck(name="health", path=cfg.health_path), *cfg.checks]
        tries: dict[str, Any] = {
            "attempts": cfg.attempts,
            "backoff": cfg.backoff,
            "timeout": cfg.request_timeout,
            "network": ctx.config.network,
        }
        kinds = ["health", *(["api"] * len(cfg.checks))]
        results = [
            check_http(http, str(url), check, kind=kind, **tries)
            for kind, check in zip(kinds, checks, strict=True)
        ]
        if db:
            results.append(check_database(db, **tries))
    outcome = _outcome(results, embedded=not base)
    if outcome.status is Status.FAILED and cfg.notify:
        from noxci.publish.slack import notify

        notify(
            ctx.env,
            f":warning: Staging smoke test failed: {outcome.summary}",
            network=ctx.config.network,
        )
    return outcome
