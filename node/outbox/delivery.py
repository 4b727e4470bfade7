"""The durable delivery queue: one row per (activity, inbox), retried until delivered.

Retries follow exponential backoff with jitter (so that a server coming back up is not hit by
every node at the same second) for at least `MAX_AGE` (three days: a place's server on a home
connection may be down over a long weekend). A peer's 4xx means it will never take this
activity, so it is not retried, except 408 (it timed out) and 429 (slow down: we honour
`Retry-After`). Each attempt runs in its own task, at most `PER_HOST` at once per server, so a
peer that is down or slow holds a slot or two and never the whole queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from .. import knocking
from ..actors import local
from ..config import tuning
from ..errors import DeliveryError, FetchError
from ..fetch import AS_CONTENT_TYPE, origin_of
from ..queues import DeliveryState
from ..tables import activities
from ..worker import sleep_until_woken

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)
PENDING = DeliveryState.PENDING  # the state the worker reads: every row it sends is pending

CONCURRENCY = 16
PER_HOST = 2
LEASE = 120.0  # longer than one attempt can take, so two workers never hold the same row
IDLE_POLL = 2.0


@dataclass(frozen=True)
class Schedule:
    base: float = 60.0
    cap: float = 6 * 3600.0
    max_age: float = 3 * 86400.0

    @classmethod
    def from_environment(cls) -> Schedule:
        return cls(
            base=tuning("delivery_base", cls.base),
            cap=tuning("delivery_cap", cls.cap),
            max_age=tuning("delivery_max_age", cls.max_age),
        )

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """Seconds before the next attempt after `attempts` failures, jittered by ±20 %."""
        raw = min(self.cap, self.base * 2.0 ** max(0, attempts - 1))
        return raw * (0.8 + 0.4 * (rng or random).random())


def classify(status: int, headers: httpx.Headers, now: float) -> DeliveryError | None:
    """None when delivered; otherwise whether and when to retry."""
    if 200 <= status < 300:
        return None
    if status in (408, 429) or status >= 500:
        return DeliveryError(
            f"peer answered {status}", retry=True, retry_after=retry_after(headers, now)
        )
    return DeliveryError(f"peer refused with {status}", retry=False)


def retry_after(headers: httpx.Headers, now: float) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


def public_copy(activity: dict[str, Any]) -> dict[str, Any]:
    """What is sent: blind recipients are never shown to anyone."""
    return {k: v for k, v in activity.items() if k not in ("bto", "bcc")}


class DeliveryWorker:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.schedule = Schedule.from_environment()
        self.knocks = knocking.Knocks(node.store)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._per_host: dict[str, int] = {}

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        # This process is the only worker for its data folder: rows a crashed predecessor was
        # sending are ours now, and due at once.
        async with self.node.store.write() as db:
            await db.execute(
                "UPDATE deliveries SET locked_until = NULL WHERE state = ?", (PENDING,)
            )
        self._task = asyncio.create_task(self._run(), name="delivery-worker")

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._dispatch()
            except Exception:  # the worker must outlive any fault of one pass
                log.exception("delivery pass failed")
            row = await self.node.store.one(
                "SELECT MIN(next_attempt_at) AS due FROM deliveries WHERE state = ?"
                " AND (locked_until IS NULL OR locked_until < ?)",
                (PENDING, time.time()),
            )
            # Also poll: the CLI (peer add, badge revoke, checkin) queues rows from another
            # process, which cannot wake this one.
            wait = IDLE_POLL
            if row and row["due"] is not None:
                wait = min(wait, max(0.05, row["due"] - time.time()))
            await sleep_until_woken(self._wake, wait)

    async def _dispatch(self) -> None:
        free = CONCURRENCY - len(self._in_flight)
        if free <= 0:
            return
        now = time.time()
        rows = await self.node.store.all(
            "SELECT * FROM deliveries WHERE state = ? AND next_attempt_at <= ?"
            " AND (locked_until IS NULL OR locked_until < ?) ORDER BY next_attempt_at LIMIT ?",
            (PENDING, now, now, free * 4),
        )
        chosen: list[tuple[Any, str]] = []
        for row in rows:
            if len(self._in_flight) + len(chosen) >= CONCURRENCY or row["id"] in self._in_flight:
                continue
            host = urlsplit(row["inbox"]).netloc
            if self._per_host.get(host, 0) >= PER_HOST:
                continue
            self._per_host[host] = self._per_host.get(host, 0) + 1
            chosen.append((row, host))
        if not chosen:
            return
        # One lease for the whole pass: a post to 50 servers takes one commit here, not 50.
        async with self.node.store.write() as db:
            await db.executemany(
                "UPDATE deliveries SET locked_until = ? WHERE id = ?",
                [(now + LEASE, row["id"]) for row, _ in chosen],
            )
        for row, host in chosen:
            self._in_flight[row["id"]] = asyncio.create_task(self._attempt(dict(row), host))

    async def _attempt(self, row: dict[str, Any], host: str) -> None:
        try:
            error = await self._post(row)
            await self._finish(row, error)
        except Exception:
            log.exception("delivery %s crashed", row["id"])
        finally:
            self._in_flight.pop(row["id"], None)
            self._per_host[host] -= 1
            self.wake()

    async def _post(self, row: dict[str, Any]) -> DeliveryError | None:
        document = await activities.document(self.node.store.reads, row["activity_id"])
        if document is None:
            return DeliveryError("activity is gone", retry=False)
        actor = await local.by_handle(self.node.store, row["signer"])
        body = json.dumps(public_copy(document)).encode()
        private_key = actor.keys.rsa_private

        def signed(scheme: knocking.Scheme) -> dict[str, str]:
            return knocking.sign(
                scheme, "POST", row["inbox"], actor.key_id, private_key, body,
                {"content-type": AS_CONTENT_TYPE, "accept": AS_CONTENT_TYPE},
            )  # fmt: skip

        async def send(headers: Mapping[str, str]) -> tuple[int, httpx.Response]:
            response = await self.node.http.post(row["inbox"], content=body, headers=headers)
            return response.status_code, response

        try:
            # RFC 9421 first, draft-cavage after a refusal (or the other way round for a server
            # that took only cavage lately): one attempt of the queue, whatever the knocks.
            response = await knocking.knock(self.knocks, origin_of(row["inbox"]), signed, send)
        except FetchError as exc:  # the address guard: the inbox is somewhere we must not go
            return DeliveryError(exc.log, retry=False)
        except httpx.HTTPError as exc:
            return DeliveryError(f"{type(exc).__name__}: {exc}", retry=True)
        return classify(response.status_code, response.headers, time.time())

    async def _finish(self, row: dict[str, Any], error: DeliveryError | None) -> None:
        now = time.time()
        attempts = row["attempts"] + 1
        if error is None:
            # One statement: deliveries finishing together share a commit (Store.execute).
            await self.node.store.execute(
                "UPDATE deliveries SET state = ?, attempts = ?, finished_at = ?,"
                " locked_until = NULL, last_error = NULL WHERE id = ?",
                (PENDING.to(DeliveryState.DELIVERED), attempts, now, row["id"]),
            )
            return
        async with self.node.store.write() as db:
            delay = max(self.schedule.delay(attempts), error.retry_after or 0.0)
            give_up = not error.retry or now + delay - row["created_at"] > self.schedule.max_age
            if give_up:
                reason = (
                    error.log
                    if not error.retry
                    else f"gave up after {attempts} attempts: {error.log}"
                )
                log.warning(
                    "delivery of %s to %s failed: %s", row["activity_id"], row["inbox"], reason
                )
                await db.execute(
                    "UPDATE deliveries SET state = ?, attempts = ?, finished_at = ?,"
                    " locked_until = NULL, last_error = ? WHERE id = ?",
                    (PENDING.to(DeliveryState.FAILED), attempts, now, reason, row["id"]),
                )
            else:
                await db.execute(
                    "UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?,"
                    " locked_until = NULL, last_error = ? WHERE id = ?",
                    (PENDING.to(PENDING), attempts, now + delay, error.log, row["id"]),
                )
