"""What the team's network and operations pages share (peers, claims, settlements, doors,
deliveries, work): amounts and times as a person reads them."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request

from ...actors.routes import node_of
from ...ledger.money import from_cents
from ..render import local_time


def amount(cents: int, currency: str, lang: str) -> str:
    """`12,50 EUR` (French decimal comma) / `12.50 EUR` (pure)."""
    text = from_cents(cents)
    return f"{text.replace('.', ',') if lang == 'fr' else text} {currency}"


def at(request: Request, posix: float | None) -> datetime | None:
    """A stored time (POSIX seconds) in the place's time zone, for `moment`/`day`."""
    if posix is None:
        return None
    return local_time(datetime.fromtimestamp(float(posix), UTC), node_of(request).config.timezone)
