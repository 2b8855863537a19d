"""Word counting, for a test of noxci's adoption guide."""

from mini.core import count_words, top_words

__all__ = ["count_words", "top_words"]
