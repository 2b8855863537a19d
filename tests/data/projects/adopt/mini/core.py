"""Count the words of a text."""

from collections import Counter


def count_words(text: str) -> Counter[str]:
    """How often each lower-cased word occurs in ``text``."""
    return Counter(word.strip(".,;:!?").lower() for word in text.split())


def top_words(text: str, n: int) -> list[str]:
    """The ``n`` most frequent words, most frequent first."""
    if n < 0:
        raise ValueError("n must not be negative")
    return [word for word, _ in count_words(text).most_common(n)]
