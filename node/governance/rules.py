"""A network's rules: their names, their defaults, the values each takes, and what each member
node reads of them. Pure functions.

The rules are changed only by decision (`decision propose --kind rule --subject name=value`);
the Group announces them to its members, and every member node applies them at once:

- `visitRate`: the price of a visit between two member places (decimal text, in the network's
  `currency`, EUR when the rules name none), the terms of the peers the network makes
  (node/access/peering.py);
- `overdraft`: how far below zero a Crédit Inter-Lieux account may go at the doors, for the
  accounts a member place opens without choosing one (node/ledger/credit.py);
- `admission`: how admissions are decided, `consent` or `majority`.

A value is checked when it is proposed, so that an adopted rule always reads; a member node
still reads what a Group announces defensively (None when a value does not read), since the
Group may run other code than ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError, InterlieuxError
from ..ledger.money import check_currency, from_cents, to_cents
from .decision import MODES

DEFAULT_RULES: dict[str, Any] = {"visitRate": "5.00", "overdraft": "0.00", "admission": "majority"}
DEFAULT_CURRENCY = "EUR"  # the network's money, when its rules name none


def checked(name: str, value: Any) -> str:
    """The value a rule takes, as the network stores it ("6" -> "6.00"). Raises ConfigError,
    French first, for a rule that does not exist or a value it cannot take."""
    if name not in DEFAULT_RULES:
        names = ", ".join(DEFAULT_RULES)
        raise ConfigError(f"unknown rule {name!r}",
                          fr=f"Proposition : règle inconnue ; les règles sont {names}.",
                          en=f"Proposal: unknown rule; the rules are {names}.")  # fmt: skip
    text = str(value).strip()
    if name == "admission":
        if text not in MODES:
            raise ConfigError(
                f"admission {text!r}",
                fr="Proposition : la règle admission vaut consent ou majority.",
                en="Proposal: the admission rule is consent or majority.",
            )
        return text
    try:
        cents = to_cents(text)
    except ConfigError as exc:
        raise ConfigError(
            f"{name} {text!r} is not an amount",
            fr=f"Proposition : {name} est un montant, par exemple 6.00 ou 6,50.",
            en=f"Proposal: {name} is an amount, e.g. 6.00 or 6.50.",
        ) from exc
    if cents < 0:
        raise ConfigError(f"{name} {text!r} is negative",
                          fr=f"Proposition : {name} ne peut pas être négatif.",
                          en=f"Proposal: {name} cannot be negative.")  # fmt: skip
    return from_cents(cents)


def _amount(rules: Mapping[str, Any], name: str) -> int | None:
    try:
        cents = to_cents(str(rules[name]))
    except (KeyError, InterlieuxError):
        return None
    return cents if cents >= 0 else None


def currency(rules: Mapping[str, Any]) -> str | None:
    try:
        return check_currency(str(rules.get("currency", DEFAULT_CURRENCY)))
    except InterlieuxError:
        return None


def visit_terms(rules: Mapping[str, Any]) -> tuple[str, str] | None:
    """(visit rate as decimal text, currency) the network sets between its places; None when
    its rules do not say (not announced yet, or unreadable)."""
    cents, money = _amount(rules, "visitRate"), currency(rules)
    if cents is None or money is None:
        return None
    return from_cents(cents), money


def overdraft(rules: Mapping[str, Any]) -> tuple[int, str] | None:
    """(overdraft in cents, currency) for the accounts opened on the network's default."""
    cents, money = _amount(rules, "overdraft"), currency(rules)
    if cents is None or money is None:
        return None
    return cents, money


def admission_mode(rules: Mapping[str, Any]) -> str:
    mode = rules.get("admission", DEFAULT_RULES["admission"])
    return mode if mode in MODES else str(DEFAULT_RULES["admission"])
