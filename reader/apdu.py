"""Response APDUs and the `Transmit` callable that every card-reading sequence runs over.

Shared by the Type 4 sequence (`reader.card`) and the Type 2 one (`reader.type2`), so that
both are pure functions of a `Transmit` and neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reader.errors import CardUnreadable

SW_OK = 0x9000


@dataclass(frozen=True)
class Response:
    """A response APDU: data and the status word (SW1 << 8 | SW2)."""

    data: bytes
    sw: int

    @classmethod
    def parse(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise CardUnreadable(
                f"response APDU of {len(raw)} bytes, no status word", code=CardUnreadable.CARD_ERROR
            )
        return cls(raw[:-2], (raw[-2] << 8) | raw[-1])

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK


Transmit = Callable[[bytes], Response]
"""Sends one command APDU, returns the response; raises DoorError when the exchange fails."""


def check(response: Response, what: str, *, code: str = CardUnreadable.CARD_ERROR) -> bytes:
    """The response's data if its status word is 90 00, else CardUnreadable naming `what`."""
    if not response.ok:
        raise CardUnreadable(f"{what}: status word {response.sw:04X}", code=code)
    return response.data
