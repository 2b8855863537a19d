"""The one retry policy for every network peer: GitHub, Slack, uploads, smoke checks.

Built on tenacity. A call is retried only when a retry can help (a
connection error, a timeout, a 5xx, a 429 or a rate limit that says when it
resets); a 4xx that cannot succeed fails at once. Every wait is bounded:

- between attempts, ``backoff`` seconds, doubled each time, at most
  ``max_wait`` (``network-max-wait``, 10 s by default);
- a peer's ``Retry-After`` (or rate-limit reset) is honoured when it is at
  most ``max_wait``; a peer asking for longer fails at once (waiting less
  than it asked would only be refused again);
- no retry is started that would end past ``budget`` seconds after the first
  attempt began (``network-budget``, 30 s), and at most ``attempts`` are made.

Giving up is one :class:`~noxci.errors.NetworkError` line that names the peer
and what happened, e.g. "GitHub API answered 503 after 3 attempts in 12.0 s".
``sleep`` and ``clock`` are injectable, so tests never wait.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from noxci.errors import NetworkError

if TYPE_CHECKING:
    import tenacity

    from noxci.config import NetworkLimits

__all__ = [
    "Answered",
    "Failure",
    "Policy",
    "call",
    "http_failure",
    "policy",
    "retry_after",
]

T = TypeVar("T")


class Failure(Exception):
    """A failed attempt: what happened, whether a retry can help, how long the peer asked to wait."""

    def __init__(
        self, what: str, *, transient: bool, retry_after: float | None = None
    ) -> None:
        super().__init__(what)
        self.what = what
        self.transient = transient
        self.retry_after = retry_after


class Answered(Exception):
    """An HTTP answer that is not the one wanted (raised by an attempt)."""

    def __init__(self, status: int, headers: Mapping[str, str], message: str = ""):
        super().__init__(f"HTTP {status}")
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.message = message


@dataclass(frozen=True, kw_only=True)
class Policy:
    """How one call is retried."""

    attempts: int = 3
    backoff: float = 0.5  # before the second attempt; doubled each time
    max_wait: float = 10.0  # network-max-wait
    budget: float = 30.0  # network-budget
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)


def policy(limits: NetworkLimits | None = None, **overrides: Any) -> Policy:
    """The policy for ``[tool.noxci]``'s network limits (the defaults without them)."""
    values: dict[str, Any] = {}
    if limits is not None:
        values = {"max_wait": limits.max_wait, "budget": limits.budget}
    return Policy(**{**values, **overrides})


def retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date), if any."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.replace(".", "", 1).isdigit():
        return float(text[:15])  # 15 digits: "forever" anyway, and never inf
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def http_failure(
    peer: str, status: int, headers: Mapping[str, str], message: str = ""
) -> Failure:
    """What an HTTP error status means for a retry, the same for every peer.

    5xx and 429 may pass on a retry (after ``Retry-After`` when given); so
    may a 403 that is a rate limit saying when it resets. Any other status
    cannot succeed.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    what = f"{peer} answered {status}" + (f": {message}" if message else "")
    wait = retry_after(lower.get("retry-after"))
    if status == 403 and (
        wait is not None or lower.get("x-ratelimit-remaining") == "0"
    ):
        reset = lower.get("x-ratelimit-reset", "")
        if wait is None and reset.isascii() and reset.isdigit():
            wait = max(0.0, float(reset[:12]) - time.time())
        return Failure(what, transient=wait is not None, retry_after=wait)
    return Failure(what, transient=status >= 500 or status == 429, retry_after=wait)


def _gave_up(state: tenacity.RetryCallState, policy: Policy, start: float) -> NoReturn:
    failure = state.outcome.exception() if state.outcome else None
    if not isinstance(failure, Failure):  # pragma: no cover - only Failures are retried
        raise NetworkError("a network call failed")
    elapsed = policy.clock() - start
    wait = state.upcoming_sleep
    if failure.retry_after is not None and failure.retry_after > policy.max_wait:
        raise NetworkError(
            f"{failure.what}; it asked to wait {failure.retry_after:.0f} s, more "
            f"than network-max-wait ({policy.max_wait:g} s)"
        )
    tries = f"after {state.attempt_number} attempt{'s' if state.attempt_number > 1 else ''} in {elapsed:.1f} s"
    if state.attempt_number < policy.attempts and elapsed + wait > policy.budget:
        raise NetworkError(
            f"{failure.what} {tries}; waiting {wait:g} s more would pass "
            f"network-budget ({policy.budget:g} s)"
        )
    raise NetworkError(f"{failure.what} {tries}")


def call(
    attempt: Callable[[], T],
    *,
    policy: Policy,
    classify: Callable[[Exception], Failure | None] = lambda _exc: None,
) -> T:
    """``attempt()`` under ``policy``; what it raises is judged by ``classify``.

    ``attempt`` may raise a :class:`Failure` itself; any other exception is
    passed to ``classify``, and one it does not recognise (None) propagates
    untouched (it is a bug, not the network).
    """
    import tenacity

    start = policy.clock()

    def once() -> T:
        try:
            return attempt()
        except Failure:
            raise
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                raise
            raise failure from None

    def wait(state: tenacity.RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, Failure) and failure.retry_after is not None:
            return failure.retry_after
        backoff = policy.backoff * 2.0 ** (state.attempt_number - 1)
        return min(backoff, policy.max_wait)

    def stop(state: tenacity.RetryCallState) -> bool:
        return (
            state.attempt_number >= policy.attempts
            or state.upcoming_sleep > policy.max_wait
            or policy.clock() - start + state.upcoming_sleep > policy.budget
        )

    retrying = tenacity.Retrying(
        sleep=policy.sleep,
        stop=stop,
        wait=wait,
        retry=tenacity.retry_if_exception(
            lambda exc: isinstance(exc, Failure) and exc.transient
        ),
        retry_error_callback=lambda state: _gave_up(state, policy, start),
    )
    try:
        return retrying(once)
    except Failure as failure:  # one that no retry can help
        raise NetworkError(failure.what) from None
