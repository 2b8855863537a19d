"""Exact rendered output: dashboard, step summary, badge and the terminal table.

Golden files live in tests/data/golden; regenerate them with
`NOXCI_REGOLD=1 pytest tests/unit/test_render.py` and review the diff.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from noxci.config import Config
from noxci.readiness.document import ReadinessDocument
from noxci.readiness.history import HistoryEntry
from noxci.readiness.model import CiHistory, JobRow, Problem
from noxci.readiness.scoring import score
from noxci.readiness.trend import Trend, trend
from noxci.registry import job_sessions
from noxci.render.badge import badge
from noxci.render.common import age, duration, sparkline
from noxci.render.markdown import dashboard, step_summary, weekly_lines
from noxci.render.terminal import print_table
from tests.conftest import DATA, MakeConfig
from tests.readiness_helpers import ci_runs
from tests.unit.test_scoring import _loaded

GOLDEN = DATA / "golden"
SESSIONS = job_sessions(("3.11",))


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("NOXCI_REGOLD"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def _doc(config: Config, *, problem: bool = False) -> ReadinessDocument:
    problems = (
        {
            "security": Problem(
                subject="security", kind="stale", message="the job's inputs changed"
            )
        }
        if problem
        else None
    )
    ci = CiHistory(
        source="github",
        fetched_at="2026-11-27T07:00:00Z",
        runs=tuple(ci_runs("sscsfsssss")),
    )
    jobs = [
        JobRow(
            session="lint",
            job="lint",
            status="passed",
            blocking=True,
            cached=True,
            duration_s=3.2,
            summary="ruff: 0 finding(s); black: 0 file(s) to reformat",
        ),
        JobRow(
            session="typecheck",
            job="typecheck",
            status="failed",
            blocking=False,
            cached=False,
            duration_s=12.75,
            summary="mypy: 2 error(s) in 1 file(s)",
        ),
        JobRow(
            session="tests",
            job="tests",
            status="passed",
            blocking=True,
            cached=False,
            duration_s=95.0,
            summary="120 passed | 1 flaky; coverage 96.5% (min 80%)",
        ),
    ]
    result = score(
        config=config.readiness,
        loaded=_loaded({"typecheck": {"mypy_errors": 2}}, problems),
        ci=ci,
        jobs=jobs,
    )
    return ReadinessDocument(
        result=result,
        generated_at="2026-11-27T10:00:00Z",
        project="widget",
        commit="0123456789abcdef0123456789abcdef01234567",
        branch="main",
        context="ci",
        cache_hits=1,
    )


HISTORY = [
    HistoryEntry(
        generated_at=f"2026-11-{day:02d}T09:00:00Z",
        commit=f"{day:040x}",
        branch="main",
        context="ci",
        score=s,
        band="Good",
        gate="passed",
        components={},
        outcome="success",
    )
    for day, s in ((16, 85.0), (18, 88.5), (23, 91.0), (25, 93.0), (26, 97.5))
]


def _t(doc: ReadinessDocument, history: list[HistoryEntry]) -> Trend:
    return trend(doc, history, "main")


@pytest.fixture
def config(make_config: MakeConfig) -> Config:
    return make_config("")


def test_dashboard(config: Config) -> None:
    doc = _doc(config)
    _check("dashboard.md", dashboard(doc, _t(doc, HISTORY)))


def test_dashboard_with_incomplete_data(config: Config) -> None:
    doc = _doc(config, problem=True)
    _check("dashboard-incomplete.md", dashboard(doc, _t(doc, [])))


def test_step_summary(config: Config) -> None:
    _check("step-summary.md", step_summary(_doc(config)))


def test_terminal_table(config: Config) -> None:
    out = io.StringIO()
    print_table(_doc(config, problem=True), file=out, width=120)
    _check("terminal.txt", out.getvalue())


def test_badge(config: Config) -> None:
    assert badge(_doc(config)) == {
        "schemaVersion": 1,
        "label": "readiness",
        "message": "94.3/100 Good",
        "color": "green",
    }
    assert badge(_doc(config, problem=True))["color"] == "red"


def test_helpers(config: Config) -> None:
    assert sparkline([0, 12.5, 50, 99.9, 100]) == "▁▂▅██"
    assert sparkline([85.0, 88.5, 91.0, 93.0, 97.5]) == "▃▄▅▆█"
    assert sparkline([]) == ""
    assert duration(None) == "—"
    assert duration(4.25) == "4.2s"
    assert duration(125) == "2m 05s"
    assert age("2026-11-27T07:00:00Z", "2026-11-27T10:00:00Z") == "3 h"
    assert age(None, "2026-11-27T10:00:00Z") == "unknown age"
    assert weekly_lines(_t(_doc(config), HISTORY).weekly) == [
        "2026-W48: 93.83 over 3 run(s)",
        "2026-W47: 86.75 over 2 run(s)",
    ]


def test_untrusted_text_cannot_break_the_table(config: Config, tmp_path: Path) -> None:
    doc = _doc(config)
    evil = JobRow(
        session="x",
        job="x",
        status="passed",
        blocking=True,
        cached=False,
        duration_s=1.0,
        summary="a | b\n# injected heading",
    )
    evil_doc = ReadinessDocument(
        **{
            **doc.__dict__,
            "result": doc.result.__class__(**{**doc.result.__dict__, "jobs": [evil]}),
        }
    )
    text = dashboard(evil_doc, _t(evil_doc, []))
    assert "| a \\| b \\# injected heading |" in text


BASELINE = [
    HistoryEntry(
        generated_at="2026-11-26T09:00:00Z",
        commit="ab" * 20,
        branch="main",
        context="ci",
        score=92.0,
        band="Good",
        gate="passed",
        components={"ci": 90.0, "coverage": 95.0, "security": 100.0, "quality": 90.0},
        outcome="success",
        security_keys=("B301:blacklist@src/old.py",),
    ),
    HistoryEntry(
        generated_at="2026-11-26T10:00:00Z",
        commit="cd" * 20,
        branch="feature",
        context="ci",
        score=50.0,
        band="Poor",
        gate="incomplete",
        components={},
        outcome="failure",
    ),
]


def _with_findings(doc: ReadinessDocument) -> ReadinessDocument:
    result = doc.result.__class__(
        **{
            **doc.result.__dict__,
            "flaky": ("tests/test_net.py::test_retry[<script>alert(1)</script>]",),
            "security_findings": (
                {
                    "tool": "bandit",
                    "rule": "B301:blacklist",
                    "severity": "medium",
                    "message": "pickle",
                    "path": "src/old.py",
                    "line": 3,
                },
                {
                    "tool": "pip-audit",
                    "rule": "PYSEC-2018-28",
                    "severity": "high",
                    "message": "requests 2.19.1: PYSEC-2018-28, fixed in 2.20.0",
                    "path": None,
                    "line": None,
                },
            ),
        }
    )
    return ReadinessDocument(**{**doc.__dict__, "result": result})


def test_pr_comment_with_a_baseline(config: Config) -> None:
    from noxci.render.comment import pr_comment

    doc = _with_findings(_doc(config))
    text = pr_comment(
        doc,
        _t(doc, BASELINE),
        default_branch="main",
        run_url="https://github.example/acme/widget/actions/runs/42",
        sessions=SESSIONS,
    )
    _check("comment.md", text)
    assert "<script>" not in text  # not the shape of a test id: counted, not shown
    assert "- `PYSEC-2018-28` in `requests`" in text
    assert "- 1 whose name is not the shape of an id (not shown)" in text
    assert "B301" not in text  # not new: the baseline already had it


def test_pr_comment_without_a_baseline(config: Config) -> None:
    from noxci.render.comment import pr_comment

    doc = _doc(config, problem=True)
    text = pr_comment(
        doc,
        _t(doc, BASELINE[1:]),
        default_branch="main",
        run_url=None,
        sessions=SESSIONS,
    )
    _check("comment-no-baseline.md", text)
    assert "No baseline: `main` has no readiness history yet" in text


def test_pr_comment_is_capped(config: Config) -> None:
    from noxci.render.comment import MAX_COMMENT, pr_comment
    from noxci.render.common import code, md

    doc = _doc(config)
    many = doc.result.__class__(
        **{
            **doc.result.__dict__,
            "flaky": tuple(f"tests/test_{i}.py::test_{'x' * 150}" for i in range(5000)),
        }
    )
    big = ReadinessDocument(**{**doc.__dict__, "result": many})
    text = pr_comment(big, _t(big, []), default_branch="main", run_url=None)
    assert len(text) <= MAX_COMMENT
    assert "… and 4980 more" in text
    assert (
        md("@admin [x](http://evil) `code` | a\nb")
        == "@\u200badmin \\[x\\](http://evil) 'code' \\| a b"
    )
    assert code("a`b|c\nd") == "`a'b\\|c d`"


def test_html_dashboard_is_self_contained(config: Config) -> None:
    from noxci.render.html import html_dashboard

    doc = _with_findings(_doc(config, problem=True))
    page = html_dashboard(doc, _t(doc, HISTORY))
    assert page.startswith("<!doctype html>")
    for external in ("<script", "<link", "src=", "@import", "url("):
        assert external not in page
    assert page.count("<circle") == 2 * len(
        HISTORY
    )  # the wide chart and the narrow one
    assert "gate failed</span>" in page
    assert "gate failed: incomplete data" in page  # the reason, beside the pill
    assert "✗ security (stale): the job&#x27;s inputs changed" in page
    plain = _doc(config)
    empty = html_dashboard(plain, _t(plain, []))
    assert "No history yet." in empty
