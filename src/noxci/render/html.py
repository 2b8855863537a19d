"""``readiness/index.html``: a self-contained dashboard (inline CSS and SVG).

No scripts, fonts, images or stylesheets from anywhere: it opens from disk,
from a CI artifact, or from ``noxci serve``. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from noxci.readiness.document import ReadinessDocument
from noxci.readiness.history import HistoryEntry
from noxci.readiness.model import Band, Gate
from noxci.readiness.trend import Trend
from noxci.render.common import duration, label, short_sha
from noxci.render.markdown import weekly_lines

__all__ = ["html_dashboard", "trend_svg"]

_BAND_COLOURS = {
    Band.EXCELLENT: "#1a7f37",
    Band.GOOD: "#2da44e",
    Band.FAIR: "#bf8700",
    Band.POOR: "#cf222e",
}
_STATUS_COLOURS = {
    "passed": "#1a7f37",
    "failed": "#cf222e",
    "error": "#cf222e",
    "missing": "#cf222e",
    "invalid": "#cf222e",
    "skipped": "#bf8700",
}
_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f8fa;color:#1f2328}
main{max-width:1040px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px;margin:12px 0}
.score{display:flex;gap:24px;align-items:center;flex-wrap:wrap}
.big{font-size:48px;font-weight:700}
.pill{display:inline-block;padding:2px 10px;border-radius:999px;color:#fff;font-weight:600}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{font-size:13px;color:#57606a}td.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{background:#eaeef2;border-radius:4px;height:10px;width:160px}.bar>span{display:block;height:10px;border-radius:4px}
.muted{color:#57606a;font-size:13px}.problem{color:#cf222e}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
"""


def trend_svg(
    history: Sequence[HistoryEntry],
    *,
    width: int = 960,
    height: int = 220,
    threshold: float = 90.0,
) -> str:
    """A line chart of the scores over time, with the threshold drawn in."""
    pad = 36
    points = history[-60:]
    lo = min(80.0, min((e.score for e in points), default=80.0)) // 10 * 10
    if not points:
        return f'<svg role="img" aria-label="no history yet" width="{width}" height="60"><text x="8" y="36">No history yet.</text></svg>'

    def y(score: float) -> float:
        return pad + (100 - score) / (100 - lo) * (height - 2 * pad)

    step = (width - 2 * pad) / max(1, len(points) - 1)
    xs = [pad + i * step for i in range(len(points))]
    line = " ".join(
        f"{x:.1f},{y(e.score):.1f}" for x, e in zip(xs, points, strict=True)
    )
    grid = "".join(
        f'<line x1="{pad}" x2="{width - pad}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eaeef2"/>'
        f'<text x="4" y="{y(v) + 4:.1f}" font-size="11" fill="#57606a">{v:g}</text>'
        for v in range(int(lo), 101, 5 if 100 - lo <= 30 else 10)
    )
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y(e.score):.1f}" r="3" fill="{"#1a7f37" if e.gate == "passed" else "#cf222e"}">'
        f"<title>{escape(e.generated_at)} {escape(short_sha(e.commit))}: {e.score:.2f} ({escape(e.gate)})</title></circle>"
        for x, e in zip(xs, points, strict=True)
    )
    gate = (
        f'<line x1="{pad}" x2="{width - pad}" y1="{y(threshold):.1f}" y2="{y(threshold):.1f}" '
        f'stroke="#cf222e" stroke-dasharray="6 4"/>'
        f'<text x="{width - pad - 70}" y="{y(threshold) - 4:.1f}" font-size="11" fill="#cf222e">gate {threshold:g}</text>'
    )
    first, last = (
        escape(points[0].generated_at[:10]),
        escape(points[-1].generated_at[:10]),
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="readiness score trend" '
        f'viewBox="0 0 {width} {height}" width="100%">{grid}{gate}'
        f'<polyline points="{line}" fill="none" stroke="#0969da" stroke-width="2"/>{dots}'
        f'<text x="{pad}" y="{height - 8}" font-size="11" fill="#57606a">{first}</text>'
        f'<text x="{width - pad - 70}" y="{height - 8}" font-size="11" fill="#57606a">{last}</text></svg>'
    )


def _components(doc: ReadinessDocument) -> str:
    rows = []
    for c in doc.result.components:
        colour = "#cf222e" if c.problems else "#0969da"
        problems = "".join(
            f'<div class="problem">✗ {escape(p.subject)} ({escape(p.kind)}): {escape(p.message)}</div>'
            for p in c.problems
        )
        rows.append(
            f"<tr><td>{escape(label(c))}</td><td class=num>{c.weight:g}%</td>"
            f'<td><div class=bar><span style="width:{c.score:.1f}%;background:{colour}"></span></div></td>'
            f"<td class=num>{c.score:.2f}</td><td class=num>{c.weighted:.2f}</td>"
            f"<td>{escape(c.detail)}{problems}</td></tr>"
        )
    return (
        "<table><tr><th>Component</th><th>Weight</th><th></th><th>Score</th><th>Weighted</th><th>Detail</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _monitoring(trend: Trend) -> str:
    m = trend.monitoring

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}%"

    rows = [
        ("CI pass rate (rolling 10)", pct(m.pass_rate), m.pass_rate_detail),
        (
            "Average CI run time",
            duration(m.average_build_s),
            f"{m.builds_timed} timed runs",
        ),
        (
            "Cache hit rate",
            pct(m.cache_hit_rate),
            f"{m.cache_hits} of {m.cache_total} session results reused over the last {m.runs_counted} scored runs",
        ),
        (
            "Flaky-test frequency",
            pct(m.flaky_frequency),
            f"{m.flaky_now} flaky test(s) now",
        ),
        ("Security issues", str(m.security_issues), "high and medium findings"),
    ]
    body = "".join(
        f"<tr><td>{escape(a)}</td><td class=num>{escape(b)}</td><td class=muted>{escape(c)}</td></tr>"
        for a, b, c in rows
    )
    return f"<table><tr><th>Measure</th><th>Value</th><th>Over</th></tr>{body}</table>"


def _sessions(doc: ReadinessDocument) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(j.session)}</code></td>"
        f'<td style="color:{_STATUS_COLOURS.get(j.status, "#1f2328")}">{escape(j.status)}{" (cached)" if j.cached else ""}</td>'
        f"<td>{'yes' if j.blocking else 'no'}</td><td class=num>{escape(duration(j.duration_s))}</td>"
        f"<td>{escape(j.summary)}</td></tr>"
        for j in doc.result.jobs
    )
    return f"<table><tr><th>Session</th><th>Status</th><th>Blocking</th><th>Duration</th><th>Summary</th></tr>{rows}</table>"


def _ci_runs(doc: ReadinessDocument) -> str:
    ci = doc.result.ci
    rows = "".join(
        f"<tr><td>{escape(str(r.id))}</td><td>{escape(r.conclusion)}</td><td><code>{escape(short_sha(r.head_sha))}</code></td>"
        f"<td>{escape(r.created_at)}</td><td class=num>{escape(duration(r.duration_s))}</td></tr>"
        for r in ci.runs[:10]
    )
    warnings = "".join(f'<div class="problem">⚠ {escape(w)}</div>' for w in ci.warnings)
    return (
        f"<p class=muted>Source: <b>{escape(ci.source)}</b>, fetched {escape(ci.fetched_at or 'never')}. "
        "Cancelled and skipped runs are left out of the pass rate.</p>"
        + warnings
        + "<table><tr><th>Run</th><th>Conclusion</th><th>Commit</th><th>Started</th><th>Duration</th></tr>"
        + rows
        + "</table>"
    )


def _weights(doc: ReadinessDocument) -> str:
    return "Score = " + " + ".join(
        f"{c.weight / 100:.2f}·{label(c)}" for c in doc.result.components
    )


def html_dashboard(doc: ReadinessDocument, trend: Trend) -> str:
    """The whole page."""
    r = doc.result
    history = trend.history
    gate_colour = "#1a7f37" if r.gate is Gate.PASSED else "#cf222e"
    weeks = (
        "".join(f"<li>{escape(line)}</li>" for line in weekly_lines(trend.weekly)[:8])
        or "<li>No history yet.</li>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Release readiness: {escape(doc.project)}</title><style>{_CSS}</style></head>
<body><main>
<h1>Release readiness: {escape(doc.project)}</h1>
<div class=muted>Commit <code>{escape(short_sha(doc.commit))}</code> on <code>{escape(doc.branch or "unknown")}</code>,
scored {escape(doc.generated_at)} ({escape(doc.context)}).</div>
<div class="card score"><div class=big>{r.score:.2f}</div>
<div><span class=pill style="background:{_BAND_COLOURS[r.band]}">{escape(r.band.value)}</span>
<span class=muted>{escape(r.band.verdict)}</span><br>
<span class=pill style="background:{gate_colour}">gate {escape(r.gate.value)}</span>
<span class=muted>threshold {r.threshold:g}</span></div>
<div class=muted style="flex:1">{escape(r.message)}</div></div>
<h2>Components</h2><div class=card>{_components(doc)}</div>
<h2>Trend</h2><div class=card>{trend_svg(history, threshold=r.threshold)}<ul class=muted>{weeks}</ul></div>
<h2>CI health</h2><div class=card>{_monitoring(trend)}</div>
<h2>CI history</h2><div class=card>{_ci_runs(doc)}</div>
<h2>Sessions</h2><div class=card>{_sessions(doc)}</div>
<p class=muted>Generated by noxci readiness. {escape(_weights(doc))} (the weights configured).</p>
</main></body></html>
"""
