"""``noxci serve``: run the readiness service; ``--add-project NAME`` makes a token.

The database comes from ``--database-url``, else ``$DATABASE_URL``, else a
SQLite file ``noxci-serve.db`` in the current directory. The schema is
created or upgraded on start.
"""

from __future__ import annotations

import argparse
import os
import sys

from noxci import console

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=8000, help="0 picks a free port (printed on start)"
    )
    parser.add_argument(
        "--database-url",
        help="SQLAlchemy URL (default: $DATABASE_URL or sqlite:///noxci-serve.db)",
    )
    parser.add_argument(
        "--add-project",
        metavar="NAME",
        help="create a project, print its upload token, exit",
    )


def run(args: argparse.Namespace) -> int:
    """Serve, or add a project."""
    from noxci.httpserve import bind, run_foreground
    from noxci.serve.app import serve_app
    from noxci.serve.store import Store, redact_url, register_url_secrets

    url = (
        args.database_url
        or os.environ.get("DATABASE_URL")
        or "sqlite:///noxci-serve.db"
    )
    register_url_secrets(url)
    store = Store(url)
    store.migrate()
    if args.add_project:
        token = store.add_project(args.add_project)
        # The token goes to stdout only, once: it is stored hashed.
        sys.stdout.write(f"{token}\n")
        console.info(
            f"project {args.add_project!r} created; keep its token: it cannot be shown again"
        )
        return 0
    sock = bind(args.host, args.port)
    port = sock.getsockname()[1]
    sys.stdout.write(
        f"noxci serve: http://{args.host}:{port} (database {redact_url(url)})\n"
    )
    sys.stdout.flush()
    run_foreground(serve_app(store), sock)
    return 0
