"""The noxfile's sessions, as nox itself lists them (``nox -l --json``).

``nox -l --json`` lists only the selected sessions, and a noxfile that sets
``nox.options.sessions`` selects few; a keyword that matches every session
selects them all.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from noxci import proc
from noxci.errors import ToolError

__all__ = ["NoxSession", "in_place", "list_sessions"]

_EVERY_SESSION = "not __noxci_matches_nothing__"


@dataclass(frozen=True, kw_only=True)
class NoxSession:
    """One session of the noxfile."""

    name: str
    description: str
    tags: tuple[str, ...]
    python: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "name": self.name,
            "description": self.description,
            "tags": list(self.tags),
            "python": self.python,
        }


def in_place(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` for a nox that noxci starts with its own interpreter.

    That interpreter has noxci: nox must not build the environment a
    noxfile's PEP 723 block asks for (it would install noxci a second time,
    and on every run, since a URL requirement never matches an installed
    distribution).
    """
    import os

    return {**(os.environ if env is None else env), "NOX_SCRIPT_MODE": "none"}


def list_sessions(root: Path, noxfile: str = "noxfile.py") -> list[NoxSession]:
    """Every session of ``root/noxfile``, in the noxfile's order."""
    done = proc.run(
        [
            sys.executable,
            "-m",
            "nox",
            "-f",
            noxfile,
            "-l",
            "--json",
            "-k",
            _EVERY_SESSION,
        ],
        cwd=root,
        timeout=120,
        echo=False,
        env=in_place(),
    )
    if done.returncode != 0:
        raise ToolError(f"nox -l failed: {done.tail()}")
    try:
        items = json.loads(done.stdout)
        return [
            NoxSession(
                name=item["session"],
                description=(item.get("description") or "").strip(),
                tags=tuple(item.get("tags") or ()),
                python=item["python"] if isinstance(item.get("python"), str) else None,
            )
            for item in items
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise ToolError(
            f"nox -l --json printed something unexpected ({exc!r})"
        ) from None
