"""Amounts: decimal text in documents and on the command line, integer cents in the books.

Cents, never floats: 0.1 + 0.2 must make 0.30 in a place's accounts. Two decimals at most,
which every currency the network uses (EUR, CHF) has.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..errors import ConfigError

MAX_AMOUNT = Decimal(10) ** 9


def to_cents(text: str | int | Decimal) -> int:
    """`"5"`, `"5.00"`, `"5,50"` (French keyboards) -> 500, 500, 550. Raises ConfigError."""
    raw = str(text).strip().replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise _bad(raw) from exc
    # A bound before quantize: "1e40" would overflow the decimal context, and no amount
    # between two places comes anywhere near a billion.
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise _bad(raw)
    if value != value.quantize(Decimal("0.01")):
        raise _bad(raw)
    return int(value * 100)


def from_cents(cents: int) -> str:
    """500 -> "5.00", -1050 -> "-10.50"."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def check_currency(code: str) -> str:
    code = code.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ConfigError(
            f"currency {code!r} is not an ISO 4217 code",
            fr=f"La devise « {code} » n'est pas un code à trois lettres (par exemple EUR).",
            en=f"The currency '{code}' is not a three-letter code (for example EUR).",
        )
    return code


def _bad(raw: str) -> ConfigError:
    return ConfigError(
        f"amount {raw!r} is not a decimal with at most two places",
        fr=f"Le montant « {raw} » n'est pas valable : écrivez par exemple 5.00 ou 12,50.",
        en=f"The amount '{raw}' is not valid: write for example 5.00 or 12.50.",
    )


# The signs shown for a currency in the public pages' "symbol" form; any other shows its code.
CURRENCY_SIGNS = {"EUR": "€"}


def figure(text: str, lang: str) -> str:
    """A decimal number written the reader's way (pure): `1250.5` is `1 250,5` in French
    (narrow no-break space between groups of thousands, decimal comma), `1,250.5` in English."""
    whole, point, part = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    separator, comma = ("\u202f", ",") if lang == "fr" else (",", ".")
    return f"{sign}{separator.join(groups) or '0'}{comma if point else ''}{part}"


def display(cents: int, currency: str, lang: str, symbol: bool = False) -> str:
    """An amount as every page shows it (pure): thousands grouped, `1 250,00 EUR` in French
    (narrow no-break space between groups, decimal comma), `1,250.00 EUR` in English. With
    `symbol` (the commons pages), the currency's sign: `1 250,00 €` (no-break space before
    it) and `€1,250.00`; a currency without a sign shows its code."""
    number = figure(from_cents(cents), lang)
    sign = "-" if number.startswith("-") else ""
    if not symbol:
        return f"{number} {currency}"
    mark = CURRENCY_SIGNS.get(currency)
    if lang == "fr":
        return f"{number}\u00a0{mark or currency}"
    return f"{sign}{mark}{number.lstrip('-')}" if mark else f"{number} {currency}"
