"""``noxci comment``: post the sticky PR comment from a readiness.json artifact.

For a ``workflow_run`` workflow: it reads the uploaded result and the base
branch's history, never the pull request's code, and scores nothing.
"""

from __future__ import annotations

import argparse
import os
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
        default=Path("readiness/readiness.json"),
        help="the readiness.json to publish",
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


def run(args: argparse.Namespace) -> int:
    """Publish; a failure to publish is a warning, so this returns 0."""
    from noxci.publish.actions import (
        pr_number,
        publish_comment,
        run_url,
    )

    env = dict(os.environ)
    config = load_config(find_root(Path.cwd()))
    doc = read_document(args.source)
    history, _ = read_history(args.history or config.readiness_dir / "history.jsonl")
    pr = args.pr if args.pr is not None else doc.pull_request
    publish_comment(
        doc, history, config, env, pr=pr_number(pr, env), url=run_url(args.run_url, env)
    )
    return 0
