"""``readiness/index.html``: a self-contained dashboard (inline CSS and SVG).

No scripts, fonts, images or stylesheets from anywhere: it opens from disk,
from a CI artifact, or from ``noxci serve``. Every text is escaped. It reads
down to 400 px: tables scroll inside their card, the narrow chart replaces
the wide one, and commits and CI runs link to their pages.
"""

from __future__ import annotations

from html import escape

from noxci.readiness.document import ReadinessDocument
from noxci.readiness.model import Band, Gate
from noxci.readiness.trend import Trend
from noxci.render.chart import trend_svg
from noxci.render.common import duration, label, short_sha
from noxci.render.markdown import weekly_lines

__all__ = ["html_dashboard"]

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
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}a{color:#0969da}
.scroll{overflow-x:auto}td{overflow-wrap:break-word}td.num{white-space:nowrap}.narrow{display:none}
tr.head td{border-bottom:none;padding-bottom:0}.score>div:last-child{flex:1 1 220px}
@media (max-width:600px){main{padding:10px}.card{padding:10px}.big{font-size:36px}
th,td{padding:4px 5px;font-size:13px}.bar{width:56px}.wide{display:none}.narrow{display:block}
.hide-narrow{display:none}}
"""


def _components(doc: ReadinessDocument) -> str:
    rows = []
    for c in doc.result.components:
        colour = "#cf222e" if c.problems else "#0969da"
        problems = "".join(
            f'<div class="problem">✗ {escape(p.subject)} ({escape(p.kind)}): {escape(p.message)}</div>'
            for p in c.problems
        )
        rows.append(
            f"<tr class=head><td><b>{escape(label(c))}</b></td><td class=num>{c.weight:g}%</td>"
            f'<td><div class=bar><span style="width:{c.score:.1f}%;background:{colour}"></span></div></td>'
            f"<td class=num>{c.score:.2f}</td><td class=num>{c.weighted:.2f}</td></tr>"
            f"<tr><td colspan=5 class=muted>{escape(c.detail)}{problems}</td></tr>"
        )
    return (
        "<div class=scroll><table><tr><th>Component</th><th>Weight</th><th></th><th>Score</th>"
        "<th>Weighted</th></tr>" + "".join(rows) + "</table></div>"
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
    return f"<div class=scroll><table><tr><th>Measure</th><th>Value</th><th>Over</th></tr>{body}</table></div>"


def _sessions(doc: ReadinessDocument) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(j.session)}</code></td>"
        f'<td style="color:{_STATUS_COLOURS.get(j.status, "#1f2328")}">{escape(j.status)}{" (cached)" if j.cached else ""}</td>'
        f"<td class=hide-narrow>{'yes' if j.blocking else 'no'}</td><td class=num>{escape(duration(j.duration_s))}</td>"
        f"<td>{escape(j.summary)}</td></tr>"
        for j in doc.result.jobs
    )
    return (
        "<div class=scroll><table><tr><th>Session</th><th>Status</th><th class=hide-narrow>Blocking</th>"
        f"<th>Duration</th><th>Summary</th></tr>{rows}</table></div>"
    )


def _link(url: str | None, text: str) -> str:
    """``text`` linked to ``url`` when it is an https URL."""
    if url and url.startswith("https://"):
        return f'<a href="{escape(url)}">{text}</a>'
    return text


def _commit(doc: ReadinessDocument, sha: str | None) -> str:
    return _link(doc.commit_url(sha), f"<code>{escape(short_sha(sha))}</code>")


def _started(stamp: str) -> str:
    """``2026-12-06T06:17:16Z`` as a date, and on a wide screen its time too."""
    day, sep, time = stamp.partition("T")
    if not sep:
        return escape(stamp)
    return f"{escape(day)}<span class=hide-narrow> {escape(time)}</span>"


def _ci_runs(doc: ReadinessDocument) -> str:
    ci = doc.result.ci
    rows = "".join(
        f"<tr><td>{_link(r.url, escape(str(r.id)))}</td><td>{escape(r.conclusion)}</td>"
        f"<td>{_commit(doc, r.head_sha)}</td><td>{_started(r.created_at)}</td>"
        f"<td class=num>{escape(duration(r.duration_s))}</td></tr>"
        for r in ci.runs[:10]
    )
    warnings = "".join(f'<div class="problem">⚠ {escape(w)}</div>' for w in ci.warnings)
    return (
        f"<p class=muted>Source: <b>{escape(ci.source)}</b>, fetched {escape(ci.fetched_at or 'never')}. "
        "Cancelled, skipped and errored runs are left out of the pass rate.</p>"
        + warnings
        + "<div class=scroll><table><tr><th>Run</th><th>Conclusion</th><th>Commit</th><th>Started</th>"
        + "<th>Duration</th></tr>"
        + rows
        + "</table></div>"
    )


def _weights(doc: ReadinessDocument) -> str:
    return "Score = " + " + ".join(
        f"{c.weight / 100:.2f}·{label(c)}" for c in doc.result.components
    )


def html_dashboard(doc: ReadinessDocument, trend: Trend) -> str:
    """The whole page."""
    r = doc.result
    history = trend.history
    commits = (
        f"{doc.repository_url.rstrip('/')}/commit/" if doc.repository_url else None
    )
    chart = (
        f"<div class=wide>{trend_svg(history, threshold=r.threshold, commit_url=commits)}</div>"
        "<div class=narrow>"
        + trend_svg(
            history,
            threshold=r.threshold,
            commit_url=commits,
            width=400,
            height=240,
            font=14,
            ticks=3,
        )
        + "</div>"
    )
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
<div class=muted>Commit {_commit(doc, doc.commit)} on <code>{escape(doc.branch or "unknown")}</code>,
scored {escape(doc.generated_at)} ({escape(doc.context)}).</div>
<div class="card score"><div class=big>{r.score:.2f}</div>
<div><span class=pill style="background:{_BAND_COLOURS[r.band]}">{escape(r.band.value)}</span>
<span class=muted>{escape(r.band.verdict)}</span><br>
<span class=pill style="background:{gate_colour}">gate {"passed" if r.gate is Gate.PASSED else "failed"}</span>
<span class=muted>threshold {r.threshold:g}</span></div>
<div class=muted>{escape(r.message)}</div></div>
<h2>Components</h2><div class=card>{_components(doc)}</div>
<h2>Trend</h2><div class=card>{chart}<ul class=muted>{weeks}</ul></div>
<h2>CI health</h2><div class=card>{_monitoring(trend)}</div>
<h2>CI history</h2><div class=card>{_ci_runs(doc)}</div>
<h2>Sessions</h2><div class=card>{_sessions(doc)}</div>
<p class=muted>Generated by noxci readiness. {escape(_weights(doc))} (the weights configured).</p>
</main></body></html>
"""
