"""The readiness table printed in the terminal (rich).

Data is passed to rich as :class:`rich.text.Text`, never as markup: a test
name or a finding that contains ``[/a]`` is printed as it is.
"""

from __future__ import annotations

from typing import TextIO

from noxci.readiness.document import ReadinessDocument
from noxci.readiness.model import Gate
from noxci.render.common import duration, label

__all__ = ["print_table"]

_STATUS_STYLE = {
    "passed": "green",
    "failed": "red",
    "error": "bold red",
    "skipped": "yellow",
    "missing": "bold red",
    "invalid": "bold red",
}


def print_table(
    doc: ReadinessDocument, *, file: TextIO | None = None, width: int | None = None
) -> None:
    """Sessions, then components, then the score and the gate."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text as RichText

    from noxci.console import redact

    def Text(text: str, style: str = "") -> RichText:
        return RichText(redact(text), style=style)

    console = Console(file=file, width=width, highlight=False)
    sessions = Table(title="noxci readiness: sessions", title_justify="left")
    for column in ("session", "status", "duration", "key metric"):
        sessions.add_column(column, overflow="fold")
    for job in doc.result.jobs:
        status = Text(job.status, style=_STATUS_STYLE.get(job.status, ""))
        if job.cached:
            status.append(" (cached)")
        if not job.blocking and job.status == "failed":
            status.append(" (non-blocking)")
        sessions.add_row(
            Text(job.session), status, duration(job.duration_s), Text(job.summary)
        )
    console.print(sessions)

    components = Table(title="score", title_justify="left")
    for column in ("component", "weight", "score", "weighted", "detail"):
        components.add_column(column, overflow="fold")
    for c in doc.result.components:
        score = Text(f"{c.score:.2f}", style="bold red" if c.problems else "")
        components.add_row(
            Text(label(c)), f"{c.weight:g}%", score, f"{c.weighted:.2f}", Text(c.detail)
        )
    components.add_row(
        Text("total", style="bold"),
        "100%",
        "",
        Text(f"{doc.result.score:.2f}", style="bold"),
        "",
    )
    console.print(components)
    for problem in doc.result.problems:
        line = Text(f"✗ {problem.subject}", style="red")
        line.append(f" ({problem.kind}): {problem.message}")
        console.print(line)
    r = doc.result
    verdict = Text(f"{r.score:.2f} / 100 · {r.band.value}", style="bold")
    verdict.append(f" ({r.band.verdict}) · ")
    verdict.append(r.message, style="green" if r.gate is Gate.PASSED else "red")
    console.print(verdict)
