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
