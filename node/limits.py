"""Rate limits: how much a remote origin, a remote actor or a bearer token may ask at once.

    inbox POSTs         per origin (checked before the signature, charged after it), per actor
    key fetches         per origin and per actor, for key ids we do not have or that failed
    outstanding fetches per origin, at once
    outbox POSTs        per bearer token
    failed sign-ins     per account name (known or not) and per client address

Each rate is a token bucket: `burst` requests at once, refilled at `per_minute`. A request over
the limit is refused with 429 and `Retry-After` (the seconds until the bucket has a token
again), which Mastodon, GoToSocial and our own delivery queue honour by retrying later.

The buckets live in memory, not in SQLite: one process serves a node's data folder (the CLI
never receives), so nothing needs sharing, a check costs no write, and a restart only gives
every sender a fresh burst. The defaults are sized for a small place that a busy Mastodon
server delivers to: GoToSocial allows 300 requests per 5 minutes per IP on its ActivityPub
routes (1/s), Mastodon does not throttle inbox POSTs at all and allows 300 API calls per 5
minutes per token; the inbox here takes a burst of 300 and 2/s per origin. Every figure can be
changed in `node.json` (`"limits": {"inbox_per_origin": {"burst": 600, "per_minute": 240}}`);
a burst of 0 turns that limit off.

Pure: the clock is a parameter; `Throttles` is the node's set of buckets.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from typing import Any

from .errors import ConfigError, RateLimited
from .fetch import origin_of

Clock = Callable[[], float]
# Buckets kept per limit: past it, full (idle) buckets are dropped, then the oldest; an
# attacker minting actors on its own domain still meets its origin's bucket.
MAX_KEYS = 10_000
# A claimed signer in the headers, read before the body and before any signature work.
_KEY_ID = re.compile(r'keyid="([^"]*)"', re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    burst: int  # requests at once; 0 turns the limit off
    per_minute: float  # sustained

    @property
    def off(self) -> bool:
        return self.burst <= 0


@dataclass(frozen=True)
class Limits:
    """The figures, as `node.json`'s `limits` may change them (names are its keys)."""

    # Twice GoToSocial's 1/s per IP: a Mastodon server delivering its users' posts, or
    # relaying, stays well below; a runaway or hostile server is held to 2/s.
    inbox_per_origin: Rate = Rate(300, 120)
    # One actor of a big server may not take its whole origin's share.
    inbox_per_actor: Rate = Rate(120, 60)
    # Mastodon's 300 calls per 5 minutes per token, as a burst (a script importing an
    # agenda), then 1/s: each post fans out to every follower's server.
    outbox_per_token: Rate = Rate(300, 60)
    # Each fetch is a GET to the origin and a write here: a server that signs with ever new
    # key ids (or forges signatures to make us fetch a victim's key again) gets 30 a minute.
    key_fetches_per_origin: Rate = Rate(30, 30)
    # A key is fetched once, and again when a signature fails (a rotation): twice a minute.
    key_fetches_per_actor: Rate = Rate(3, 2)
    # GETs in flight to one origin while we verify its requests: a slow server does not
    # gather every waiting request on our side.
    fetches_outstanding_per_origin: int = 4
    # Failed sign-ins (a wrong password, an unknown account): 6 tries, then one every 5
    # minutes per account, whoever tries — about 290 guesses a day against one password.
    signin_per_account: Rate = Rate(6, 0.2)
    # And per client address: generous, since a place's members share its Wi-Fi's address.
    signin_per_address: Rate = Rate(30, 6)
    # Passkey options asked and sign-ins through a home place started, per client address:
    # each keeps a challenge or a flow in memory until answered (at most MAX_PENDING or
    # MAX_FLOWS, the oldest dropped), so one client must not push out everyone else's. With a
    # ceremony's 5 minutes, an address holds about 80 at most; a place's shared Wi-Fi still
    # gets 30 at once.
    passkey_options_per_address: Rate = Rate(30, 10)
    home_signins_per_address: Rate = Rate(30, 10)
    # Requests to join sent from `/adhesion`, per client address: each waits in the team's
    # queue, so 5 at once, then 5 an hour (a family or a workshop may ask from one Wi-Fi).
    signup_per_address: Rate = Rate(5, 5 / 60)

    @classmethod
    def from_config(cls, raw: Mapping[str, Any] | None) -> Limits:
        """`node.json`'s `limits` over the defaults; a name or a value we cannot take is a
        ConfigError, said when the node starts rather than ignored."""
        limits = cls()
        changed: dict[str, Any] = {}
        known = {f.name for f in fields(cls)}
        for name, value in (raw or {}).items():
            if name not in known:
                raise _bad(f"unknown limit {name!r} (known: {', '.join(sorted(known))})")
            default = getattr(limits, name)
            if isinstance(default, Rate):
                if not isinstance(value, Mapping) or set(value) - {"burst", "per_minute"}:
                    raise _bad(f"limit {name} takes {{'burst': n, 'per_minute': n}}")
                burst = value.get("burst", default.burst)
                per_minute = value.get("per_minute", default.per_minute)
                if not _number(burst) or not _number(per_minute) or per_minute < 0:
                    raise _bad(f"limit {name}: burst and per_minute must be numbers >= 0")
                changed[name] = Rate(int(burst), float(per_minute))
            else:
                if not _number(value) or value < 0:
                    raise _bad(f"limit {name} must be a number >= 0")
                changed[name] = int(value)
        return replace(limits, **changed)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _bad(log: str) -> ConfigError:
    return ConfigError(
        log,
        fr=f"node.json, « limits » : {log}. Corrigez la valeur ou retirez-la (le défaut "
        "s'applique).",
        en=f"node.json, 'limits': {log}. Fix the value or remove it (the default applies).",
    )


class Buckets:
    """One token bucket per key (an origin, an actor, a token), all at the same rate."""

    def __init__(self, rate: Rate, clock: Clock = time.monotonic, max_keys: int = MAX_KEYS):
        self.rate = rate
        self._clock = clock
        self._max_keys = max_keys
        self._per_second = rate.per_minute / 60.0
        self._levels: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)

    def _level(self, key: str, now: float) -> float:
        tokens, when = self._levels.get(key, (float(self.rate.burst), now))
        return min(float(self.rate.burst), tokens + (now - when) * self._per_second)

    def wait(self, key: str) -> float:
        """Seconds until `key` may be served (0: now); nothing is taken."""
        if self.rate.off:
            return 0.0
        level = self._level(key, self._clock())
        if level >= 1.0:
            return 0.0
        if self._per_second <= 0:
            return math.inf
        return (1.0 - level) / self._per_second

    def take(self, key: str) -> None:
        """Take one token for `key` (call `wait` first: this does not check)."""
        if self.rate.off:
            return
        now = self._clock()
        level = self._level(key, now)
        self._levels.pop(key, None)  # re-inserted last: the dict's order is the last use
        self._levels[key] = (max(0.0, level - 1.0), now)
        if len(self._levels) > self._max_keys:
            self._prune(now)

    def _prune(self, now: float) -> None:
        for key in [k for k in self._levels if self._level(k, now) >= self.rate.burst]:
            del self._levels[key]
        for key in list(self._levels)[: max(0, len(self._levels) - self._max_keys // 2)]:
            del self._levels[key]


class Outstanding:
    """How many fetches are in flight per key, refused past `limit` (0: no limit)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._count: dict[str, int] = {}

    def busy(self, key: str) -> bool:
        return self.limit > 0 and self._count.get(key, 0) >= self.limit

    @contextmanager
    def slot(self, key: str) -> Iterator[None]:
        self._count[key] = self._count.get(key, 0) + 1
        try:
            yield
        finally:
            self._count[key] -= 1
            if not self._count[key]:
                del self._count[key]


# Retry-After for a refusal that is about concurrency, not a rate: about one fetch's time.
OUTSTANDING_RETRY = 10.0


def claimed_key_id(headers: Mapping[str, str]) -> str | None:
    """The key id a request says it is signed with (draft-cavage `Signature`, RFC 9421
    `Signature-Input`), unchecked: only for refusing a throttled origin early. Headers are
    lower-case."""
    found = _KEY_ID.search(headers.get("signature-input") or headers.get("signature") or "")
    return found.group(1) if found else None


class Throttles:
    """The node's buckets. Each check raises `RateLimited` (429, with its Retry-After) or
    returns having charged the request; a refused request is charged nothing."""

    def __init__(self, limits: Limits | None = None, clock: Clock = time.monotonic) -> None:
        self.limits = limits = limits or Limits()
        self.inbox_origin = Buckets(limits.inbox_per_origin, clock)
        self.inbox_actor = Buckets(limits.inbox_per_actor, clock)
        self.outbox_token = Buckets(limits.outbox_per_token, clock)
        self.key_origin = Buckets(limits.key_fetches_per_origin, clock)
        self.key_actor = Buckets(limits.key_fetches_per_actor, clock)
        self.fetches = Outstanding(limits.fetches_outstanding_per_origin)
        self.signin_account = Buckets(limits.signin_per_account, clock)
        self.signin_address = Buckets(limits.signin_per_address, clock)
        self.passkey_options_address = Buckets(limits.passkey_options_per_address, clock)
        self.home_signin_address = Buckets(limits.home_signins_per_address, clock)
        self.signup_address = Buckets(limits.signup_per_address, clock)

    def inbox_before(self, origin: str) -> None:
        """Before the signature is checked, the claimed origin is only looked at, never charged:
        anyone can claim any key id, and charging a claim would let a stranger throttle
        mastodon.social here by signing junk in its name. An origin already out of tokens
        (charged for requests it really signed) is refused here, costing no verification."""
        _refuse_if(self.inbox_origin.wait(origin), f"inbox POSTs from {origin}", origin)

    def inbox_after(self, actor: str) -> None:
        """Once the signature holds: the signer's origin and the signer pay one each."""
        origin = origin_of(actor)
        _take_all(
            [(self.inbox_origin, origin), (self.inbox_actor, actor)],
            f"inbox POSTs from {actor}",
            origin,
        )

    def key_fetch(self, key_id: str) -> None:
        """A fetch of a key we do not have (or have again, after a failed check)."""
        actor = key_id.split("#", 1)[0]
        origin = origin_of(key_id)
        if self.fetches.busy(origin):
            _refuse_if(OUTSTANDING_RETRY, f"fetches in flight to {origin}", origin)
        _take_all(
            [(self.key_origin, origin), (self.key_actor, actor)],
            f"key fetches for {key_id}",
            origin,
        )

    def outbox(self, token: str, handle: str) -> None:
        _take_all([(self.outbox_token, token)], f"outbox POSTs by {handle}'s token", handle)

    def signin(self, account: str, address: str) -> None:
        """Before a password is checked: refused (429) when the account, known or not, or the
        address has failed too often; nothing is charged here."""
        wait = max(self.signin_account.wait(account), self.signin_address.wait(address))
        if wait > 0:
            seconds = 3600 if math.isinf(wait) else max(1, math.ceil(wait))
            raise RateLimited(
                f"too many failed sign-ins for {account!r} or from {address}",
                fr=f"Trop d'essais de connexion : réessayez dans {seconds} s. Mot de passe "
                "oublié ? Demandez un nouveau lien à l'équipe du lieu.",
                en=f"Too many sign-in attempts: try again in {seconds} s. Forgot your "
                "password? Ask the place's team for a new link.",
                retry_after=seconds,
            )

    def signin_failed(self, account: str, address: str) -> None:
        """A failed sign-in costs the account and the address one try each."""
        self.signin_account.take(account)
        self.signin_address.take(address)

    def passkey_options(self, address: str) -> None:
        """A passkey challenge handed out: one token from the client address's bucket."""
        _take_all([(self.passkey_options_address, address)], "passkey challenges", address)

    def home_signin_start(self, address: str) -> None:
        """A sign-in through a home place started (a flow kept): one token per address."""
        _take_all([(self.home_signin_address, address)], "sign-ins started elsewhere", address)

    def signup(self, address: str) -> None:
        """A request to join kept (or caught by the honeypot): one token per address."""
        _take_all([(self.signup_address, address)], "requests to join", address)


def _take_all(buckets: list[tuple[Buckets, str]], what: str, who: str) -> None:
    """Take one token from each bucket, or from none of them."""
    _refuse_if(max(b.wait(key) for b, key in buckets), what, who)
    for bucket, key in buckets:
        bucket.take(key)


def _refuse_if(wait: float, what: str, who: str) -> None:
    if wait <= 0:
        return
    seconds = 3600 if math.isinf(wait) else max(1, math.ceil(wait))
    raise RateLimited(
        f"too many {what}: retry in {seconds} s",
        fr=f"Trop de requêtes de {who} : réessayez dans {seconds} s.",
        en=f"Too many requests from {who}: retry in {seconds} s.",
        retry_after=seconds,
    )
