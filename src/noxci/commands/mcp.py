"""``noxci mcp``: serve the pipeline to coding agents over MCP (stdio)."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    parser.add_argument(
        "--directory", type=Path, default=None, help="the project (default: here)"
    )


def run(args: argparse.Namespace) -> int:
    """Serve until the client disconnects."""
    from noxci.mcpserver import main

    main(args.directory)
    return 0
