"""IDE run configurations from the noxfile: VS Code tasks and PyCharm.

One per session, generated from ``nox -l --json``.

The output is deterministic, so generating twice changes nothing; the files
are committed (a fresh clone has them), and a test fails when they drift
from the noxfile.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

from noxci import fsutil
from noxci.noxlist import NoxSession

__all__ = ["pycharm_configuration", "vscode_tasks", "write_ide_files"]

COMMAND = ["uv", "run", "--locked", "nox", "-s"]


def vscode_tasks(sessions: Sequence[NoxSession]) -> str:
    """``.vscode/tasks.json``."""
    tasks = [
        {
            "label": f"nox: {s.name}",
            "detail": s.description,
            "type": "process",
            "command": COMMAND[0],
            "args": [*COMMAND[1:], s.name],
            "group": "test" if s.name in {"tests", "preflight"} else "build",
            "problemMatcher": [],
        }
        for s in sessions
    ]
    return json.dumps({"version": "2.0.0", "tasks": tasks}, indent=2) + "\n"


def pycharm_configuration(session: NoxSession) -> str:
    """``.run/nox_<session>.run.xml``: ``python -m nox -s <session>`` in the project venv."""
    name = quoteattr(f"nox: {session.name}")
    return f"""<component name="ProjectRunConfigurationManager">
  <configuration default="false" name={name} type="PythonConfigurationType" factoryName="Python">
    <option name="SDK_HOME" value="$PROJECT_DIR$/.venv/bin/python" />
    <option name="WORKING_DIRECTORY" value="$PROJECT_DIR$" />
    <option name="IS_MODULE_SDK" value="false" />
    <option name="PARENT_ENVS" value="true" />
    <option name="MODULE_MODE" value="true" />
    <option name="SCRIPT_NAME" value="nox" />
    <option name="PARAMETERS" value={quoteattr(f"-s {session.name}")} />
    <method v="2" />
  </configuration>
</component>
"""


def write_ide_files(root: Path, sessions: Sequence[NoxSession]) -> list[Path]:
    """Write every file; remove run configurations of sessions that are gone."""
    written = [root / ".vscode" / "tasks.json"]
    fsutil.atomic_write_text(written[0], vscode_tasks(sessions))
    run_dir = root / ".run"
    wanted = {f"nox_{s.name}.run.xml": s for s in sessions}
    for stale in run_dir.glob("nox_*.run.xml") if run_dir.is_dir() else []:
        if stale.name not in wanted:
            stale.unlink()
    for filename, session in wanted.items():
        path = run_dir / filename
        text = pycharm_configuration(session)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            fsutil.atomic_write_text(path, text)
        written.append(path)
    return written
