"""One readiness run: score, then render, then write, then publish, here only.

:func:`~noxci.readiness.gather.evaluate` reads and scores; :func:`render`
turns the result into every text noxci shows (pure); the files are written
atomically; then the result is published: the terminal table, the step
summary, the PR comment, Slack, the readiness service and the commit of
``readiness/``. Publishing never changes the gate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from noxci import console, fsutil, ghactions
from noxci.config import Config
from noxci.errors import NetworkError, ToolError
from noxci.readiness.document import ReadinessDocument
from noxci.readiness.gather import Options, evaluate
from noxci.readiness.history import append_entry
from noxci.readiness.model import Gate
from noxci.readiness.trend import Trend, trend
from noxci.registry import job_sessions

__all__ = ["Options", "Publish", "Rendered", "readiness", "render"]


@dataclass(frozen=True, kw_only=True)
class Publish:
    """Where the result goes besides readiness/."""

    table: bool = True
    stream: TextIO | None = None  # the terminal table's stream (stdout)
    comment: bool = False
    notify: bool = False
    commit: bool = False
    upload: str | None = None
    pr: int | None = None
    run_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class Rendered:
    """Every text of one result."""

    files: Mapping[str, str]  # readiness/ file name -> content
    summary: str  # the step summary
    comment: str  # the PR comment body
    slack: str | None  # the alert, None when the gate passed


def render(
    doc: ReadinessDocument, history: Trend, config: Config, run_url: str | None
) -> Rendered:
    """All of a result's texts; no I/O."""
    from noxci.render.badge import badge
    from noxci.render.comment import pr_comment
    from noxci.render.html import html_dashboard
    from noxci.render.markdown import dashboard, step_summary
    from noxci.render.slack_message import readiness_alert

    return Rendered(
        files={
            "readiness.json": fsutil.dumps(doc.to_dict()),
            "badge.json": fsutil.dumps(badge(doc)),
            "README.md": dashboard(doc, history),
            "index.html": html_dashboard(doc, history),
        },
        summary=step_summary(doc),
        comment=pr_comment(
            doc,
            history,
            default_branch=config.default_branch,
            run_url=run_url,
            sessions=job_sessions(config.python),
        ),
        slack=None if doc.result.gate is Gate.PASSED else readiness_alert(doc, run_url),
    )


def _publish(
    doc: ReadinessDocument,
    out: Rendered,
    config: Config,
    env: Mapping[str, str],
    publish: Publish,
) -> None:
    from noxci.publish.actions import post_comment, slack_alert

    if publish.table:
        from noxci.render.terminal import print_table

        print_table(doc, file=publish.stream)
    ghactions.append_step_summary(out.summary, env)
    if publish.comment:
        pr = ghactions.pr_number(publish.pr, env)
        if post_comment(out.comment, env, pr=pr, network=config.network) == "forbidden":
            ghactions.append_step_summary(out.comment, env)
    if publish.notify:
        slack_alert(out.slack, env, config.network)
    if publish.commit:
        from noxci.publish.commit import commit_readiness

        try:
            commit_readiness(config, env)
        except (NetworkError, ToolError) as exc:
            console.warn(f"{exc}; the gate is unchanged")
    if publish.upload:
        from noxci.publish.upload import upload

        try:
            upload(publish.upload, doc, env, network=config.network)
        except NetworkError as exc:
            console.warn(f"{exc}; the gate is unchanged")


def readiness(
    config: Config,
    env: Mapping[str, str],
    options: Options,
    publish: Publish | None = None,
) -> ReadinessDocument:
    """Score, render, write (when ``options.write``), publish; return the result."""
    scored = evaluate(config, env, options)
    history = list(scored.history)
    if options.write and scored.entry is not None:
        history.append(scored.entry)
    out = render(
        scored.doc,
        trend(scored.doc, history, config.default_branch),
        config,
        ghactions.run_url(publish.run_url if publish else None, env),
    )
    if options.write:
        from noxci.leftovers import remove_stale_temps

        folder = options.out_dir(config)
        if folder != config.readiness_dir:
            fsutil.ignored_dir(folder)  # a local run's outputs are the user's alone
        for directory in (folder, config.reports_dir):
            remove_stale_temps(directory)
        if scored.entry is not None:
            append_entry(
                folder / "history.jsonl",
                scored.entry,
                limit=config.readiness.history_limit,
                max_bytes=config.max_file_size,
            )
        for name, text in out.files.items():
            fsutil.atomic_write_text(folder / name, text)
        if folder != config.readiness_dir:
            where = (
                folder.relative_to(config.root)
                if folder.is_relative_to(config.root)
                else folder
            )
            console.info(
                f"the dashboard is in {where}/index.html (git ignores it; "
                "`noxci readiness --update` writes the committed readiness/)"
            )
    _publish(scored.doc, out, config, env, publish or Publish(table=False))
    return scored.doc
