"""``noxci osv-serve DIR``: an offline OSV-compatible vulnerability service."""

from __future__ import annotations

import argparse
from pathlib import Path

from noxci import console

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    parser.add_argument(
        "directory", type=Path, help="a directory of OSV YAML/JSON advisories"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    from noxci.httpserve import bind, run_foreground
    from noxci.osv.server import osv_app
    from noxci.osv.store import AdvisoryStore

    store = AdvisoryStore(args.directory)
    sock = bind(args.host, args.port)
    port = sock.getsockname()[1]
    console.info(
        f"serving {len(store)} advisories from {args.directory} at http://{args.host}:{port}/v1/query"
    )
    run_foreground(osv_app(store), sock)
    return 0
