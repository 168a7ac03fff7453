"""Money as integer minor units of one currency: no floats, no silent conversions."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from {{ cookiecutter.package_name }}.domain.errors import CurrencyMismatch, InvalidMoney

MAX_MINOR_UNITS = 2**53 - 1
"""The largest amount, and balance: larger ones are refused, never wrapped or rounded.

2**53 - 1 is the largest integer a JSON number carries exactly to every client: JavaScript
and most JSON-Schema tools read numbers as IEEE 754 doubles, which round larger integers.
It also fits the signed 64-bit columns that store amounts, with room to spare.
"""


class Currency(enum.StrEnum):
    """ISO 4217 codes the ledger accepts. Add a code here to accept it everywhere."""

    EUR = "EUR"
    USD = "USD"
    GBP = "GBP"
    CHF = "CHF"
    JPY = "JPY"


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency, in its minor unit (cents for EUR, yen for JPY)."""

    minor_units: int
    currency: Currency

    def __post_init__(self) -> None:
        if isinstance(self.minor_units, bool) or not isinstance(self.minor_units, int):
            raise InvalidMoney("amounts are whole numbers of minor units")
        if not -MAX_MINOR_UNITS <= self.minor_units <= MAX_MINOR_UNITS:
            raise InvalidMoney(f"amount exceeds {MAX_MINOR_UNITS} minor units")

    @classmethod
    def zero(cls, currency: Currency) -> Money:
        return cls(0, currency)

    def __add__(self, other: Money) -> Money:
        return Money(self.minor_units + self._same_currency(other).minor_units, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.minor_units - self._same_currency(other).minor_units, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.minor_units < self._same_currency(other).minor_units

    def __le__(self, other: Money) -> bool:
        return self.minor_units <= self._same_currency(other).minor_units

    @property
    def is_positive(self) -> bool:
        return self.minor_units > 0

    def _same_currency(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")
        return other
