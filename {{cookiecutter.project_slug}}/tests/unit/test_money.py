import pytest

from {{ cookiecutter.package_name }}.domain.errors import CurrencyMismatch, InvalidMoney
from {{ cookiecutter.package_name }}.domain.money import MAX_MINOR_UNITS, Currency, Money


class TestMoney:
    def test_adds_and_subtracts_within_one_currency(self) -> None:
        total = Money(150, Currency.EUR) + Money(50, Currency.EUR) - Money(25, Currency.EUR)

        assert total == Money(175, Currency.EUR)

    def test_refuses_to_mix_currencies(self) -> None:
        with pytest.raises(CurrencyMismatch):
            Money(1, Currency.EUR) + Money(1, Currency.USD)

    @pytest.mark.parametrize("amount", [1.5, "10", True])
    def test_accepts_only_whole_minor_units(self, amount: object) -> None:
        with pytest.raises(InvalidMoney):
            Money(amount, Currency.EUR)  # type: ignore[arg-type]

    def test_refuses_amounts_a_64_bit_column_cannot_hold(self) -> None:
        with pytest.raises(InvalidMoney):
            Money(MAX_MINOR_UNITS, Currency.EUR) + Money(1, Currency.EUR)
