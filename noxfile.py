# /// script
# requires-python = ">=3.11"
# dependencies = ["nox>=2026.10.20", "noxci @ file:."]
# ///
"""noxci's own CI, run by noxci: `nox -l` lists the sessions, `nox -s preflight` runs CI.

The sessions come from noxci's job registry, as in any project that adopts
noxci; pyproject.toml's [tool.noxci] holds what differs here (the coverage
minimum, the MCP server to dry-run, the smoke checks). The script block
above lets a plain `nox`, `uvx nox` or `pipx run nox` install noxci from this
checkout; inside the locked environment (`uv run --locked nox`), which has
noxci already, NOX_SCRIPT_MODE=none skips that step.
"""

from __future__ import annotations

import nox

import noxci.sessions

nox.needs_version = ">=2026.10.20"
noxci.sessions.register()
