"""Coverage for the ``tests`` job: the rc it runs with, the minimum, the figures.

The project's own coverage configuration is kept; noxci adds only what
parallel measurement needs (see :func:`coverage_rc`), so the percent equals
the one the project's own serial ``coverage run -m pytest`` gives.
"""

from __future__ import annotations

import configparser
import io
from collections.abc import Sequence
from pathlib import Path

from noxci import safefile
from noxci.errors import ToolError
from noxci.jobs.base import JobContext
from noxci.parsers import ParseError
from noxci.parsers.coverage import CoverageTotals, parse_coverage_json
from noxci.project import coverage_config, detect_packages

__all__ = [
    "DEFAULT_COVERAGE_MIN",
    "below_minimum",
    "coverage_minimum",
    "coverage_rc",
    "measure",
    "static_context",
]

DEFAULT_COVERAGE_MIN = 80.0


def _split(value: str) -> list[str]:
    return [
        part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()
    ]


def coverage_minimum(root: Path, explicit: float | None) -> float:
    """Noxci's explicit minimum, else the project's ``fail_under``, else 80."""
    if explicit is not None:
        return float(explicit)
    project = coverage_config(root).get("report", {}).get("fail_under")
    try:
        return float(project) if project is not None else DEFAULT_COVERAGE_MIN
    except ValueError:
        return DEFAULT_COVERAGE_MIN


def static_context(root: Path) -> str:
    """The project's own static coverage context (``[run] context``), if it sets one."""
    return coverage_config(root).get("run", {}).get("context", "").strip()


def below_minimum(totals: CoverageTotals, minimum: float) -> bool:
    """Coverage's own rule: round to the report precision, and 100 means 100."""
    if minimum >= 100.0:
        return totals.percent < 100.0
    return round(totals.percent, totals.precision) < minimum


def coverage_rc(
    root: Path, *, branch: bool, source: Sequence[str], data_file: Path
) -> str:
    """The project's coverage config plus what parallel measurement needs.

    Everything the project set is kept, except that data goes to a private
    file, runs are parallel (xdist workers write their own data), and the minimum is
    applied by noxci (so that ``coverage json`` cannot fail on it). Only a
    project with no coverage configuration at all gets noxci's defaults,
    ``branch`` and ``source`` (as ``coverage run --branch --source=PKG``).
    """
    sections = {name: dict(values) for name, values in coverage_config(root).items()}
    own = bool(sections)  # the project configures coverage itself
    run = sections.setdefault("run", {})
    if not own:
        run["branch"] = str(branch)
    run["parallel"] = "True"
    run["data_file"] = str(data_file)
    # noxci names the contexts itself (a test's id, noxci_select); coverage's
    # own dynamic contexts would name them otherwise, and the figures do not
    # depend on them.
    run.pop("dynamic_context", None)
    if source or not own:
        # noxci's source only where the project says nothing about coverage
        # (or [tool.noxci.tests] source says so): its figures must equal the
        # ones its own `coverage report` gives.
        run["source"] = "\n" + "\n".join(source or detect_packages(root))
    # noxci's own files (the rc, the xdist worker plugin) live in the data
    # file's directory: a project with no `source` would measure them.
    run["omit"] = "\n" + "\n".join(
        dict.fromkeys([*_split(run.get("omit", "")), str(data_file.parent / "*")])
    )
    # The pytest controller process imports none of the measured code; its
    # empty data file is expected, not worth a warning.
    quiet = ["module-not-imported", "no-data-collected"]
    run["disable_warnings"] = "\n" + "\n".join(
        dict.fromkeys([*_split(run.get("disable_warnings", "")), *quiet])
    )
    sections.setdefault("report", {})["fail_under"] = "0"
    parser = configparser.RawConfigParser()
    for name, values in sections.items():
        parser[name] = values
    buffer = io.StringIO()
    parser.write(buffer)
    return buffer.getvalue()


# Combine, then the JSON and XML reports, in one process of the session's
# Python (three `coverage` commands would load the data three times).
_REPORT = """
import sys
import coverage
from coverage.exceptions import CoverageException

rc, json_out, xml_out = sys.argv[1:4]
cov = coverage.Coverage(config_file=rc)
try:
    cov.combine(strict=True)
    cov.save()
    cov.json_report(outfile=json_out)
    cov.xml_report(outfile=xml_out)
except CoverageException as exc:
    sys.exit(f"{type(exc).__name__}: {exc}")
"""


def measure(ctx: JobContext, rc: Path) -> tuple[CoverageTotals, dict[str, str]]:
    """Combine the data files; write coverage JSON and XML; read the totals."""
    json_out, xml_out = ctx.artifact("coverage.json"), ctx.artifact("coverage.xml")
    done = ctx.tool(["python", "-c", _REPORT, rc, json_out, xml_out], record=False)
    if done.returncode != 0:
        raise ToolError(f"coverage could not combine or report: {done.tail()}")
    totals = parse_coverage_json(
        safefile.read_text(json_out, root=ctx.root, limit=ctx.config.max_file_size)
    )
    if totals.statements == 0:
        raise ParseError(
            "coverage measured no statements: set [tool.coverage.run] source "
            "or [tool.noxci.tests] source to the code under test"
        )
    return totals, {
        "coverage-json": ctx.relative(json_out),
        "coverage-xml": ctx.relative(xml_out),
    }
