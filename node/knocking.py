"""Double-knocking: sign with RFC 9421 first, knock again with draft-cavage when the server
refuses it, and remember per server which one it took.

Fedify and Mastodon ≥ 4.5 do the same, so that a peer that only knows draft-cavage (Mastodon
< 4.5, bovine, most of the fediverse in 2026) keeps receiving us, and one that has moved on
gets the RFC. We knock again after a 401 (what a server answers to a signature it cannot
check), a 400 (what some answer to a `Signature` header they cannot parse) and a 500: servers
whose RFC 9421 support is broken crash on it (Mastodon's early RFC 9421 code did, which is why
Fedify knocks again on any status above 401; bovine-herd 0.5.19, our interop peer, answers 500:
its RFC 9421 parser fails on the http-sf 1.5 installed with it). Not after 502, 503 or 504 (the
server is down: the queue's backoff is the answer, one POST per attempt), nor 403, 404, 410 or
429 (about the activity or the rate: knocking again would only send it twice).

The choice is remembered per origin in `signature_schemes` (a restart keeps it), and forgotten
after `REMEMBER`, so that a peer which upgrades gets RFC 9421 again within days.
The decision is pure (`first_scheme`, `to_remember`); `Knocks` reads and writes the choices
through the table's owner (`tables.signature_schemes`); `knock` sends once or twice through the
function it is given.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, TypeVar

from cryptography.hazmat.primitives.asymmetric import rsa

from .signature import cavage, rfc9421
from .sqlite import Database
from .tables import signature_schemes

Scheme = Literal["rfc9421", "cavage"]
RFC9421: Scheme = "rfc9421"
CAVAGE: Scheme = "cavage"
# A week: long enough not to knock twice on every delivery to an old server, short enough
# that a peer which upgrades is signed for with the RFC again soon.
REMEMBER = 7 * 86400.0
KEEP = 300.0  # seconds a recalled choice is kept in memory (see `Knocks`)
KEPT_ORIGINS = 10_000

T = TypeVar("T")

# The threads that sign (see `knock`): one core short of the machine's, the event loop's core.
# Not more: each signature also runs some Python under the GIL, and a crowd of signing threads
# would take it from the loop in turns of five milliseconds.
SIGNING = ThreadPoolExecutor(os.cpu_count() or 2, thread_name_prefix="signing")


def first_scheme(remembered: tuple[str, float] | None, now: float) -> Scheme:
    """The scheme to knock with first: RFC 9421 unless a server recently took only cavage."""
    if remembered is None or now - remembered[1] > REMEMBER:
        return RFC9421
    return CAVAGE if remembered[0] == CAVAGE else RFC9421


def knock_again(status: int) -> bool:
    """Whether a refusal may be the signature scheme's fault (see the module's docstring)."""
    return status in (400, 401, 500)


def other(scheme: Scheme) -> Scheme:
    return CAVAGE if scheme == RFC9421 else RFC9421


def to_remember(
    first: Scheme, first_status: int, second_status: int | None, on_record: str | None
) -> Scheme | None:
    """What to write after one or two knocks (None: nothing to write).

    A second knock that was accepted is remembered. A first knock with RFC 9421 that was
    accepted is written only where an older choice (cavage) was on record: the server has
    upgraded, and most deliveries then cost no write at all.
    """
    if second_status is not None:
        return other(first) if second_status < 400 else None
    if first_status < 400 and first == RFC9421 and on_record == CAVAGE:
        return RFC9421
    return None


def sign(
    scheme: Scheme,
    method: str,
    url: str,
    key_id: str,
    private_key: rsa.RSAPrivateKey,
    body: bytes | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Headers for a request signed with `scheme`, by the actor's RSA key (the key id is the
    same `publicKey` id for both schemes)."""
    if scheme == CAVAGE:
        return cavage.sign_request(method, url, key_id, private_key, body, extra_headers)
    # A Date too, uncovered: some servers still look for one before anything else.
    headers = {"date": cavage.http_date(), **(extra_headers or {})}
    return rfc9421.sign_request(method, url, key_id, private_key, body, headers)


class Knocks:
    """The schemes servers took, as `signature_schemes` keeps them, and as recalled lately.

    What was recalled is kept `KEEP` seconds in memory: a post to fifty servers asks fifty
    times, and most answers are "nothing on record". What this process remembers is kept
    at once; what another one wrote (a command's delivery) is seen within `KEEP`, and until
    then costs at most one knock more."""

    def __init__(self, store: Database, keep: float | None = None) -> None:
        self.store = store
        self.keep = KEEP if keep is None else keep
        self._recalled: dict[str, tuple[tuple[str, float] | None, float]] = {}

    async def recall(self, origin: str) -> tuple[str, float] | None:
        now = time.monotonic()
        kept = self._recalled.get(origin)
        if kept is not None and kept[1] > now:
            return kept[0]
        found = await signature_schemes.recall(self.store.reads, origin)
        self._keep(origin, found, now)
        return found

    async def remember(self, origin: str, scheme: Scheme, now: float | None = None) -> None:
        when = time.time() if now is None else now
        async with self.store.write() as db:
            await signature_schemes.remember(db, origin, scheme, when)
        self._keep(origin, (scheme, when), time.monotonic())

    def _keep(self, origin: str, found: tuple[str, float] | None, now: float) -> None:
        if len(self._recalled) >= KEPT_ORIGINS:
            self._recalled.clear()  # a node talking to that many servers reads again
        self._recalled[origin] = (found, now + self.keep)


async def knock(
    knocks: Knocks,
    origin: str,
    signed: Callable[[Scheme], Mapping[str, str]],
    send: Callable[[Mapping[str, str]], Awaitable[tuple[int, T]]],
) -> T:
    """Send with the scheme the server should take; after a refusal that may be the scheme's
    fault (`knock_again`), once more with the other.
    `signed(scheme)` gives the headers, `send(headers)` sends and returns (status, result);
    the result of the last knock is returned.

    `signed` runs on a `SIGNING` thread: an RSA-2048 signature is the costliest step of a
    delivery (0.3–0.7 ms of CPU), and `cryptography` releases the GIL while it computes, so the
    signatures of a fan-out use the machine's other cores while the event loop sends."""
    remembered = await knocks.recall(origin)
    first = first_scheme(remembered, time.time())
    loop = asyncio.get_running_loop()
    status, result = await send(await loop.run_in_executor(SIGNING, signed, first))
    second_status = None
    if knock_again(status):
        second_status, result = await send(
            await loop.run_in_executor(SIGNING, signed, other(first))
        )
    on_record = remembered[0] if remembered is not None else None
    decision = to_remember(first, status, second_status, on_record)
    if decision is not None:
        await knocks.remember(origin, decision)
    return result
