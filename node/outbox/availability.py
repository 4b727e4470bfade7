"""Servers that stopped answering: marked unavailable after days of failures, so that they cost
nothing meanwhile, and available again as soon as they answer.

As Mastodon's `DeliveryFailureTracker` does: every failed attempt (no connection, a time-out, a
5xx) counts its UTC day for the server; at `UNAVAILABLE_AFTER_DAYS` such days without a single
answer in between, the server is unavailable. Any answer (a delivery it takes or refuses, a
request it signs to us) forgets its failures and makes it available at once.

While a server is unavailable, nothing is sent to it: the delivery worker holds its deliveries,
each with the reason the operator sees in `interlieux deliveries`, until the delivery's own
time runs out (the schedule's `max_age`, then it is ended unsent) or the server answers again
(then they are due at once, so a place's server back from a long closure gets what was
published for it in the last days). The failing servers are few and kept in memory as well
(this process alone delivers), so a delivery that succeeds, or a signed request, costs no read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from ..store import Store
from ..tables import deliveries, origins
from ..timestamps import posix_to_operator

# Mastodon's FAILURE_DAYS_THRESHOLD.
UNAVAILABLE_AFTER_DAYS = 7


def utc_day(posix: float) -> str:
    return datetime.fromtimestamp(posix, UTC).strftime("%Y-%m-%d")


class Availability:
    """Which servers are failing, and since when unavailable; the owner of their counting."""

    def __init__(
        self,
        store: Store,
        threshold: int = UNAVAILABLE_AFTER_DAYS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.threshold = threshold
        self.clock = clock
        self._failing: dict[str, float | None] = {}  # origin -> unavailable since, or None

    async def load(self) -> None:
        self._failing = dict(await origins.failing(self.store.reads))

    def unavailable_since(self, origin: str) -> float | None:
        return self._failing.get(origin)

    def held_reason(self, origin: str) -> str:
        since = self._failing.get(origin) or self.clock()
        return (
            f"not sent: {origin} unavailable since {posix_to_operator(since)} "
            f"({self.threshold} days of failed deliveries); sent when it answers again"
        )

    async def failed(self, origin: str, reason: str) -> None:
        """A delivery attempt to `origin` got no answer."""
        now = self.clock()
        async with self.store.write() as db:
            since = await origins.record_failure(
                db, origin, utc_day(now), now, reason, self.threshold
            )
        self._failing[origin] = since

    async def answered(self, origin: str) -> bool:
        """`origin` answered (a delivery, or a signed request of its own). True when it had
        been failing: its held deliveries are then due (the commit wakes the delivery worker)."""
        if origin not in self._failing:
            return False
        del self._failing[origin]
        async with self.store.write() as db:
            await origins.forget(db, origin)
            # The queue's own clock: `clock` counts the failure days (tests turn it).
            await deliveries.release_origin(db, origin, time.time())
        return True
