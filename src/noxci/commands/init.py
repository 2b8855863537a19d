"""``noxci init``: adopt noxci in a project: a two-line noxfile, and what to add.

It never overwrites: an existing noxfile.py is left alone and the lines to add
are printed instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from noxci import console, fsutil
from noxci.config import find_root, load_config
from noxci.workflowgen.steps import GENERATED

__all__ = ["NOXFILE", "add_arguments", "run"]

NOXFILE = '''"""This project's CI as nox sessions, run by noxci: `nox -l` lists them."""

import noxci.sessions

noxci.sessions.register()
'''


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    parser.add_argument(
        "--directory", type=Path, default=None, help="the project (default: here)"
    )
    parser.add_argument(
        "--github",
        action="store_true",
        help="also write the GitHub workflows for the project's jobs (re-run it after changing the jobs)",
    )


def _write_generated(path: Path, text: str) -> None:
    """Write a generated file; never replace one a person wrote."""
    if path.exists():
        current = path.read_text(encoding="utf-8")
        if current == text:
            console.info(f"{path} is up to date")
            return
        if not current.startswith(GENERATED):
            console.warn(
                f"{path} was not written by noxci; left alone (delete it to generate it)"
            )
            return
    fsutil.atomic_write_text(path, text)
    console.info(f"wrote {path}")


def run(args: argparse.Namespace) -> int:
    """Write noxfile.py if there is none; check the configuration."""
    root = find_root(args.directory or Path.cwd())
    config = load_config(root)  # a bad [tool.noxci] fails here, in one line
    noxfile = root / "noxfile.py"
    if noxfile.exists():
        console.warn(f"{noxfile} exists; to use noxci's sessions, add to it:")
        sys.stdout.write("\nimport noxci.sessions\n\nnoxci.sessions.register()\n")
    else:
        fsutil.atomic_write_text(noxfile, NOXFILE)
        console.info(f"wrote {noxfile}")
    if args.github:
        from noxci.workflowgen import workflows

        for name, text in workflows(config).items():
            _write_generated(root / ".github" / "workflows" / name, text)
    lock = (
        ""
        if (root / "uv.lock").exists()
        else " (no uv.lock: sessions install unpinned, and say so; `uv lock` pins them)"
    )
    console.info(
        f"next: `nox -l` to see the sessions, `nox -s preflight` to run them{lock}"
    )
    return 0
