"""Entries and the balances they add up to."""

from collections.abc import Iterable
from dataclasses import dataclass

type Account = str


@dataclass(frozen=True)
class Entry:
    """An amount, in cents, booked to an account."""

    account: Account
    cents: int


def balances(entries: Iterable[Entry]) -> dict[Account, int]:
    """Each account's balance; an account whose entries cancel out is left out."""
    totals: dict[Account, int] = {}
    for entry in entries:
        totals[entry.account] = totals.get(entry.account, 0) + entry.cents
    return {account: cents for account, cents in totals.items() if cents != 0}
