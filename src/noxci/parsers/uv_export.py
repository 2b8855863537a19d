"""``uv export --format requirements-txt``: every locked pin, markers taken off.

pip-audit skips a requirement whose environment marker does not match the
interpreter it runs on, silently: the pins a lock holds only for Python
3.10 or only for Windows were never audited, and "0 unaudited" was false.
So each pin's marker is removed and the pins are split into as many files
as needed for each name to appear once per file (a lock that forks holds
``numpy==1.26`` for one Python and ``numpy==2.3`` for another).
"""

from __future__ import annotations

from dataclasses import dataclass

from noxci.venvs import requirement_name

__all__ = ["Pins", "split_pins"]


@dataclass(frozen=True, kw_only=True)
class Pins:
    """The exported pins, as requirements files, and how many had a marker."""

    files: tuple[str, ...]
    count: int
    with_markers: int


def _entries(text: str) -> list[list[str]]:
    """Each requirement with its continuation lines (hashes), comments dropped."""
    entries: list[list[str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[:1].isspace() and entries:
            entries[-1].append(line)
        else:
            entries.append([line])
    return entries


def split_pins(text: str) -> Pins:
    """Split exported requirements into files with no markers and no repeated name."""
    rounds: list[list[str]] = []
    seen: dict[str, int] = {}
    count = with_markers = 0
    options: list[str] = []
    for entry in _entries(text):
        first = entry[0]
        if first.lstrip().startswith("-"):
            options.append("\n".join(entry))  # --index-url, -e ./member: kept as is
            continue
        requirement, semicolon, _ = first.partition(";")
        count += 1
        with_markers += bool(semicolon)
        name = requirement_name(requirement)
        index = seen.get(name, 0)
        seen[name] = index + 1
        head = requirement.rstrip()
        if first.rstrip().endswith("\\") and not head.endswith("\\"):
            head += " \\"
        while len(rounds) <= index:
            rounds.append([])
        rounds[index].append("\n".join([head, *entry[1:]]))
    files = [
        "\n".join([*(options if i == 0 else []), *items]) + "\n"
        for i, items in enumerate(rounds)
    ]
    return Pins(files=tuple(files), count=count, with_markers=with_markers)
