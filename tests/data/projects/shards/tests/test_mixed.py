"""Outcomes of every kind, so that a split suite must add them up right."""

import os
import tempfile
from pathlib import Path

import pytest
from sample.words import count


def test_fails() -> None:
    assert count("a b") == 3  # wrong on purpose: a real failure


@pytest.mark.skip(reason="not today")
def test_skipped() -> None:
    raise AssertionError


@pytest.mark.xfail(reason="known", strict=True)
def test_expected_to_fail() -> None:
    assert count("") == 1


def test_flaky() -> None:
    # Fails in a session's first run, passes when noxci re-runs it: the
    # first pass and the re-runs have the same parent (the session's Python).
    marker = Path(tempfile.gettempdir()) / f"noxci-flaky-{os.getppid()}"
    if not marker.exists():
        marker.write_text("seen")
        raise AssertionError("first try")
    assert count("x") == 1
