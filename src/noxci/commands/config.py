"""``noxci config show`` and ``noxci config reference``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from noxci.config import find_root, load_config
from noxci.docgen import config_reference

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("check", help="validate [tool.noxci] of the project here")
    actions.add_parser("reference", help="print the configuration reference (Markdown)")


def run(args: argparse.Namespace) -> int:
    """Check the project's configuration, or print the reference."""
    if args.action == "reference":
        sys.stdout.write(config_reference())
        return 0
    config = load_config(find_root(Path.cwd()))
    sys.stdout.write(
        json.dumps({"root": str(config.root), "python": list(config.python)}) + "\n"
    )
    return 0
