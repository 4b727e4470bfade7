"""The durable delivery queue: one row per (activity, inbox), retried until delivered.

Retries follow exponential backoff with jitter (so that a server coming back up is not hit by
every node at the same second) for at least `MAX_AGE` (three days: a place's server on a home
connection may be down over a long weekend). A peer's 4xx means it will never take this
activity, so it is not retried, except 408 (it timed out) and 429 (slow down: we honour
`Retry-After`). Each attempt runs in its own task, at most `PER_HOST` at once per server, so a
peer that is down or slow holds a slot or two and never the whole queue, and for less than its
lease: an attempt is cut at `ATTEMPT_SHARE` of `LEASE`, its row written back and its slot freed
before any other pass could take the row again.

A 401 means the peer could not check our signature (after both schemes: `knocking.py`). The
usual cause is a key of ours it cached before a `keys rotate` and will not fetch again at once
(servers rate-limit their key refetches, as we do): it is tried once more `reauth` seconds
later, signed with the key read again from the store, which is the one our actor document
publishes, then given up with the reason. We do not send it an `Update` of our actor: that
would be signed with the same key it cannot check (and `keys rotate` already sends one).

Servers that keep failing for days are marked unavailable and sent nothing until they answer
(`availability.py`).
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

from .. import knocking
from ..actors import local
from ..audience import shown
from ..config import tuning
from ..errors import DeliveryError, FetchError
from ..fetch import AS_CONTENT_TYPE, origin_of
from ..sqlite import Connection
from ..tables import activities, deliveries
from ..worker import sleep_until_woken
from .courier import Answer, CourierError

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)
# Attempts in flight: a public post fans out to every follower's server at once (fifty servers,
# fifty sockets), while PER_HOST keeps any one server to a couple.
CONCURRENCY = 64
PER_HOST = 2
LEASE = 120.0  # longer than one attempt can take, so two workers never hold the same row
ATTEMPT_SHARE = 0.75  # of the lease: an attempt still running then is cut, its row retried
IDLE_POLL = 2.0
UNAUTHORIZED = "peer refused our signature (401)"


@dataclass(frozen=True)
class Schedule:
    base: float = 60.0
    cap: float = 6 * 3600.0
    max_age: float = 3 * 86400.0
    # After a 401, before the one more try: longer than peers wait between two fetches of the
    # same key (a minute here, `node/limits.py`), short enough for the same day.
    reauth: float = 600.0

    @classmethod
    def from_environment(cls) -> Schedule:
        return cls(
            base=tuning("delivery_base", cls.base),
            cap=tuning("delivery_cap", cls.cap),
            max_age=tuning("delivery_max_age", cls.max_age),
            reauth=tuning("delivery_reauth", cls.reauth),
        )

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """Seconds before the next attempt after `attempts` failures, jittered by ±20 %."""
        raw = min(self.cap, self.base * 2.0 ** max(0, attempts - 1))
        return raw * (0.8 + 0.4 * (rng or random).random())


def classify(status: int, headers: Mapping[str, str], now: float) -> DeliveryError | None:
    """None when delivered; otherwise whether and when to retry."""
    if 200 <= status < 300:
        return None
    if status in (408, 429) or status >= 500:
        return DeliveryError(
            f"peer answered {status}",
            retry=True,
            retry_after=retry_after(headers, now),
            status=status,
        )
    return DeliveryError(f"peer refused with {status}", retry=False, status=status)


def unauthorized(last_error: str | None, reauth: float) -> DeliveryError:
    """A 401: once more, `reauth` seconds later (see the module's docstring), then given up."""
    if last_error is not None and last_error.startswith(UNAUTHORIZED):
        return DeliveryError(
            f"{UNAUTHORIZED} again, signed with our current key: it cannot check our key"
            " (can it reach our actor document? is this machine's clock right?)",
            retry=False,
            status=401,
        )
    return DeliveryError(
        f"{UNAUTHORIZED}: trying once more, signed with our current key",
        retry=True,
        retry_after=reauth,
        status=401,
    )


def peer_failed(error: DeliveryError | None) -> bool | None:
    """Whether an attempt counts against the peer's availability: True when it did not answer
    (no connection, a time-out, 5xx, 408), False when it answered (taken, refused, or asked
    to slow down), None when we did not ask it (the address guard, a vanished activity)."""
    if error is None:
        return False
    if error.peer_status is None:
        return True if error.retry else None
    return error.peer_status >= 500 or error.peer_status == 408


def retry_after(headers: Mapping[str, str], now: float) -> float | None:
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
    """What is sent: blind recipients are never shown to anyone, the object's neither."""
    copy: dict[str, Any] = shown(activity)
    return copy


class DeliveryWorker:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.schedule = Schedule.from_environment()
        self.knocks = knocking.Knocks(node.store)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._per_host: dict[str, int] = {}
        self.concurrency = CONCURRENCY
        self.lease = tuning("delivery_lease", LEASE)
        self.availability = node.availability

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        # This process is the only worker for its data folder: rows a crashed predecessor was
        # sending are ours now, and due at once.
        async with self.node.store.write() as db:
            await deliveries.release_leases(db)
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
            due = await deliveries.next_due(self.node.store.reads, time.time())
            # Also poll: the CLI (peer add, badge revoke, checkin) queues rows from another
            # process, which cannot wake this one.
            wait = IDLE_POLL
            if due is not None:
                wait = min(wait, max(0.05, due - time.time()))
            await sleep_until_woken(self._wake, wait)

    async def _dispatch(self) -> None:
        free = self.concurrency - len(self._in_flight)
        if free <= 0:
            return
        now = time.time()
        rows = await deliveries.due(self.node.store.reads, now, free * 4)
        chosen: list[tuple[Any, str]] = []
        held: list[Any] = []
        for row in rows:
            if self.availability.unavailable_since(origin_of(row["inbox"])) is not None:
                held.append(row)
                continue
            if (
                len(self._in_flight) + len(chosen) >= self.concurrency
                or row["id"] in self._in_flight
            ):
                continue
            host = urlsplit(row["inbox"]).netloc
            if self._per_host.get(host, 0) >= PER_HOST:
                continue
            self._per_host[host] = self._per_host.get(host, 0) + 1
            chosen.append((row, host))
        if not chosen and not held:
            return
        # One lease for the whole pass: a post to 50 servers takes one commit here, not 50.
        async with self.node.store.write() as db:
            await deliveries.lease(db, [row["id"] for row, _ in chosen], now + self.lease)
            for row in held:
                await self._hold(db, row, now)
        # One activity to fifty servers is read and encoded once per pass, not fifty times,
        # and its signer read once: per pass, so that a `keys rotate` is signed with at once.
        parcels: dict[tuple[str, str], asyncio.Future[Parcel]] = {}
        for row, host in chosen:
            key = (row["activity_id"], row["signer"])
            if key not in parcels:
                parcels[key] = asyncio.ensure_future(parcel_of(self.node, row))
            task = self._attempt(dict(row), host, parcels[key])
            self._in_flight[row["id"]] = asyncio.create_task(task)

    async def _hold(self, db: Connection, row: Any, now: float) -> None:
        """A delivery to an unavailable server: kept unsent until its time runs out."""
        reason = self.availability.held_reason(origin_of(row["inbox"]))
        until = row["created_at"] + self.schedule.max_age
        if now >= until:
            await deliveries.end_unsent(db, row["id"], now, reason)
        else:
            await deliveries.hold(db, row["id"], until, reason)

    async def _attempt(
        self, row: dict[str, Any], host: str, parcel: asyncio.Future[Parcel]
    ) -> None:
        try:
            outcome = await deliver(
                self.node, row, self.schedule, self.knocks, self.lease, await parcel
            )
            if outcome.answered:
                self.wake()
        except Exception:
            log.exception("delivery %s crashed", row["id"])
        finally:
            self._in_flight.pop(row["id"], None)
            self._per_host[host] -= 1
            self.wake()


@dataclass(frozen=True)
class Outcome:
    """One attempt of one row: the peer's status (None when it did not answer or was not
    asked), why it was not delivered (None when it was), the peer's own reason (the "error"
    of its JSON answer, for a team to read), and whether an unavailable peer answered again."""

    status: int | None
    error: DeliveryError | None
    reason: str = ""
    answered: bool = False


@dataclass(frozen=True)
class Parcel:
    """What an attempt posts, and who signs it."""

    body: bytes | None  # the activity as sent; None when it is gone
    signer: local.LocalActor


async def parcel_of(node: Node, row: Mapping[str, Any]) -> Parcel:
    document = await activities.document(node.store.reads, row["activity_id"])
    body = None if document is None else json.dumps(public_copy(document)).encode()
    return Parcel(body, await local.by_handle(node.store, row["signer"]))


async def deliver(
    node: Node,
    row: Mapping[str, Any],
    schedule: Schedule,
    knocks: knocking.Knocks,
    lease: float,
    parcel: Parcel | None = None,
) -> Outcome:
    """Post one leased delivery row and write its outcome back (delivered, retried after the
    backoff or `Retry-After`, given up), and the peer's availability: the worker's attempt,
    also made at once by a command that must tell its team the peer's answer
    (`governance.sending`). `parcel`: what `parcel_of` reads, when the caller has it
    already."""
    row = dict(row)
    try:
        async with asyncio.timeout(lease * ATTEMPT_SHARE):
            if parcel is None:
                parcel = await parcel_of(node, row)
            status, error, reason = await _post(node, row, schedule, knocks, parcel)
    except TimeoutError:
        # A peer that holds the connection open without answering: the slot is freed and the
        # row retried like any peer that did not answer.
        status, reason = None, ""
        error = DeliveryError(f"no answer within {lease * ATTEMPT_SHARE:g} s", retry=True)
    await _finish(node, row, error, schedule)
    failed = peer_failed(error)
    answered = False
    if failed:
        await node.availability.failed(origin_of(row["inbox"]), error.log if error else "")
    elif failed is False:
        answered = await node.availability.answered(origin_of(row["inbox"]))
    return Outcome(status, error, reason, answered)


async def _post(
    node: Node,
    row: dict[str, Any],
    schedule: Schedule,
    knocks: knocking.Knocks,
    parcel: Parcel,
) -> tuple[int | None, DeliveryError | None, str]:
    body, actor = parcel.body, parcel.signer
    if body is None:
        return None, DeliveryError("activity is gone", retry=False), ""
    private_key = actor.keys.rsa_private

    def signed(scheme: knocking.Scheme) -> dict[str, str]:
        return knocking.sign(
            scheme, "POST", row["inbox"], actor.key_id, private_key, body,
            {"content-type": AS_CONTENT_TYPE, "accept": AS_CONTENT_TYPE},
        )  # fmt: skip

    async def send(headers: Mapping[str, str]) -> tuple[int, Answer]:
        answer = await node.courier.post(row["inbox"], body, headers)
        return answer.status, answer

    try:
        # RFC 9421 first, draft-cavage after a refusal (or the other way round for a server
        # that took only cavage lately): one attempt of the queue, whatever the knocks.
        answer = await knocking.knock(knocks, origin_of(row["inbox"]), signed, send)
    except FetchError as exc:  # the address guard: the inbox is somewhere we must not go
        return None, DeliveryError(exc.log, retry=False), ""
    except CourierError as exc:
        return None, DeliveryError(str(exc), retry=True), ""
    status = answer.status
    if status == 401:
        return status, unauthorized(row["last_error"], schedule.reauth), _reason_of(answer)
    return status, classify(status, answer.headers, time.time()), _reason_of(answer)


def _reason_of(answer: Answer) -> str:
    """The peer's reason for a refusal, when it gives one as JSON (`{"error": ...}`)."""
    if 200 <= answer.status < 300:
        return ""
    try:
        found = json.loads(answer.body).get("error", "")
    except (ValueError, AttributeError):
        return ""
    return found if isinstance(found, str) else ""


async def _finish(
    node: Node, row: dict[str, Any], error: DeliveryError | None, schedule: Schedule
) -> None:
    now = time.time()
    attempts = row["attempts"] + 1
    if error is None:
        # One statement: deliveries finishing together share a commit (Store.execute).
        await deliveries.mark_delivered(node.store.execute, row["id"], attempts, now)
        return
    async with node.store.write() as db:
        delay = max(schedule.delay(attempts), error.retry_after or 0.0)
        give_up = not error.retry or now + delay - row["created_at"] > schedule.max_age
        if give_up:
            reason = (
                error.log if not error.retry else f"gave up after {attempts} attempts: {error.log}"
            )
            log.warning("delivery of %s to %s failed: %s", row["activity_id"], row["inbox"], reason)
            await deliveries.mark_failed(db, row["id"], attempts, now, reason)
        else:
            await deliveries.retry_later(db, row["id"], attempts, now + delay, error.log)
