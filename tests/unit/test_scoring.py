"""The scorer as a pure function: the seed's weights, band edges, fail-closed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from noxci.config import Config, ReadinessConfig
from noxci.readiness.collect import Loaded
from noxci.readiness.model import Band, CiHistory, Gate, Problem
from noxci.readiness.scoring import band_for, score
from noxci.report import Status
from tests.conftest import make_report
from tests.readiness_helpers import PASSING, ci_runs

MakeConfig = Callable[[str], Config]


@pytest.fixture
def rconfig(make_config: MakeConfig) -> ReadinessConfig:
    return make_config("").readiness


def _loaded(
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    problems: Mapping[str, Problem] | None = None,
) -> dict[str, list[Loaded]]:
    out: dict[str, list[Loaded]] = {}
    for job, metrics in PASSING.items():
        merged = {**metrics, **(overrides or {}).get(job, {})}
        report = make_report(session=job, job=job, metrics=merged)
        out[job] = [
            Loaded(
                session=job, job=job, report=report, problem=(problems or {}).get(job)
            )
        ]
    return out


def _history(pattern: str = "ssssssssss", source: str = "github") -> CiHistory:
    return CiHistory(
        source=source, fetched_at="2026-11-27T09:00:00Z", runs=tuple(ci_runs(pattern))
    )


def test_seed_worked_example(rconfig: ReadinessConfig) -> None:
    # CI 9/10 = 90; coverage 92; security 100 - 10 (one medium bandit finding) = 90;
    # quality: lint clean 40 + mypy 2 errors (30 - 2) + docs 30 * (2 * 0.9 + 1) / 3 = 28
    #   = 96.  Total = 0.4*90 + 0.3*92 + 0.2*90 + 0.1*96 = 36 + 27.6 + 18 + 9.6 = 91.2
    result = score(
        config=rconfig,
        loaded=_loaded(
            {
                "tests": {"coverage_percent": 92.0},
                "security": {"bandit_medium": 1},
                "typecheck": {"mypy_errors": 2},
                "docs": {"docstrings_documented": 45},
            }
        ),
        ci=_history("sssssssssf"),
    )
    assert [round(c.score, 6) for c in result.components] == [90.0, 92.0, 90.0, 96.0]
    assert [round(c.weighted, 6) for c in result.components] == [36.0, 27.6, 18.0, 9.6]
    assert result.score == pytest.approx(91.2)
    assert result.band is Band.GOOD
    assert result.gate is Gate.PASSED
    assert result.gate.exit_code == 0
    assert result.message == "gate passed: score 91.20 meets the threshold 90"


def test_perfect_inputs_score_100(rconfig: ReadinessConfig) -> None:
    result = score(
        config=rconfig,
        loaded=_loaded({"tests": {"coverage_percent": 100.0}}),
        ci=_history(),
    )
    assert result.score == 100.0
    assert result.band is Band.EXCELLENT
    assert result.band.verdict == "ship it"


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (100.0, Band.EXCELLENT),
        (95.0, Band.EXCELLENT),
        (94.999, Band.GOOD),
        (90.0, Band.GOOD),
        (89.999, Band.FAIR),
        (80.0, Band.FAIR),
        (79.999, Band.POOR),
        (0.0, Band.POOR),
    ],
)
def test_band_edges_on_the_unrounded_score(
    rconfig: ReadinessConfig, value: float, band: Band
) -> None:
    assert band_for(value, rconfig.bands) is band


def test_band_edge_through_the_scorer(rconfig: ReadinessConfig) -> None:
    # Only coverage counts; 94.999 must not be rounded up into Excellent.
    config = dataclasses.replace(
        rconfig, weights={"ci": 0.0, "coverage": 100.0, "security": 0.0, "quality": 0.0}
    )
    result = score(
        config=config,
        loaded=_loaded({"tests": {"coverage_percent": 94.999}}),
        ci=_history(),
    )
    assert result.score == 94.999
    assert result.band is Band.GOOD
    result = score(
        config=config,
        loaded=_loaded({"tests": {"coverage_percent": 89.999}}),
        ci=_history(),
    )
    assert result.band is Band.FAIR
    assert result.gate is Gate.BELOW_THRESHOLD
    assert result.gate.exit_code == 1
    assert result.message == "gate failed: score 90.00 is below the threshold 90"


def test_below_threshold_is_exit_1(rconfig: ReadinessConfig) -> None:
    result = score(
        config=rconfig,
        loaded=_loaded({"tests": {"coverage_percent": 70.0}}),
        ci=_history("sssssfffff"),
    )
    assert result.score == pytest.approx(0.4 * 50 + 0.3 * 70 + 20 + 10)
    assert result.gate is Gate.BELOW_THRESHOLD
    assert not result.problems


@pytest.mark.parametrize(
    "kind", ["missing", "unreadable", "invalid", "stale", "skipped", "error"]
)
@pytest.mark.parametrize(
    ("job", "component"),
    [
        ("tests", "coverage"),
        ("security", "security"),
        ("lint", "quality"),
        ("docs", "quality"),
    ],
)
def test_bad_report_scores_its_component_zero_and_is_named(
    rconfig: ReadinessConfig, kind: str, job: str, component: str
) -> None:
    problem = Problem(subject=job, kind=kind, message=f"{job} is {kind}")
    base = score(config=rconfig, loaded=_loaded(), ci=_history())
    result = score(
        config=rconfig, loaded=_loaded(problems={job: problem}), ci=_history()
    )
    assert result.component(component).score == 0.0
    assert result.component(component).problems == (problem,)
    assert result.score < base.score
    assert result.gate is Gate.INCOMPLETE
    assert result.gate.exit_code == 2
    assert f"{job} ({kind})" in result.message
    others = [c for c in result.components if c.name != component]
    assert [c.score for c in others] == [base.component(c.name).score for c in others]


@pytest.mark.parametrize(
    ("job", "metrics", "kind"),
    [
        ("tests", {"tests_total": 0}, "empty"),
        ("tests", {"coverage_percent": 100.5}, "out-of-range"),
        ("tests", {"coverage_percent": float("nan")}, "out-of-range"),
        ("tests", {"coverage_percent": "95"}, "out-of-range"),
        ("security", {"packages_audited": 0}, "empty"),
        ("security", {"vulns_total": -1}, "out-of-range"),
        ("docs", {"docstrings_total": 0, "docstrings_documented": 0}, "empty"),
        ("docs", {"docstrings_documented": 60}, "out-of-range"),
        ("typecheck", {"mypy_errors": float("inf")}, "out-of-range"),
        ("lint", {"ruff_findings": True}, "out-of-range"),
    ],
)
def test_bad_values_fail_closed(
    rconfig: ReadinessConfig, job: str, metrics: dict[str, Any], kind: str
) -> None:
    result = score(config=rconfig, loaded=_loaded({job: metrics}), ci=_history())
    [problem] = result.problems
    assert problem.kind == kind
    assert problem.subject == job
    assert result.gate is Gate.INCOMPLETE


def test_missing_metric_fails_closed(rconfig: ReadinessConfig) -> None:
    loaded = _loaded()
    report = loaded["security"][0].report
    assert report is not None
    metrics = {k: v for k, v in report.metrics.items() if k != "pip_check_problems"}
    loaded["security"] = [
        Loaded(
            session="security",
            job="security",
            problem=None,
            report=dataclasses.replace(report, metrics=metrics),
        )
    ]
    result = score(config=rconfig, loaded=loaded, ci=_history())
    assert result.component("security").score == 0.0
    assert (
        result.problems[0].message
        == "metric pip_check_problems is missing or not a number"
    )


@pytest.mark.parametrize(
    ("history", "message"),
    [
        (CiHistory(source="none", fetched_at=None), "no CI history"),
        (
            CiHistory(source="github", fetched_at="x", runs=tuple(ci_runs("cckk"))),
            "no completed CI runs",
        ),
    ],
)
def test_empty_ci_history_fails_closed(
    rconfig: ReadinessConfig, history: CiHistory, message: str
) -> None:
    result = score(config=rconfig, loaded=_loaded(), ci=history)
    assert result.component("ci").score == 0.0
    assert message in result.problems[0].message
    assert result.gate is Gate.INCOMPLETE


def test_cancelled_and_skipped_runs_are_left_out_and_said(
    rconfig: ReadinessConfig,
) -> None:
    # One cancelled and one skipped run are not counted; of the newest 10 counted, 7 passed.
    result = score(config=rconfig, loaded=_loaded(), ci=_history("scsksssssftfsc"))
    ci = result.component("ci")
    assert ci.score == 70.0
    assert ci.detail == (
        "7 of 10 completed runs succeeded (source: github; "
        "cancelled, skipped or errored runs left out: 2)"
    )


def test_only_the_newest_configured_runs_count(rconfig: ReadinessConfig) -> None:
    result = score(
        config=rconfig, loaded=_loaded(), ci=_history("ssssssssss" + "ffffffffff")
    )
    assert result.component("ci").score == 100.0


def test_component_minimum_cannot_be_hidden(make_config: MakeConfig) -> None:
    config = make_config("[tool.noxci.readiness.minimums]\nsecurity = 75\n").readiness
    result = score(
        config=config, loaded=_loaded({"security": {"vulns_total": 2}}), ci=_history()
    )
    assert result.component("security").score == 70.0
    assert result.score >= 90  # the total alone would pass
    assert result.gate is Gate.BELOW_THRESHOLD
    assert (
        result.message == "gate failed: below a component minimum: Security 70.00 < 75"
    )


def test_security_penalties_and_floor(rconfig: ReadinessConfig) -> None:
    result = score(
        config=rconfig,
        loaded=_loaded(
            {
                "security": {
                    "bandit_high": 1,
                    "bandit_low": 2,
                    "bandit_errors": 1,
                    "packages_unaudited": 1,
                    "pip_check_problems": 1,
                }
            }
        ),
        ci=_history(),
    )
    # 100 - 20 - 2*2 - 10 - 5 - 10 = 51
    assert result.component("security").score == 51.0
    result = score(
        config=rconfig, loaded=_loaded({"security": {"vulns_total": 9}}), ci=_history()
    )
    assert result.component("security").score == 0.0


def test_unaudited_packages_are_not_clean(rconfig: ReadinessConfig) -> None:
    result = score(
        config=rconfig,
        loaded=_loaded({"security": {"packages_unaudited": 4}}),
        ci=_history(),
    )
    assert result.component("security").score == 80.0


@pytest.mark.parametrize(
    ("required", "clean"),
    [(0, True), (3, False), (False, False), (None, False), ("0", False)],
)
def test_nothing_audited_is_clean_only_for_a_project_with_no_dependencies(
    rconfig: ReadinessConfig, required: object, clean: bool
) -> None:
    metrics: dict[str, Any] = {"packages_audited": 0}
    if required is not None:
        metrics["packages_required"] = required
    result = score(config=rconfig, loaded=_loaded({"security": metrics}), ci=_history())
    if clean:
        assert not result.problems
        assert result.component("security").score == 100.0
    else:
        assert [p.kind for p in result.problems] == ["empty"]
        assert result.component("security").score == 0.0


def test_quality_parts(rconfig: ReadinessConfig) -> None:
    result = score(
        config=rconfig,
        loaded=_loaded(
            {
                "lint": {"format_unformatted": 1},
                "typecheck": {"mypy_errors": 40},
                "docs": {"docstrings_documented": 25, "required_files_missing": 3},
            }
        ),
        ci=_history(),
    )
    # lint 0, typecheck max(0, 30 - 40) = 0, docs 30 * (2 * 0.5 + 0) / 3 = 10
    assert result.component("quality").score == pytest.approx(10.0)


def test_zero_weight_component_needs_no_report(make_config: MakeConfig) -> None:
    config = make_config(
        "[tool.noxci.readiness.weights]\nci = 50\ncoverage = 30\nsecurity = 0\nquality = 20\n"
    ).readiness
    problem = Problem(subject="security", kind="missing", message="no security.json")
    result = score(
        config=config, loaded=_loaded(problems={"security": problem}), ci=_history()
    )
    assert result.gate is Gate.PASSED
    assert result.component("security").detail == "not scored (weight 0)"


def test_failed_but_valid_reports_are_data_not_gaps(rconfig: ReadinessConfig) -> None:
    loaded = _loaded({"lint": {"ruff_findings": 3}})
    report = loaded["lint"][0].report
    assert report is not None
    loaded["lint"] = [
        Loaded(
            session="lint",
            job="lint",
            problem=None,
            report=dataclasses.replace(report, status=Status.FAILED),
        )
    ]
    result = score(config=rconfig, loaded=loaded, ci=_history())
    assert not result.problems
    assert result.component("quality").score == 60.0


def test_lowest_coverage_of_several_pythons_counts(rconfig: ReadinessConfig) -> None:
    loaded = _loaded()
    loaded["tests"] = [
        Loaded(
            session=f"tests-{v}",
            job="tests",
            problem=None,
            report=make_report(
                session=f"tests-{v}",
                job="tests",
                metrics={**PASSING["tests"], "coverage_percent": c},
            ),
        )
        for v, c in (("3.11", 97.0), ("3.12", 93.5))
    ]
    result = score(config=rconfig, loaded=loaded, ci=_history())
    assert result.component("coverage").score == 93.5
    assert "lowest counts" in result.component("coverage").detail


def test_unknown_conclusions_count_as_not_passing(rconfig: ReadinessConfig) -> None:
    history = _history("sssss")
    runs = [*history.runs, dataclasses.replace(history.runs[0], conclusion="mystery")]
    result = score(
        config=rconfig,
        loaded=_loaded(),
        ci=dataclasses.replace(history, runs=tuple(runs)),
    )
    assert result.component("ci").score == pytest.approx(100 * 5 / 6)
