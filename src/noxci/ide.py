"""IDE run configurations from the noxfile: VS Code tasks and PyCharm.

One per session, generated from ``nox -l --json``. They start nox as the
workflows do (:func:`noxci.workflowgen.steps.runner_for`): through ``uv run
--locked`` where uv.lock locks nox and noxci, else the ``nox`` on PATH, so
they work without a uv.lock and never create a virtualenv of their own.
VS Code's problem matchers turn the findings noxci prints (``path:line:col
rule message``) and mypy's own lines into entries of the Problems panel.

The output is deterministic, so generating twice changes nothing; the files
are committed (a fresh clone has them), and a test fails when they drift.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from noxci import fsutil
from noxci.noxlist import NoxSession

__all__ = ["nox_command", "pycharm_configuration", "vscode_tasks", "write_ide_files"]

# What noxci prints for each finding, as the jobs' terminal output does.
FINDING = r"^(?:noxci > )?(.+?):(\d+):(\d+):? ([A-Za-z][\w.-]*) (.*)$"
MYPY = r"^(.+?):(\d+):(?:(\d+):)? (error|note): (.*?)(?:  \[([\w-]+)\])?$"


def nox_command(root: Path) -> tuple[list[str], dict[str, str]]:
    """The command that starts nox in this project, and the environment it needs."""
    from noxci.workflowgen.steps import runner_for

    runner = runner_for(root)
    if runner.nox.startswith("uv run"):
        return ["uv", "run", "--locked", "nox"], dict(runner.env)
    return ["nox"], {}


def _matchers(session: str) -> list[dict[str, Any]]:
    finding = {
        "owner": "noxci",
        "source": "noxci",
        "fileLocation": ["relative", "${workspaceFolder}"],
        "pattern": {
            "regexp": FINDING,
            "file": 1,
            "line": 2,
            "column": 3,
            "code": 4,
            "message": 5,
        },
    }
    if session != "typecheck":
        return [finding]
    mypy = {
        "owner": "mypy",
        "source": "mypy",
        "fileLocation": ["relative", "${workspaceFolder}"],
        "pattern": {
            "regexp": MYPY,
            "file": 1,
            "line": 2,
            "column": 3,
            "severity": 4,
            "message": 5,
            "code": 6,
        },
    }
    return [finding, mypy]


def vscode_tasks(sessions: Sequence[NoxSession], root: Path) -> str:
    """``.vscode/tasks.json``."""
    command, env = nox_command(root)
    tasks = [
        {
            "label": f"nox: {s.name}",
            "detail": s.description,
            "type": "process",
            "command": command[0],
            "args": [*command[1:], "-s", s.name],
            **({"options": {"env": env}} if env else {}),
            "group": "test" if s.name in {"tests", "preflight"} else "build",
            "problemMatcher": _matchers(s.name),
        }
        for s in sessions
    ]
    return json.dumps({"version": "2.0.0", "tasks": tasks}, indent=2) + "\n"


def pycharm_configuration(session: NoxSession, root: Path) -> str:
    """``.run/nox_<session>.run.xml``: a shell run configuration calling nox."""
    command, env = nox_command(root)
    script = shlex.join([*command, "-s", session.name])
    name = quoteattr(f"nox: {session.name}")
    envs = "".join(
        f"\n      <env name={quoteattr(k)} value={quoteattr(v)} />"
        for k, v in env.items()
    )
    return f"""<component name="ProjectRunConfigurationManager">
  <configuration default="false" name={name} type="ShConfigurationType">
    <option name="SCRIPT_TEXT" value={quoteattr(script)} />
    <option name="INDEPENDENT_SCRIPT_PATH" value="true" />
    <option name="SCRIPT_PATH" value="" />
    <option name="SCRIPT_OPTIONS" value="" />
    <option name="INDEPENDENT_SCRIPT_WORKING_DIRECTORY" value="true" />
    <option name="SCRIPT_WORKING_DIRECTORY" value="$PROJECT_DIR$" />
    <option name="INDEPENDENT_INTERPRETER_PATH" value="true" />
    <option name="INTERPRETER_PATH" value="/bin/sh" />
    <option name="INTERPRETER_OPTIONS" value="" />
    <option name="EXECUTE_IN_TERMINAL" value="true" />
    <option name="EXECUTE_SCRIPT_FILE" value="false" />
    <envs>{envs}
    </envs>
    <method v="2" />
  </configuration>
</component>
"""


def write_ide_files(root: Path, sessions: Sequence[NoxSession]) -> list[Path]:
    """Write every file; remove run configurations of sessions that are gone."""
    written = [root / ".vscode" / "tasks.json"]
    fsutil.atomic_write_text(written[0], vscode_tasks(sessions, root))
    run_dir = root / ".run"
    wanted = {f"nox_{s.name}.run.xml": s for s in sessions}
    for stale in run_dir.glob("nox_*.run.xml") if run_dir.is_dir() else []:
        if stale.name not in wanted:
            stale.unlink()
    for filename, session in wanted.items():
        path = run_dir / filename
        text = pycharm_configuration(session, root)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            fsutil.atomic_write_text(path, text)
        written.append(path)
    return written
