"""Words: counting and shouting."""

from __future__ import annotations


def count(text: str) -> int:
    """How many words ``text`` has."""
    return len(text.split())


def shout(text: str) -> str:
    """``text`` in capitals."""
    return text.upper()
