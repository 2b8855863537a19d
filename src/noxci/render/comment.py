"""The PR comment, built from numbers and from names noxci knows.

The readiness.json it is rendered from is an artifact a fork's pull request
could write, so no free text of it reaches the comment: component labels
come from noxci's registry, gates, bands and problem kinds are noxci's own
words, a problem's subject is shown only when it is one of the project's
sessions, and a flaky test or a security finding only when its name has
the shape of a test id or an advisory (then as a code span, which GitHub
shows literally); the rest is counted. Problem messages are not posted:
the run's page has them. The comment is capped below GitHub's 65,536.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from noxci.readiness.document import ReadinessDocument
from noxci.readiness.model import Gate, security_keys
from noxci.readiness.trend import Trend
from noxci.render.common import code, label, md, short_sha, sparkline

__all__ = ["MARKER", "MAX_COMMENT", "pr_comment"]

MARKER = "<!-- noxci-readiness -->"
MAX_COMMENT = 60_000
_LIST_LIMIT = 20
_KINDS = frozenset(
    {
        "missing",
        "unreadable",
        "invalid",
        "stale",
        "skipped",
        "error",
        "empty",
        "out-of-range",
    }
)
_NAME = re.compile(r"^[A-Za-z0-9_./:\-\[\]()=,+]{1,200}$")
_SHA = re.compile(r"^[0-9a-f]{7,40}$")


def _hidden(count: int, others: bool) -> list[str]:
    if not count:
        return []
    more = "more " if others else ""
    names = "names are" if count > 1 else "name is"
    return [f"{count} {more}whose {names} not the shape of an id (not shown)"]


def _names(items: Sequence[str]) -> list[str]:
    """Names shaped like ids, as code spans; the others only counted."""
    shown = [code(item) for item in items if _NAME.match(item)]
    return shown + _hidden(len(items) - len(shown), bool(shown))


def _findings(keys: Sequence[str]) -> list[str]:
    """``rule in where`` for keys whose two parts have the shape of ids."""
    shown = []
    for key in keys:
        rule, _, where = key.partition("@")
        if _NAME.match(rule) and _NAME.match(where):
            shown.append(f"{code(rule)} in {code(where)}")
    return shown + _hidden(len(keys) - len(shown), bool(shown))


def _subject(subject: str, known: frozenset[str]) -> str:
    return code(subject) if subject in known else "a report"


def _delta(now: float, before: float | None) -> str:
    if before is None:
        return "—"
    change = now - before
    if abs(change) < 0.005:
        return "±0.00"
    return f"{'+' if change > 0 else '-'}{abs(change):.2f}"


def _listing(title: str, items: Sequence[str]) -> list[str]:
    if not items:
        return []
    shown = [f"- {item}" for item in items[:_LIST_LIMIT]]
    more = (
        [f"- … and {len(items) - _LIST_LIMIT} more"] if len(items) > _LIST_LIMIT else []
    )
    return [f"**{title} ({len(items)})**", "", *shown, *more, ""]


def pr_comment(
    doc: ReadinessDocument,
    trend: Trend,
    *,
    default_branch: str,
    run_url: str | None,
    sessions: frozenset[str] = frozenset(),
) -> str:
    """The comment body, marker first; ``sessions`` are the project's session names."""
    r = doc.result
    base = trend.baseline
    gate = (
        "✅ passed" if r.gate is Gate.PASSED else f"❌ {r.gate.value.replace('-', ' ')}"
    )
    lines = [
        MARKER,
        f"### Release readiness: {r.score:.2f} / 100 · {r.band.value} · gate {gate}",
        "",
    ]
    if base is None:
        lines += [
            f"No baseline: {code(default_branch)} has no readiness history yet, so no deltas.",
            "",
        ]
    else:
        lines += [
            f"Δ against the latest score of {code(default_branch)} ({base.score:.2f}, commit "
            f"{code(short_sha(base.commit))}, {md(base.generated_at)}).",
            "",
        ]
    lines += [
        "| Component | Weight | Score | Δ | Weighted |",
        "|---|---:|---:|---:|---:|",
    ]
    for c in r.components:
        before = base.components.get(c.name) if base else None
        flag = " ⚠️" if c.problems else ""
        lines.append(
            f"| {md(label(c))}{flag} | {c.weight:g}% | {c.score:.2f} | {_delta(c.score, before)} | {c.weighted:.2f} |"
        )
    lines += [
        f"| **Total** | | **{r.score:.2f}** | {_delta(r.score, base.score if base else None)} | |",
        "",
    ]
    scores = [*trend.branch_scores[-10:], r.score]
    lines += [
        f"Trend ({code(default_branch)}, then this run): `{sparkline(scores)}`",
        "",
    ]
    subjects = sessions | {"ci-history"}
    lines += _listing(
        "Incomplete data",
        [
            f"{_subject(p.subject, subjects)} ({p.kind if p.kind in _KINDS else 'invalid'})"
            for p in r.problems
        ],
    )
    lines += _listing("Flaky tests", _names(list(r.flaky)))
    known = set(base.security_keys) if base else set()
    new_keys = [k for k in security_keys(r) if k not in known]
    lines += _listing(
        "New security findings" if base else "Security findings",
        _findings(new_keys),
    )
    commit = doc.commit if doc.commit and _SHA.match(doc.commit) else None
    footer = f"Commit {code(short_sha(commit))}"
    if run_url and run_url.startswith("https://"):
        footer += (
            f" · [workflow run]({run_url.replace('(', '%28').replace(')', '%29')})"
        )
    lines += [footer + " · generated by noxci from readiness.json", ""]
    body = "\n".join(lines)
    if len(body) > MAX_COMMENT:
        body = (
            body[: MAX_COMMENT - 80].rsplit("\n", 1)[0]
            + "\n\n… (truncated: see the readiness artifact)\n"
        )
    return body
