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

    def test_refuses_amounts_a_json_number_cannot_carry_exactly(self) -> None:
        """Past 2**53 - 1, JavaScript clients would read a rounded amount."""
        assert int(float(MAX_MINOR_UNITS)) == MAX_MINOR_UNITS  # a double carries it exactly
        assert int(float(MAX_MINOR_UNITS + 2)) != MAX_MINOR_UNITS + 2  # not so just past it

        with pytest.raises(InvalidMoney):
            Money(MAX_MINOR_UNITS, Currency.EUR) + Money(1, Currency.EUR)
        with pytest.raises(InvalidMoney):
            Money(-MAX_MINOR_UNITS - 1, Currency.EUR)
