"""Where this noxci was installed from, as a requirement a noxfile can name.

``noxci init`` writes a PEP 723 block into the noxfile so that a plain
``nox``, ``uvx nox`` or ``pipx run nox`` installs noxci before importing it.
The requirement is the installed distribution's origin (PEP 610's
``direct_url.json``): the git URL and revision it was asked for, the wheel or
directory it came from, or the exact version from an index.

A requirement is written as the user installed it: nox runs the noxfile in
place when the running environment already satisfies the block, and nox
compares a URL by its path, revision included, so a pinned commit the user
never asked for would make every run build a second environment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from typing import Any

__all__ = ["Origin", "installed_origin", "origin_from", "script_block"]

#: The nox every noxci session needs (nox.needs_version in noxci's noxfile).
NOX_REQUIREMENT = "nox>=2026.10.20"


@dataclass(frozen=True)
class Origin:
    """A requirement for noxci, whether only this machine can install it, its Python."""

    requirement: str
    local: bool = False
    requires_python: str | None = None


def origin_from(
    version: str, direct_url: str | None, requires_python: str | None = None
) -> Origin:
    """The requirement for a noxci of ``version`` with ``direct_url.json`` text."""
    try:
        info: Any = json.loads(direct_url) if direct_url else None
    except ValueError:
        info = None
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str) or not url:
        return Origin(f"noxci=={version}", requires_python=requires_python)
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and isinstance(vcs.get("vcs"), str):
        revision = vcs.get("requested_revision")
        url = f"{vcs['vcs']}+{url}" + (f"@{revision}" if revision else "")
    local = url.split("+")[-1].startswith("file:")
    return Origin(f"noxci @ {url}", local=local, requires_python=requires_python)


def installed_origin() -> Origin:
    """The origin of the noxci that is running."""
    dist = metadata.distribution("noxci")
    meta = dist.metadata
    requires = next(iter(meta.get_all("Requires-Python") or []), None)
    return origin_from(dist.version, dist.read_text("direct_url.json"), requires)


def script_block(origin: Origin) -> str:
    """The PEP 723 block naming nox and ``origin``, for the top of a noxfile."""
    lines = ["# /// script"]
    if origin.requires_python:
        lines.append(f"# requires-python = {json.dumps(origin.requires_python)}")
    deps = ", ".join(json.dumps(d) for d in (NOX_REQUIREMENT, origin.requirement))
    lines += [f"# dependencies = [{deps}]", "# ///"]
    return "\n".join(lines) + "\n"
