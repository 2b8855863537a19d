"""``noxci report validate PATH...`` and ``noxci report schema``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from noxci import console
from noxci.errors import ReportError
from noxci.report import read_report
from noxci.schema import load_schema

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    validate = actions.add_parser("validate", help="check reports against the schema")
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    actions.add_parser("schema", help="print the report JSON Schema")


def run(args: argparse.Namespace) -> int:
    """Validate each report (all are checked; the first failure decides the code)."""
    if args.action == "schema":
        sys.stdout.write(json.dumps(load_schema("report"), indent=2) + "\n")
        return 0
    if len(args.paths) == 1:  # one report: its problem is the one error line
        report = read_report(args.paths[0])
        console.info(
            f"{args.paths[0]}: valid ({report.session}: {report.status.value})"
        )
        return 0
    failures = 0
    for path in args.paths:
        try:
            report = read_report(path)
        except ReportError as exc:
            console.error(str(exc))
            failures += 1
            continue
        console.info(f"{path}: valid ({report.session}: {report.status.value})")
    if failures:
        raise ReportError(f"{failures} of {len(args.paths)} report(s) invalid")
    return 0
