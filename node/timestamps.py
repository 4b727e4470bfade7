"""Moments as the wire and the operator write them (pure converters, named by direction).

On the wire (AS2's `published`, `updated`, `deleted`, `startTime`; a proof's `created`; a
backup's manifest) a moment is written `2025-05-01T09:30:00Z`: UTC, to the second, no fraction,
the form every fediverse server reads, so that a moment reads the same in every document, signed
or not. What comes in is read more widely: any ISO 8601 date-time, a naive one taken as UTC (a
naive time from a peer has no better reading, and the network writes none).

The operator's command line shows moments on the machine's own clock, which is the place's; the
ledger's lines are the exception, in UTC like the monthly periods they are settled in.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Literal

WIRE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

Precision = Literal["day", "minute", "second"]
_OPERATOR_FORMATS: dict[Precision, str] = {
    "day": "%Y-%m-%d",
    "minute": "%Y-%m-%d %H:%M",
    "second": "%Y-%m-%d %H:%M:%S",
}


def posix_to_wire(moment: float) -> str:
    return time.strftime(WIRE_FORMAT, time.gmtime(moment))


def datetime_to_wire(moment: datetime) -> str:
    """An aware moment, turned to UTC; a naive one is taken as UTC already."""
    return (moment.astimezone(UTC) if moment.tzinfo else moment).strftime(WIRE_FORMAT)


def now_to_wire() -> str:
    return posix_to_wire(time.time())


def wire_to_datetime(text: str) -> datetime:
    """An aware datetime; ValueError when `text` is not an ISO 8601 date-time."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def wire_to_posix(text: str) -> float:
    """Seconds since the epoch; ValueError when `text` is not an ISO 8601 date-time."""
    return wire_to_datetime(text).timestamp()


def posix_to_operator(moment: float, precision: Precision = "minute", *, utc: bool = False) -> str:
    """What the operator reads in the CLI: the local clock unless `utc`."""
    moment_tuple = time.gmtime(moment) if utc else time.localtime(moment)
    return time.strftime(_OPERATOR_FORMATS[precision], moment_tuple)
