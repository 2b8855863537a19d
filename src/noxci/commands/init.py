"""``noxci init``: adopt noxci in a project: a two-line noxfile, and what to add.

It never overwrites: an existing noxfile.py is left alone and the lines to add
are printed instead (the import beside the noxfile's imports, the call after
its sessions: appended at the end, the import would be E402).

The file it writes passes the project's own checks: a module docstring
(pydocstyle), the import block laid out as the project's isort settings say
(``lines-after-imports``, ``required-imports``: ruff's I001/I002), one
statement that black and ruff format leave alone. mypy resolves the import
where noxci is installed (noxci ships py.typed; the typecheck session shows
it to mypy).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from noxci import console, fsutil
from noxci.config import Config, find_root, load_config
from noxci.origin import Origin, installed_origin, script_block
from noxci.workflowgen.steps import GENERATED

__all__ = ["NOXFILE", "add_arguments", "noxfile_text", "run"]

DOCSTRING = '"""CI sessions for nox, registered by noxci: `nox -l` lists them."""'
NOXFILE = f"{DOCSTRING}\n\nimport noxci.sessions\n\nnoxci.sessions.register()\n"


def _isort_settings(root: Path) -> dict[str, Any]:
    """The project's isort settings: ruff's (pyproject, ruff.toml), else isort's own."""
    import tomllib

    from noxci.project import tool_table

    ruff: Any = dict(tool_table(root, "ruff"))
    for name in ("ruff.toml", ".ruff.toml"):
        path = root / name
        if not ruff and path.is_file():
            try:
                ruff = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                ruff = {}
    lint = ruff.get("lint", {}) if isinstance(ruff.get("lint"), dict) else {}
    found = lint.get("isort") or ruff.get("isort")
    if isinstance(found, dict):
        return found
    isort = tool_table(root, "isort")
    return {key.replace("_", "-"): value for key, value in isort.items()}


def noxfile_text(root: Path, origin: Origin | None = None) -> str:
    """The noxfile noxci writes, laid out as the project's import settings want.

    A PEP 723 block names nox and this noxci's origin, so that a plain
    ``nox``, ``uvx nox`` or ``pipx run nox`` installs noxci before the import.
    """
    settings = _isort_settings(root)
    after = settings.get("lines-after-imports", -1)
    # -1 (the default) means one blank line before a statement.
    blank = "\n" * (after if isinstance(after, int) and after > 0 else 1)
    required = [
        line
        for line in settings.get("required-imports", [])
        if isinstance(line, str) and line.startswith("from __future__ ")
    ]
    future = "".join(f"{line}\n" for line in sorted(required))
    block = (future + "\n" if future else "") + "import noxci.sessions\n"
    script = script_block(origin or installed_origin())
    return f"{script}{DOCSTRING}\n\n{block}{blank}noxci.sessions.register()\n"


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


def _say_where_reports_go(config: Config) -> None:
    """Where noxci writes, when setuptools discovers this flat layout's packages.

    It takes every top-level directory whose name does not start with a dot
    or an underscore for a package; unset, noxci's directories are moved out
    of its way (:mod:`noxci.config`), and set, they may be in it.
    """
    from noxci.layout import setuptools_packages

    dirs = [
        path.relative_to(config.root).as_posix()
        for path in (config.reports_dir, config.readiness_dir)
    ]
    if not setuptools_packages(config.root, ignore=dirs):
        return
    seen = [d for d in dirs if "/" not in d and not d.startswith((".", "_"))]
    if seen:
        console.warn(
            "setuptools finds this flat layout's packages by itself and would take "
            f"{' and '.join(d + '/' for d in seen)} for packages: set reports-dir and "
            "readiness-dir in [tool.noxci] to names that start with a dot"
        )
    else:
        console.info(
            "setuptools finds this flat layout's packages by itself: noxci writes to "
            f"{' and '.join(d + '/' for d in dirs)}, which it skips"
        )


def run(args: argparse.Namespace) -> int:
    """Write noxfile.py if there is none; check the configuration."""
    root = find_root(args.directory or Path.cwd())
    config = load_config(root)  # a bad [tool.noxci] fails here, in one line
    noxfile = root / "noxfile.py"
    if noxfile.exists() and "noxci.sessions.register(" in noxfile.read_text(
        encoding="utf-8", errors="replace"
    ):
        console.info(f"{noxfile} already registers noxci's sessions")
    elif noxfile.exists():
        console.warn(
            f"{noxfile} exists; to use noxci's sessions, add the import beside its "
            "imports and the call after its own sessions (a session noxci also "
            "registers is an error that says how to rename it):"
        )
        sys.stdout.write("\nimport noxci.sessions\n\nnoxci.sessions.register()\n")
        console.warn(
            "and, at its top, this block, so that a plain `nox` or `uvx nox` "
            "installs noxci:"
        )
        sys.stdout.write("\n" + script_block(installed_origin()))
    else:
        fsutil.atomic_write_text(noxfile, noxfile_text(root))
        console.info(f"wrote {noxfile}")
    origin = installed_origin()
    if origin.local:
        console.warn(
            f"the noxfile names this machine's noxci ({origin.requirement}), which CI "
            "cannot install: in its `# /// script` block, name a git URL or a version"
        )
    if args.github:
        from noxci.workflowgen import workflows

        for name, text in workflows(config).items():
            _write_generated(root / ".github" / "workflows" / name, text)
    _say_where_reports_go(config)
    lock = (
        ""
        if (root / "uv.lock").exists()
        else " (no uv.lock: sessions install unpinned, and say so; `uv lock` pins them)"
    )
    console.info(
        f"next: `nox -l` to see the sessions, `nox -s preflight` to run them{lock}"
    )
    return 0
