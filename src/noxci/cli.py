"""The ``noxci`` command line: a dispatcher over ``noxci.commands``.

``main()`` is the only place errors become exit codes: a
:class:`~noxci.errors.NoxciError` prints one line and exits with its code,
a bad command line exits 4 (a configuration error), Ctrl-C exits 130, and
anything else is a bug (exit 3, with the traceback). The codes are listed
in docs/troubleshooting.md.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from noxci import __version__, console
from noxci.errors import ExitCode, NoxciError

__all__ = ["main"]

# subcommand -> (module in noxci.commands, one-line help)
COMMANDS = {
    "init": ("init", "adopt noxci: write a two-line noxfile"),
    "report": ("report", "validate session reports or print their schema"),
    "config": ("config", "check [tool.noxci] or print the configuration reference"),
    "readiness": ("readiness", "score the reports and apply the readiness gate"),
    "comment": ("comment", "post the sticky PR comment from a readiness.json"),
    "lock": ("lock", "refresh uv.lock and requirements.txt, or check them"),
    "ide": ("ide", "write VS Code tasks and PyCharm run configurations"),
    "serve": ("serve", "run the readiness service (SQLite or PostgreSQL)"),
    "mcp": ("mcp", "serve the pipeline to coding agents over MCP (stdio)"),
    "osv-serve": (
        "osv_serve",
        "serve OSV advisories from a directory (offline vulnerability source)",
    ),
}


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is a configuration error (exit 4), not 2.

    2 is the readiness gate's "incomplete data".
    """

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        console.error(f"{self.prog}: {message}")
        raise SystemExit(ExitCode.CONFIG)


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; ``only`` builds just that subcommand (not importing the rest)."""
    parser = _Parser(
        prog="noxci", description="A Python project's CI pipeline as nox sessions."
    )
    parser.add_argument("--version", action="version", version=f"noxci {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    for name, (module, help_text) in COMMANDS.items():
        if only is not None and name != only:
            continue
        command = importlib.import_module(f"noxci.commands.{module}")
        command.add_arguments(
            sub.add_parser(name, help=help_text, description=help_text)
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the subcommand; return the exit code."""
    first = list(argv or sys.argv[1:])[:1]
    # A known subcommand first (preflight's gate, `noxci readiness`): only its
    # parser is built, so the other commands' modules are not imported.
    only = first[0] if first and first[0] in COMMANDS else None
    args = _parser(only).parse_args(argv)
    console.quiet_libraries()
    console.register_env_secrets(os.environ)
    module = importlib.import_module(f"noxci.commands.{COMMANDS[args.command][0]}")
    try:
        code: int = module.run(args)
    except NoxciError as exc:
        console.error(str(exc))
        return exc.return_code
    except KeyboardInterrupt:
        console.error("interrupted")
        return ExitCode.INTERRUPTED
    except OSError as exc:
        # A path the user gave or a directory noxci writes to (readiness/,
        # reports/, $GITHUB_STEP_SUMMARY) is missing or read-only: not a bug.
        where = f" {exc.filename}" if exc.filename else ""
        console.error(
            f"cannot use{where}: {exc.strerror or exc}; check that it exists and is writable"
        )
        return ExitCode.INPUT
    except Exception:
        console.error(
            "noxci crashed; this is a bug, please report it with the traceback below"
        )
        traceback.print_exc(file=sys.stderr)
        return ExitCode.BUG
    return code
