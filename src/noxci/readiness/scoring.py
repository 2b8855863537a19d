"""The readiness score: a pure function from reports and CI history.

    score = Σ weight_c · score_c / 100      (c in ci, coverage, security, quality)

Every component is in [0, 100]. Any problem with an input the component
needs (missing, unreadable, invalid, stale, skipped or errored report, an
empty denominator, a value out of range) scores that component 0 and makes
the gate ``incomplete``: missing data can never raise the score.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from noxci.config import ReadinessConfig
from noxci.readiness.collect import Loaded
from noxci.readiness.model import (
    EXCLUDED,
    PASSING,
    Band,
    CiHistory,
    Component,
    Gate,
    JobRow,
    Problem,
    ReadinessResult,
)
from noxci.registry import COMPONENTS, component_jobs
from noxci.report import Report, Severity

__all__ = ["band_for", "needed_jobs", "score"]
# Float noise only: 94.99999999999999 is 95, but 94.999 stays 94.999.
_PRECISION = 9


class _Incomplete(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _metric(
    report: Report, name: str, *, low: float = 0.0, high: float = math.inf
) -> float:
    value = report.metrics.get(name)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
    ):
        raise _Incomplete(
            Problem(
                subject=report.session,
                kind="out-of-range",
                message=f"metric {name} is missing or not a number",
            )
        )
    if not low <= value <= high:
        raise _Incomplete(
            Problem(
                subject=report.session,
                kind="out-of-range",
                message=f"metric {name} = {value} is outside [{low:g}, {high:g}]",
            )
        )
    return float(value)


def band_for(score: float, bands: Mapping[str, float]) -> Band:
    """The band of an unrounded score."""
    if score >= bands["excellent"]:
        return Band.EXCELLENT
    if score >= bands["good"]:
        return Band.GOOD
    if score >= bands["fair"]:
        return Band.FAIR
    return Band.POOR


def _ci(history: CiHistory, config: ReadinessConfig) -> tuple[float, str]:
    if history.source == "none":
        raise _Incomplete(
            Problem(
                subject="ci-history",
                kind="missing",
                message="no CI history: no GitHub token, no cache, no preflight runs",
            )
        )
    counted: list[str] = []
    excluded = 0
    for run in history.runs:  # newest first
        if len(counted) == config.ci_runs:
            break
        if run.conclusion in EXCLUDED:
            excluded += 1
        else:  # any other conclusion, known or not, counts as not passing
            counted.append(run.conclusion)
    if not counted:
        raise _Incomplete(
            Problem(
                subject="ci-history",
                kind="empty",
                message=f"no completed CI runs in the history ({history.source})",
            )
        )
    passed = sum(1 for conclusion in counted if conclusion in PASSING)
    detail = (
        f"{passed} of {len(counted)} completed runs succeeded "
        f"(source: {history.source}; cancelled, skipped or errored runs left out: {excluded})"
    )
    return 100.0 * passed / len(counted), detail


def _coverage(reports: Sequence[Report], _config: ReadinessConfig) -> tuple[float, str]:
    values = []
    for report in reports:
        if _metric(report, "tests_total") == 0:
            raise _Incomplete(
                Problem(
                    subject=report.session,
                    kind="empty",
                    message="no tests ran: coverage from an empty run does not count",
                )
            )
        values.append(_metric(report, "coverage_percent", high=100.0))
    lowest = min(values)
    sessions = ", ".join(r.session for r in reports)
    return (
        lowest,
        f"{lowest:.2f}% total coverage ({sessions}{'; lowest counts' if len(values) > 1 else ''})",
    )


def _security(reports: Sequence[Report], config: ReadinessConfig) -> tuple[float, str]:
    [report] = reports
    p = config.security_penalties
    # Nothing audited counts as clean only when the report says, in so many
    # words, that there was nothing to audit (an older report does not).
    required = report.metrics.get("packages_required")
    nothing_to_audit = type(required) is int and required == 0
    if _metric(report, "packages_audited") == 0 and not nothing_to_audit:
        raise _Incomplete(
            Problem(
                subject=report.session,
                kind="empty",
                message="no dependency could be audited: security is unknown, not clean",
            )
        )
    counts = {
        name: _metric(report, name)
        for name in (
            "bandit_high",
            "bandit_medium",
            "bandit_low",
            "bandit_errors",
            "vulns_total",
            "packages_unaudited",
            "pip_check_problems",
        )
    }
    penalty = (
        counts["bandit_high"] * p.bandit_high
        + counts["bandit_medium"] * p.bandit_medium
        + counts["bandit_low"] * p.bandit_low
        + counts["bandit_errors"] * p.bandit_error
        + counts["vulns_total"] * p.vulnerability
        + counts["packages_unaudited"] * p.unaudited_package
        + counts["pip_check_problems"] * p.pip_check
    )
    detail = (
        f"bandit {counts['bandit_high']:.0f} high / {counts['bandit_medium']:.0f} medium / "
        f"{counts['bandit_low']:.0f} low, {counts['vulns_total']:.0f} known vulnerabilities, "
        f"{counts['packages_unaudited']:.0f} unaudited, {counts['pip_check_problems']:.0f} pip check"
    )
    return max(0.0, 100.0 - penalty), detail


def _quality(reports: Sequence[Report], config: ReadinessConfig) -> tuple[float, str]:
    by_job = {r.job: r for r in reports}
    q = config.quality
    lint = by_job["lint"]
    linter = "flake8_findings" if "flake8_findings" in lint.metrics else "ruff_findings"
    clean = _metric(lint, linter) == 0 and _metric(lint, "format_unformatted") == 0
    lint_points = q.lint if clean else 0.0
    errors = _metric(by_job["typecheck"], "mypy_errors")
    type_points = max(0.0, q.typecheck - q.mypy_error_penalty * errors)
    docs = by_job["docs"]
    total = _metric(docs, "docstrings_total")
    if total == 0:
        raise _Incomplete(
            Problem(
                subject=docs.session,
                kind="empty",
                message="no documentable items were counted: 0 items is not 100%",
            )
        )
    documented = _metric(docs, "docstrings_documented", high=total)
    required = (
        _metric(docs, "required_files_total")
        if "required_files_total" in docs.metrics
        else 0.0
    )
    missing = _metric(docs, "required_files_missing", high=max(required, 0.0))
    doc_share = documented / total
    docs_fraction = (
        doc_share
        if required == 0
        else (2 * doc_share + (required - missing) / required) / 3
    )
    docs_points = q.docs * docs_fraction
    detail = (
        f"lint {'clean' if clean else 'not clean'} ({lint_points:g}/{q.lint:g}), "
        f"mypy {errors:.0f} error(s) ({type_points:g}/{q.typecheck:g}), "
        f"docs {100 * doc_share:.1f}% docstrings, {required - missing:.0f}/{required:.0f} files "
        f"({docs_points:.1f}/{q.docs:g})"
    )
    return lint_points + type_points + docs_points, detail


_SCORERS: Mapping[
    str, Callable[[Sequence[Report], ReadinessConfig], tuple[float, str]]
] = {
    "coverage": _coverage,
    "security": _security,
    "quality": _quality,
}


def needed_jobs(config: ReadinessConfig) -> list[str]:
    """The jobs whose reports the weighted components read."""
    return sorted(
        {
            job
            for spec in COMPONENTS
            if config.weights[spec.name] > 0
            for job in component_jobs(spec.name)
        }
    )


def _component(
    name: str,
    label: str,
    config: ReadinessConfig,
    loaded: Mapping[str, Sequence[Loaded]],
    ci: CiHistory,
) -> Component:
    entries = [entry for job in component_jobs(name) for entry in loaded.get(job, ())]

    def make(value: float, detail: str, problems: Sequence[Problem] = ()) -> Component:
        return Component(
            name=name,
            label=label,
            weight=config.weights[name],
            minimum=config.minimums.get(name),
            sessions=tuple(entry.session for entry in entries),
            score=min(100.0, max(0.0, value)),
            detail=detail,
            problems=tuple(problems),
        )

    if config.weights[name] == 0:
        return make(0.0, "not scored (weight 0)")
    problems = [entry.problem for entry in entries if entry.problem is not None]
    if problems:
        return make(0.0, "incomplete data: scored 0", problems)
    try:
        if name == "ci":
            return make(*_ci(ci, config))
        reports = [entry.report for entry in entries if entry.report is not None]
        return make(*_SCORERS[name](reports, config))
    except _Incomplete as exc:
        return make(0.0, "incomplete data: scored 0", [exc.problem])


def _gate(
    total: float,
    components: Sequence[Component],
    config: ReadinessConfig,
    blocking_failed: Sequence[str],
) -> tuple[Gate, str]:
    problems = [p for c in components for p in c.problems]
    if problems:
        names = ", ".join(f"{p.subject} ({p.kind})" for p in problems)
        return Gate.INCOMPLETE, f"gate failed: incomplete data: {names}"
    if blocking_failed:
        jobs = ", ".join(blocking_failed)
        word = "job" if len(blocking_failed) == 1 else "jobs"
        return Gate.BLOCKING_JOB, f"gate failed: blocking {word} {jobs} failed"
    under = [c for c in components if c.below_minimum]
    if under:
        names = ", ".join(f"{c.label} {c.score:.2f} < {c.minimum:g}" for c in under)
        return Gate.BELOW_THRESHOLD, f"gate failed: below a component minimum: {names}"
    if total < config.threshold:
        return (
            Gate.BELOW_THRESHOLD,
            f"gate failed: score {total:.2f} is below the threshold {config.threshold:g}",
        )
    return (
        Gate.PASSED,
        f"gate passed: score {total:.2f} meets the threshold {config.threshold:g}",
    )


def _flaky(loaded: Mapping[str, Sequence[Loaded]]) -> list[str]:
    found: list[str] = []
    for entry in loaded.get("tests", ()):
        if entry.usable and entry.report is not None:
            found.extend(str(n) for n in entry.report.details.get("flaky", []))
    return sorted(set(found))


def _security_findings(
    loaded: Mapping[str, Sequence[Loaded]],
) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for entry in loaded.get("security", ()):
        if entry.report is not None:
            found.extend(
                f.to_dict()
                for f in entry.report.findings
                if f.severity in {Severity.HIGH, Severity.MEDIUM}
            )
    return found


def score(
    *,
    config: ReadinessConfig,
    loaded: Mapping[str, Sequence[Loaded]],
    ci: CiHistory,
    jobs: Sequence[JobRow] = (),
    blocking_failed: Sequence[str] = (),
) -> ReadinessResult:
    """Score the project; never raises for bad data, which scores 0 instead.

    ``blocking_failed`` names the blocking jobs whose fresh reports failed
    or errored: the seed's gates (ruff must pass, all tests must pass) fail
    the gate whatever the score.
    """
    components = [
        _component(spec.name, spec.label, config, loaded, ci) for spec in COMPONENTS
    ]
    total = round(math.fsum(c.weighted for c in components), _PRECISION)
    gate, message = _gate(total, components, config, blocking_failed)
    return ReadinessResult(
        score=total,
        band=band_for(total, config.bands),
        gate=gate,
        threshold=config.threshold,
        message=message,
        components=components,
        jobs=jobs,
        ci=ci,
        flaky=_flaky(loaded),
        security_findings=_security_findings(loaded),
    )
