"""``noxci readiness``: score the reports, apply the gate, write the dashboard.

Exit codes: 0 gate passed, 1 below the threshold, 2 incomplete data.
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
    parser.add_argument(
        "--preflight",
        action="store_true",
        help="score a local preflight run (it counts in the local CI history)",
    )
    parser.add_argument(
        "--no-write",
        dest="write",
        action="store_false",
        help="print the result without writing readiness/",
    )


def run(args: argparse.Namespace) -> int:
    """Score, print the table, write the outputs; return the gate's exit code."""
    env = dict(os.environ)
    config = load_config(find_root(Path.cwd()))
    context = "preflight" if args.preflight else ("ci" if env.get("CI") else "local")
    doc = readiness(config, env, Options(context=context, write=args.write))
    print_table(doc)
    code = doc.result.gate.exit_code
    (console.info if code == 0 else console.error)(doc.result.message)
    return code
