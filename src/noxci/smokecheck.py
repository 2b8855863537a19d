"""The smoke test's checks: one HTTP check or a database check, with retries.

Each attempt is bounded by a timeout; attempts are made under noxci's one
retry policy (:mod:`noxci.netretry`), and only a failure a retry can fix is
retried: no answer, a 5xx or 429 (after its ``Retry-After`` when that is at
most ``network-max-wait``), a response slower than its budget, a lost
database connection. The base URL and the database password never appear in
an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from noxci import console, netretry, safefile
from noxci.config import NetworkLimits
from noxci.errors import NetworkError

__all__ = ["CheckResult", "SmokeCheck", "check_database", "check_http"]


@dataclass(frozen=True, kw_only=True)
class SmokeCheck:
    """One API check of the smoke test."""

    name: str
    path: str
    method: str = "GET"
    status: int = 200
    json_keys: tuple[str, ...] = ()
    max_latency_ms: float | None = None


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    """How one check went, over all its attempts."""

    name: str
    kind: str  # health, api, database
    ok: bool
    attempts: int
    latency_ms: float | None
    error: str | None


# One attempt: its latency in ms, the error (None when it passed), whether
# a retry can help, and how long the service asked to wait (Retry-After).
Attempt = tuple[float, str | None, bool, float | None]


def _retrying(
    attempt_once: Callable[[], Attempt], **policy: Any
) -> tuple[bool, int, float | None, str | None]:
    """``attempt_once`` under the one retry policy: (passed, attempts, latency, error).

    ``policy``: attempts, backoff, sleep and network (the limits).
    """
    tried: list[Attempt] = []

    def once() -> None:
        tried.append(attempt_once())
        _, error, transient, wait = tried[-1]
        if error is not None:
            raise netretry.Failure(error, transient=transient, retry_after=wait)

    try:
        netretry.call(once, policy=netretry.policy(policy.pop("network"), **policy))
    except NetworkError:
        return False, len(tried), tried[-1][0], tried[-1][1]
    return True, len(tried), tried[-1][0], None


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
    network: NetworkLimits | None = None,
) -> CheckResult:
    """One HTTP check with retries (only of what a retry can fix)."""
    import requests

    def once() -> Attempt:
        start = time.perf_counter()
        try:
            response = session.request(
                check.method,
                base.rstrip("/") + check.path,
                timeout=timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            latency = (time.perf_counter() - start) * 1000
            return latency, _http_error(exc, timeout), True, None
        latency = (time.perf_counter() - start) * 1000
        if response.status_code != check.status:
            failure = netretry.http_failure("", response.status_code, response.headers)
            error = f"HTTP {response.status_code} (expected {check.status})"
            return latency, error, failure.transient, failure.retry_after
        if check.json_keys:
            try:
                data = safefile.loads(response.text)
            except ValueError:
                return latency, "the body is not JSON", False, None
            missing = [
                key
                for key in check.json_keys
                if not isinstance(data, dict) or key not in data
            ]
            if missing:
                return latency, f"the JSON lacks {', '.join(missing)}", False, None
        if check.max_latency_ms is not None and latency > check.max_latency_ms:
            error = f"took {latency:.0f} ms (budget {check.max_latency_ms:g} ms)"
            return latency, error, True, None
        return latency, None, False, None

    ok, used, latency, error = _retrying(
        once, attempts=attempts, backoff=backoff, sleep=sleep, network=network
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
    network: NetworkLimits | None = None,
) -> CheckResult:
    """Connect and ``SELECT 1``, with retries; the password is redacted."""
    import sqlalchemy as sa

    from noxci.serve.store import db_failure, register_url_secrets

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

    def once() -> Attempt:
        start = time.perf_counter()
        try:
            with engine.connect() as conn:
                value = conn.execute(sa.text("SELECT 1")).scalar()
        except sa.exc.SQLAlchemyError as exc:
            # A connection may come back; a bad query or privilege will not.
            transient = isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError)
            latency = (time.perf_counter() - start) * 1000
            return latency, db_failure(exc), transient, None
        latency = (time.perf_counter() - start) * 1000
        error = None if value == 1 else f"SELECT 1 returned {value!r}"
        return latency, error, False, None

    try:
        ok, used, latency, error = _retrying(
            once, attempts=attempts, backoff=backoff, sleep=sleep, network=network
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
