"""``noxci lock``: refresh uv.lock and requirements.txt, or (``--check``, or under CI) check them."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from noxci.config import find_root

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    parser.add_argument(
        "--check",
        action="store_true",
        help="fail if either file drifted, change nothing (the default under CI)",
    )


def run(args: argparse.Namespace) -> int:
    """Refresh, or check."""
    from noxci.lockfiles import check_locks, refresh_locks

    root = find_root(Path.cwd())
    if args.check or os.environ.get("CI"):
        check_locks(root)
    else:
        refresh_locks(root)
    return 0
