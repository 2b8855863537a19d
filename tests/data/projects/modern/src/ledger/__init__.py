"""Sums of amounts per account."""

from ledger.book import Entry, balances

__all__ = ["Entry", "balances"]
