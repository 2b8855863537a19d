"""``noxci comment``: post the sticky PR comment from a readiness.json artifact.

For a ``workflow_run`` workflow: it reads the uploaded result and the base
branch's history, never the pull request's code, and scores nothing.
``--dry-run`` prints the comment instead. It exits 7 when posting still
failed after the retries; a fork's token that may not comment is not a
failure (the comment goes to the step summary).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from noxci.config import find_root, load_config
from noxci.readiness.document import read_document
from noxci.readiness.history import read_history

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=None,
        help="the readiness.json to publish (default: the newest of readiness/ and the local one)",
    )
    parser.add_argument(
        "--history",
        type=Path,
        default=None,
        help="the base branch's history.jsonl (default: readiness/history.jsonl)",
    )
    parser.add_argument(
        "--pr", type=int, help="the pull request number (default: from the event)"
    )
    parser.add_argument("--run-url", help="link to the workflow run")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the comment's Markdown instead of posting it",
    )


def run(args: argparse.Namespace) -> int:
    """Post (or print) the comment; exit 7 when posting failed after the retries."""
    from noxci import ghactions
    from noxci.errors import ExitCode
    from noxci.publish.actions import post_comment
    from noxci.readiness.trend import trend
    from noxci.registry import job_sessions
    from noxci.render.comment import pr_comment

    env = dict(os.environ)
    config = load_config(find_root(Path.cwd()))
    from noxci.readiness.document import latest_path

    source = args.source or latest_path(
        config.readiness_dir, config.local_readiness_dir
    )
    limit = config.max_file_size
    doc = read_document(source, root=config.root, limit=limit)
    history, _ = read_history(
        args.history or config.readiness_dir / "history.jsonl",
        root=config.root,
        max_bytes=limit,
    )
    body = pr_comment(
        doc,
        trend(doc, history, config.default_branch),
        default_branch=config.default_branch,
        run_url=ghactions.run_url(args.run_url, env),
        sessions=job_sessions(config.python),
    )
    if args.dry_run:
        sys.stdout.write(body)
        return 0
    pr = args.pr if args.pr is not None else doc.pull_request
    outcome = post_comment(
        body, env, pr=ghactions.pr_number(pr, env), network=config.network
    )
    if outcome == "forbidden":
        ghactions.append_step_summary(body, env)
    return ExitCode.NETWORK if outcome == "failed" else 0
