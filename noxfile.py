"""noxci's own CI, run by noxci: `nox -l` lists the sessions, `nox -s preflight` runs CI.

The sessions come from noxci's job registry, as in any project that adopts
noxci; pyproject.toml's [tool.noxci] holds what differs here (the coverage
minimum, the MCP server to dry-run, the smoke checks).
"""

from __future__ import annotations

import nox

import noxci.sessions

nox.needs_version = ">=2026.10.20"
noxci.sessions.register()
