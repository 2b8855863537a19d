"""``noxci ide``: write VS Code tasks and PyCharm run configurations, one per session."""

from __future__ import annotations

import argparse
from pathlib import Path

from noxci import console
from noxci.config import find_root

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments (none)."""


def run(args: argparse.Namespace) -> int:
    """Write the files from ``nox -l --json``."""
    from noxci.ide import write_ide_files
    from noxci.noxlist import list_sessions

    root = find_root(Path.cwd())
    written = write_ide_files(root, list_sessions(root))
    console.info(f"wrote {len(written)} IDE files (.vscode/tasks.json, .run/)")
    return 0
