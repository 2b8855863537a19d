"""``noxci config check``, ``noxci config reference`` and ``noxci config schema``."""

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
    actions.add_parser("schema", help="print the [tool.noxci] JSON Schema")


def run(args: argparse.Namespace) -> int:
    """Check the project's configuration, or print the reference."""
    if args.action == "reference":
        sys.stdout.write(config_reference())
        return 0
    if args.action == "schema":
        from noxci.configschema import config_schema

        sys.stdout.write(json.dumps(config_schema(), indent=2) + "\n")
        return 0
    from noxci.config import user_table
    from noxci.registry import registered_jobs

    config = load_config(find_root(Path.cwd()))
    jobs = [spec.name for spec in registered_jobs(config.root, user_table(config.root))]
    summary = {"root": str(config.root), "python": list(config.python), "jobs": jobs}
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0
