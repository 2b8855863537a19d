"""The one retry policy, on a fake clock: what is retried, how long it waits, when it stops."""

from __future__ import annotations

import email.utils

import pytest

from noxci import netretry
from noxci.config import NetworkLimits
from noxci.errors import NetworkError


class Clock:
    """A clock that only moves when the policy sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def _policy(clock: Clock, **kw: float) -> netretry.Policy:
    return netretry.policy(NetworkLimits(), sleep=clock.sleep, clock=clock, **kw)


def _failing(*failures: netretry.Failure) -> tuple[list[int], object]:
    calls: list[int] = []

    def attempt() -> str:
        calls.append(1)
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return "ok"

    return calls, attempt


def _http(status: int, **headers: str) -> netretry.Failure:
    return netretry.http_failure("GitHub API", status, headers)


def test_a_5xx_is_retried_with_doubling_backoff() -> None:
    clock = Clock()
    calls, attempt = _failing(_http(502), _http(503))
    assert netretry.call(attempt, policy=_policy(clock)) == "ok"  # type: ignore[arg-type]
    assert (len(calls), clock.slept) == (3, [0.5, 1.0])


def test_giving_up_names_the_peer_attempts_and_time() -> None:
    clock = Clock()
    _, attempt = _failing(*[_http(503)] * 3)
    with pytest.raises(NetworkError) as info:
        netretry.call(attempt, policy=_policy(clock))  # type: ignore[arg-type]
    assert str(info.value) == "GitHub API answered 503 after 3 attempts in 1.5 s"


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    clock = Clock()
    calls, attempt = _failing(_http(429, **{"Retry-After": "7"}))
    assert netretry.call(attempt, policy=_policy(clock)) == "ok"  # type: ignore[arg-type]
    assert clock.slept == [7.0]
    for seconds in ("30", "120"):  # the issue's: 91 s and 242 s before
        clock = Clock()
        calls, attempt = _failing(_http(503, **{"Retry-After": seconds}))
        with pytest.raises(NetworkError) as info:
            netretry.call(attempt, policy=_policy(clock))  # type: ignore[arg-type]
        assert (len(calls), clock.slept) == (1, [])
        assert str(info.value) == (
            f"GitHub API answered 503; it asked to wait {seconds} s, "
            "more than network-max-wait (10 s)"
        )


def test_no_retry_starts_past_the_budget() -> None:
    clock = Clock()
    failures = [_http(503, **{"Retry-After": "9"})] * 5
    calls, attempt = _failing(*failures)
    with pytest.raises(NetworkError) as info:
        netretry.call(attempt, policy=_policy(clock, attempts=10, budget=20))  # type: ignore[arg-type]
    assert (len(calls), clock.slept) == (3, [9.0, 9.0])
    assert str(info.value) == (
        "GitHub API answered 503 after 3 attempts in 18.0 s; waiting 9 s more "
        "would pass network-budget (20 s)"
    )


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_answers_that_cannot_succeed_are_not_retried(status: int) -> None:
    clock = Clock()
    calls, attempt = _failing(_http(status))
    with pytest.raises(NetworkError, match=f"^GitHub API answered {status}$"):
        netretry.call(attempt, policy=_policy(clock))  # type: ignore[arg-type]
    assert (len(calls), clock.slept) == (1, [])


def test_rate_limits_wait_only_for_a_near_reset() -> None:
    assert not _http(403, **{"X-RateLimit-Remaining": "0"}).transient
    far = _http(
        403, **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"}
    )
    assert far.transient
    assert far.retry_after is not None
    assert far.retry_after > 10**9
    assert not _http(403).transient  # a plain 403 is a permission problem


def test_retry_after_forms() -> None:
    assert netretry.retry_after("3") == 3.0
    assert netretry.retry_after("1.5") == 1.5
    assert netretry.retry_after("soon") is None
    assert netretry.retry_after("9" * 400) == float("9" * 15)
    date = email.utils.formatdate(1000.0 + 42, usegmt=True)
    assert netretry.retry_after(date, now=1000.0) == 42.0
    assert netretry.retry_after(email.utils.formatdate(0, usegmt=True)) == 0.0


def test_unknown_exceptions_are_bugs_not_network_failures() -> None:
    def attempt() -> None:
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        netretry.call(attempt, policy=_policy(Clock()))
