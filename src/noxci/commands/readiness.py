"""``noxci readiness``: score the reports, apply the gate, write the dashboard.

Exit codes: 0 gate passed, 1 below the threshold, 2 incomplete data (the
others are in docs/troubleshooting.md). ``--comment``, ``--notify``,
``--commit`` and ``--upload`` publish the result; they never change the
exit code.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from noxci import console
from noxci.config import find_root, load_config
from noxci.readiness.run import Options, Publish, readiness

__all__ = ["add_arguments", "run"]

_FLAGS = {
    "--preflight": "score a local preflight run (it counts in the local CI history)",
    "--comment": "post or edit the sticky PR comment (GITHUB_TOKEN, GITHUB_REPOSITORY)",
    "--notify": "send a Slack message ($SLACK_WEBHOOK_URL) when the gate fails",
    "--commit": "commit readiness/ to the default branch when it changed, and push ($GITHUB_TOKEN); implies --update",
    "--update": "write the committed readiness/ (CI does); a local run otherwise writes the git-ignored local-readiness-dir",
}
_VALUES = {
    "--pr": "the pull request number (default: from the event payload)",
    "--run-url": "link to the workflow run (default: from the Actions environment)",
    "--upload": "upload the result to `noxci serve` at this URL ($NOXCI_SERVE_TOKEN)",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    for flag, help_text in _FLAGS.items():
        parser.add_argument(flag, action="store_true", help=help_text)
    for option, help_text in _VALUES.items():
        parser.add_argument(
            option, type=int if option == "--pr" else str, help=help_text
        )
    parser.add_argument(
        "--duration",
        type=_seconds,
        help="with --preflight: how long its jobs took, in seconds (average CI run time)",
    )
    parser.add_argument(
        "--jobs-failed",
        action="store_true",
        help="with --preflight: its job run failed, so the run counts as failed",
    )
    parser.add_argument(
        "--no-write",
        dest="write",
        action="store_false",
        help="print the result without writing readiness/",
    )


def _seconds(text: str) -> float:
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds (e.g. 12.5)"
        )
    return value


def run(args: argparse.Namespace) -> int:
    """Score, print the table, write the outputs, publish; return the gate's exit code."""
    env = dict(os.environ)
    config = load_config(find_root(Path.cwd()))
    context = "preflight" if args.preflight else ("ci" if env.get("CI") else "local")
    options = Options(
        context=context,
        write=args.write,
        duration_s=args.duration if args.preflight else None,
        jobs_failed=args.preflight and args.jobs_failed,
        update=args.update or args.commit,
    )
    publish = Publish(
        comment=args.comment,
        notify=args.notify,
        commit=args.commit,
        upload=args.upload,
        pr=args.pr,
        run_url=args.run_url,
    )
    doc = readiness(config, env, options, publish)
    code = doc.result.gate.exit_code
    (console.info if code == 0 else console.error)(doc.result.message)
    return code
