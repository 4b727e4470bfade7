"""Money as every page shows it: one function, `money.display` (pure)."""

from __future__ import annotations

from decimal import Decimal

from node.ledger.money import display, figure
from node.web.render import number

NNBSP, NBSP = "\u202f", "\u00a0"


def test_amounts_are_grouped_with_the_currency_code() -> None:
    assert display(125_000, "EUR", "fr") == f"1{NNBSP}250,00 EUR"
    assert display(125_000, "EUR", "en") == "1,250.00 EUR"
    assert display(-123_456_789, "CHF", "fr") == f"-1{NNBSP}234{NNBSP}567,89 CHF"
    assert display(-123_456_789, "CHF", "en") == "-1,234,567.89 CHF"
    assert [display(c, "EUR", "fr") for c in (0, 7, 500, 99_999)] == [
        "0,00 EUR", "0,07 EUR", "5,00 EUR", "999,99 EUR"
    ]  # fmt: skip


def test_the_public_pages_show_the_sign() -> None:
    assert display(123_450, "EUR", "fr", symbol=True) == f"1{NNBSP}234,50{NBSP}€"
    assert display(123_450, "EUR", "en", symbol=True) == "€1,234.50"
    assert display(-500, "EUR", "en", symbol=True) == "-€5.00"
    # A currency without a sign keeps its code.
    assert display(123_450, "CHF", "fr", symbol=True) == f"1{NNBSP}234,50{NBSP}CHF"
    assert display(123_450, "CHF", "en", symbol=True) == "1,234.50 CHF"


def test_plain_numbers_are_written_the_readers_way() -> None:
    # A survey's sums and averages: not money, the same grouping and decimal mark.
    assert figure("140.00", "fr") == "140,00"
    assert figure("1250.5", "fr") == f"1{NNBSP}250,5"
    assert figure("1250.5", "en") == "1,250.5"
    assert figure("-1000000", "fr") == f"-1{NNBSP}000{NNBSP}000"
    assert figure("0.25", "en") == "0.25"


def test_the_pages_number_filter_writes_decimals_without_an_exponent() -> None:
    assert number(Decimal("1E+3"), "fr") == f"1{NNBSP}000"
    assert number(Decimal("140.00"), "fr") == "140,00"
    assert number(None, "fr") == "—"
