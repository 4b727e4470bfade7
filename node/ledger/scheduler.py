"""The node sends each month's claims itself, once the month has ended.

A period is marked done only when none of its visits is still waiting for its `Create` to
reach the home place (a claim for a visit the home place has not heard of would be refused);
until then each pass sends what is ready. `INTERLIEUX_CLAIMS_POLL` (seconds between passes)
and `INTERLIEUX_CLAIMS_CLOCK_OFFSET` (seconds added to the clock: a test's way to be next month)
are for tests.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from .. import tables
from ..config import tuning
from ..worker import Worker
from . import claim, exchange

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)


class ClaimScheduler(Worker):
    name = "claim-scheduler"

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node
        self.poll = tuning("claims_poll", 3600.0)

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # the scheduler must outlive one bad pass
                log.exception("monthly claims failed")
            await asyncio.sleep(self.poll)

    async def run_once(self, now: float | None = None) -> str | None:
        """Send the last ended month's claims unless done; returns the period if it ran."""
        now = (time.time() if now is None else now) + tuning("claims_clock_offset", 0.0)
        period = claim.previous_period(now)
        if await tables.claim_runs.done(self.node.store.reads, period):
            return None
        sent, _ = await exchange.send_claims(self.node, period, now=now)
        if sent:
            log.info("sent %d claim(s) for %s", len(sent), period)
        if await exchange.waiting_visits(self.node, period) == 0:
            async with self.node.store.write() as db:
                await tables.claim_runs.mark_done(db, period, time.time())
        return period
