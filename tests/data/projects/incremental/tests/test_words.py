import subprocess
import sys

from sample.words import count, shout


def test_count() -> None:
    assert count("a b c") == 3


def test_shout_in_a_subprocess() -> None:
    # Measured through coverage's subprocess patch: its data belongs to this test.
    done = subprocess.run(
        [sys.executable, "-c", "from sample.words import shout; print(shout('hi'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "HI"
    assert shout("x") == "X"
