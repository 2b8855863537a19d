"""One staleness rule for the cache and readiness, and the policy that separates them."""

from __future__ import annotations

import dataclasses

import pytest

from noxci.report import Inputs
from noxci.staleness import CACHE, READINESS, daily_salt, stale_reason
from tests.conftest import make_inputs, make_report

REPORT = make_report(inputs=make_inputs(env={"NOXCI_VULN_SERVICE": "a" * 64}))


def _now(**changes: object) -> Inputs:
    return dataclasses.replace(REPORT.inputs, **changes)  # type: ignore[arg-type]


def test_equal_inputs_are_fresh_under_both_policies() -> None:
    assert stale_reason(REPORT, _now(), CACHE) is None
    assert stale_reason(REPORT, _now(), READINESS) is None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"files": "b" * 64}, "the job's inputs changed since this report was made"),
        ({"file_count": 4}, "the job's inputs changed since this report was made"),
        ({"args": ("-k", "x")}, "made with session arguments (none), not these"),
        ({"noxci": "9.9.9"}, "made by noxci 0.1.0, not 9.9.9"),
    ],
)
def test_what_both_policies_compare(change: dict[str, object], words: str) -> None:
    for policy in (CACHE, READINESS):
        reason = stale_reason(REPORT, _now(**change), policy)
        assert reason is not None
        assert reason.startswith(words)
        assert reason.endswith("re-run `nox -s lint`")


def test_readiness_ignores_the_python_and_the_environment_by_policy() -> None:
    other = _now(python="3.12", env={"NOXCI_VULN_SERVICE": None})
    assert stale_reason(REPORT, other, READINESS) is None
    assert stale_reason(REPORT, _now(python="3.12"), CACHE) == (
        "made on Python 3.11, not 3.12; re-run `nox -s lint`"
    )
    assert stale_reason(REPORT, _now(env={"NOXCI_VULN_SERVICE": None}), CACHE) == (
        "environment variable(s) NOXCI_VULN_SERVICE changed; re-run `nox -s lint`"
    )
    assert READINESS.ignore == {"python", "env"}
    assert CACHE.ignore == frozenset()


def test_a_daily_salt_is_fresh_today_and_for_readiness_also_yesterday() -> None:
    made = dataclasses.replace(REPORT, inputs=_now(salt="2026-11-27"))
    today, tomorrow, later = (
        _now(salt="2026-11-27"),
        _now(salt="2026-11-28"),
        _now(salt="2026-11-29"),
    )
    assert stale_reason(made, today, CACHE) is None
    assert stale_reason(made, tomorrow, CACHE) is not None
    assert stale_reason(made, tomorrow, READINESS) is None
    reason = stale_reason(made, later, READINESS)
    assert reason is not None
    assert reason.startswith("made on 2026-11-27, and this job is re-run daily")
    assert stale_reason(REPORT, later, READINESS) is not None  # no salt recorded
    assert daily_salt("2026-11-27T23:59:59Z") == "2026-11-27"


def test_the_cache_uses_this_rule() -> None:
    from noxci.cache import reusable

    where = {"session": "lint", "job": "lint"}
    assert reusable(REPORT, _now(), **where) == REPORT.as_cached()
    assert reusable(REPORT, _now(python="3.12"), **where) is None
