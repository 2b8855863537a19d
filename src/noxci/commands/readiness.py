"""``noxci readiness``: score the reports, apply the gate, write the dashboard.

Exit codes: 0 gate passed, 1 below the threshold, 2 incomplete data.
``--comment``, ``--notify`` and ``--upload`` publish the result; they never
change the exit code.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from noxci import console
from noxci.config import Config, find_root, load_config
from noxci.readiness.document import ReadinessDocument
from noxci.readiness.run import Options, readiness
from noxci.render.terminal import print_table

__all__ = ["add_arguments", "run"]

_FLAGS = {
    "--preflight": "score a local preflight run (it counts in the local CI history)",
    "--comment": "post or edit the sticky PR comment (GITHUB_TOKEN, GITHUB_REPOSITORY)",
    "--notify": "send a Slack message ($SLACK_WEBHOOK_URL) when the gate fails",
    "--commit": "commit readiness/ to the default branch when it changed, and push ($GITHUB_TOKEN)",
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


def _publish(
    args: argparse.Namespace,
    doc: ReadinessDocument,
    config: Config,
    env: dict[str, str],
) -> None:
    from noxci.errors import NetworkError, ToolError
    from noxci.publish.actions import pr_number, publish_comment, run_url, slack_alert
    from noxci.publish.upload import upload
    from noxci.readiness.history import read_history

    url = run_url(args.run_url, env)
    if args.comment:
        history, _ = read_history(config.readiness_dir / "history.jsonl")
        publish_comment(doc, history, config, env, pr=pr_number(args.pr, env), url=url)
    if args.notify:
        slack_alert(doc, env, url=url)
    if args.commit:
        from noxci.publish.commit import commit_readiness

        try:
            commit_readiness(config, env)
        except (NetworkError, ToolError) as exc:
            console.warn(f"{exc}; the gate is unchanged")
    if args.upload:
        try:
            upload(args.upload, doc, env)
        except NetworkError as exc:
            console.warn(f"{exc}; the gate is unchanged")


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
    )
    doc = readiness(config, env, options)
    print_table(doc)
    _publish(args, doc, config, env)
    code = doc.result.gate.exit_code
    (console.info if code == 0 else console.error)(doc.result.message)
    return code
