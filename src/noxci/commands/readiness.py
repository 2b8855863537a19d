"""``noxci readiness``: score the reports, apply the gate, write the dashboard.

Exit codes: 0 gate passed, 1 below the threshold, 2 incomplete data.
``--comment`` and ``--notify`` publish the result; they never change the exit.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from noxci import console
from noxci.config import find_root, load_config
from noxci.readiness.run import Options, readiness
from noxci.render.terminal import print_table

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    add = parser.add_argument
    add(
        "--preflight",
        action="store_true",
        help="score a local preflight run (it counts in the local CI history)",
    )
    add(
        "--no-write",
        dest="write",
        action="store_false",
        help="print the result without writing readiness/",
    )
    add(
        "--comment",
        action="store_true",
        help="post or edit the sticky PR comment (GITHUB_TOKEN, GITHUB_REPOSITORY)",
    )
    add(
        "--pr",
        type=int,
        help="the pull request number (default: from the event payload)",
    )
    add(
        "--notify",
        action="store_true",
        help="send a Slack message ($SLACK_WEBHOOK_URL) when the gate fails",
    )
    add(
        "--run-url",
        help="link to the workflow run (default: from the Actions environment)",
    )


def run(args: argparse.Namespace) -> int:
    """Score, print the table, write the outputs, publish; return the gate's exit code."""
    env = dict(os.environ)
    config = load_config(find_root(Path.cwd()))
    context = "preflight" if args.preflight else ("ci" if env.get("CI") else "local")
    doc = readiness(config, env, Options(context=context, write=args.write))
    print_table(doc)
    if args.comment or args.notify:
        from noxci.publish.actions import (
            pr_number,
            publish_comment,
            run_url,
            slack_alert,
        )
        from noxci.readiness.history import read_history

        url = run_url(args.run_url, env)
        if args.comment:
            history, _ = read_history(config.readiness_dir / "history.jsonl")
            publish_comment(
                doc, history, config, env, pr=pr_number(args.pr, env), url=url
            )
        if args.notify:
            slack_alert(doc, env, url=url)
    code = doc.result.gate.exit_code
    (console.info if code == 0 else console.error)(doc.result.message)
    return code
