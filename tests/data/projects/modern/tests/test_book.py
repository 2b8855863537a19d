"""Tests of ledger.book."""

from ledger import Entry, balances


def test_entries_add_up_per_account() -> None:
    """Two entries to one account add up."""
    book = [Entry("cash", 500), Entry("bank", 120), Entry("cash", -200)]
    assert balances(book) == {"cash": 300, "bank": 120}


def test_an_account_that_cancels_out_is_left_out() -> None:
    """A zero balance is not listed."""
    assert balances([Entry("cash", 5), Entry("cash", -5)]) == {}


def test_no_entries_no_balances() -> None:
    """An empty book has no balances."""
    assert balances([]) == {}
