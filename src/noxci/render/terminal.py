"""The readiness table printed in the terminal (rich)."""

from __future__ import annotations

from typing import TextIO

from noxci.readiness.document import ReadinessDocument
from noxci.readiness.model import Gate
from noxci.render.common import duration

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

    console = Console(file=file, width=width, highlight=False)
    sessions = Table(title="noxci readiness: sessions", title_justify="left")
    for column in ("session", "status", "duration", "key metric"):
        sessions.add_column(column, overflow="fold")
    for job in doc.result.jobs:
        style = _STATUS_STYLE.get(job.status, "")
        status = f"[{style}]{job.status}[/]" + (" (cached)" if job.cached else "")
        if not job.blocking and job.status == "failed":
            status += " (non-blocking)"
        sessions.add_row(job.session, status, duration(job.duration_s), job.summary)
    console.print(sessions)

    components = Table(title="score", title_justify="left")
    for column in ("component", "weight", "score", "weighted", "detail"):
        components.add_column(column, overflow="fold")
    for c in doc.result.components:
        score = f"[bold red]{c.score:.2f}[/]" if c.problems else f"{c.score:.2f}"
        components.add_row(
            c.label, f"{c.weight:g}%", score, f"{c.weighted:.2f}", c.detail
        )
    components.add_row(
        "[bold]total[/]", "100%", "", f"[bold]{doc.result.score:.2f}[/]", ""
    )
    console.print(components)
    for problem in doc.result.problems:
        console.print(
            f"[red]✗ {problem.subject}[/] ({problem.kind}): {problem.message}"
        )
    colour = "green" if doc.result.gate is Gate.PASSED else "red"
    console.print(
        f"[bold]{doc.result.score:.2f} / 100 · {doc.result.band.value}[/] "
        f"({doc.result.band.verdict}) · [{colour}]{doc.result.message}[/]"
    )
