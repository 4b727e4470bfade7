"""What the team's network and operations pages share (peers, claims, settlements, doors,
deliveries, work): amounts and times as a person reads them."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request

from ...actors.routes import node_of
from ..render import local_time


def at(request: Request, posix: float | None) -> datetime | None:
    """A stored time (POSIX seconds) in the place's time zone, for `moment`/`day`."""
    if posix is None:
        return None
    return local_time(datetime.fromtimestamp(float(posix), UTC), node_of(request).config.timezone)
