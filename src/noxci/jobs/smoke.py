"""The ``smoke`` job: the staging smoke test.

A health endpoint, API checks (method, path, expected status, required JSON
keys, a latency budget) and a database connectivity check (SQLAlchemy,
``SELECT 1``), each tried ``attempts`` times with exponential backoff and a
timeout on every request. The service comes from ``$STAGING_URL`` (``url-env``);
with none set, ``noxci serve`` is started locally on SQLite, smoke-tested and
stopped, so the session works offline with no setup. The base URL and the
database credentials never appear in any output. A failure posts to Slack.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from noxci import console, proc
from noxci.errors import ToolError
from noxci.jobconfig import NAME, JobConfig, option
from noxci.jobs.base import JobContext, Outcome
from noxci.report import Finding, Severity, Status

__all__ = [
    "CheckResult",
    "Settings",
    "SmokeCheck",
    "check_database",
    "check_http",
    "run",
]


@dataclass(frozen=True, kw_only=True)
class SmokeCheck:
    """One API check of the smoke test."""

    name: str
    path: str
    method: str = "GET"
    status: int = 200
    json_keys: tuple[str, ...] = ()
    max_latency_ms: float | None = None


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


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    """How one check went, over all its attempts."""

    name: str
    kind: str  # health, api, database
    ok: bool
    attempts: int
    latency_ms: float | None
    error: str | None


def _retrying(
    attempt_once: Callable[[], tuple[float, str | None]],
    *,
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> tuple[bool, int, float | None, str | None]:
    latency: float | None = None
    error: str | None = None
    for number in range(1, attempts + 1):
        latency, error = attempt_once()
        if error is None:
            return True, number, latency, None
        if number < attempts:
            sleep(backoff * 2 ** (number - 1))
    return False, attempts, latency, error


def _http_error(exc: Exception, timeout: float) -> str:
    """A description of a request failure that never includes the URL."""
    import requests

    if isinstance(exc, requests.Timeout):
        return f"timed out after {timeout:g}s"
    if isinstance(exc, requests.ConnectionError):
        return "connection refused or reset"
    return type(exc).__name__


def check_http(
    session: Any,
    base: str,
    check: SmokeCheck,
    *,
    kind: str,
    attempts: int,
    backoff: float,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
) -> CheckResult:
    """One HTTP check with retries."""
    import requests

    def once() -> tuple[float, str | None]:
        start = time.perf_counter()
        try:
            response = session.request(
                check.method,
                base.rstrip("/") + check.path,
                timeout=timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            return (time.perf_counter() - start) * 1000, _http_error(exc, timeout)
        latency = (time.perf_counter() - start) * 1000
        if response.status_code != check.status:
            return latency, f"HTTP {response.status_code} (expected {check.status})"
        if check.json_keys:
            try:
                data = response.json()
            except ValueError:
                return latency, "the body is not JSON"
            missing = [
                key
                for key in check.json_keys
                if not isinstance(data, dict) or key not in data
            ]
            if missing:
                return latency, f"the JSON lacks {', '.join(missing)}"
        if check.max_latency_ms is not None and latency > check.max_latency_ms:
            return (
                latency,
                f"took {latency:.0f} ms (budget {check.max_latency_ms:g} ms)",
            )
        return latency, None

    ok, used, latency, error = _retrying(
        once, attempts=attempts, backoff=backoff, sleep=sleep
    )
    return CheckResult(
        name=check.name,
        kind=kind,
        ok=ok,
        attempts=used,
        latency_ms=None if latency is None else round(latency, 1),
        error=error,
    )


def check_database(
    url: str,
    *,
    attempts: int,
    backoff: float,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
) -> CheckResult:
    """Connect and ``SELECT 1``, with retries; the password is redacted."""
    import sqlalchemy as sa

    from noxci.serve.store import register_url_secrets

    register_url_secrets(url)
    try:
        connect_args = (
            {"timeout": timeout}
            if url.startswith("sqlite")
            else {"connect_timeout": max(1, int(timeout))}
        )
        engine = sa.create_engine(
            url, connect_args=connect_args, poolclass=sa.pool.NullPool
        )
    except (sa.exc.ArgumentError, ImportError) as exc:
        return CheckResult(
            name="database",
            kind="database",
            ok=False,
            attempts=0,
            latency_ms=None,
            error=console.redact(f"cannot use this database URL: {exc}"),
        )

    def once() -> tuple[float, str | None]:
        start = time.perf_counter()
        try:
            with engine.connect() as conn:
                value = conn.execute(sa.text("SELECT 1")).scalar()
        except sa.exc.SQLAlchemyError as exc:
            cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            return (time.perf_counter() - start) * 1000, console.redact(
                cause[0] if cause else type(exc).__name__
            )
        latency = (time.perf_counter() - start) * 1000
        return latency, None if value == 1 else f"SELECT 1 returned {value!r}"

    try:
        ok, used, latency, error = _retrying(
            once, attempts=attempts, backoff=backoff, sleep=sleep
        )
    finally:
        engine.dispose()
    return CheckResult(
        name="database",
        kind="database",
        ok=ok,
        attempts=used,
        latency_ms=None if latency is None else round(latency, 1),
        error=error,
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
    attempts, backoff, timeout = cfg.attempts, cfg.backoff, cfg.request_timeout
    target = contextlib.nullcontext((base, database)) if base else _embedded(ctx)
    with target as (url, db), requests.Session() as http:
        checks = [SmokeCheck(name="health", path=cfg.health_path), *cfg.checks]
        results = [
            check_http(
                http,
                str(url),
                check,
                kind="health" if index == 0 else "api",
                attempts=attempts,
                backoff=backoff,
                timeout=timeout,
            )
            for index, check in enumerate(checks)
        ]
        if db:
            results.append(
                check_database(db, attempts=attempts, backoff=backoff, timeout=timeout)
            )
    outcome = _outcome(results, embedded=not base)
    if outcome.status is Status.FAILED and cfg.notify:
        from noxci.publish.slack import notify

        notify(ctx.env, f":warning: Staging smoke test failed: {outcome.summary}")
    return outcome
