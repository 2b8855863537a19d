"""Tests of mini.core."""

import pytest

from mini import count_words, top_words


def test_counts_ignore_case_and_punctuation() -> None:
    """Words differ only in case or punctuation count as one."""
    assert count_words("The cat. the CAT, a cat!") == {"the": 2, "cat": 3, "a": 1}


@pytest.mark.slow
def test_top_words() -> None:
    """The most frequent words come first."""
    assert top_words("b a b c b a", 2) == ["b", "a"]


def test_negative_n_is_refused() -> None:
    """A negative count is an error."""
    with pytest.raises(ValueError, match="negative"):
        top_words("a", -1)
