"""The one routing table of activities: (activity type, object type) → what each domain does.

Each domain declares its routes as data (`ACTIVITY_ROUTES`, a list of `Route`) beside its
handlers; `app.py` builds one `Table` from the domains' lists, in an order it writes out, and
the node applies received and published activities through it. `Table.describe()` prints it
(`python -m node.app` prints the node's), one line per route.

A route's handlers run inside the transaction that records the activity, so their effects
and the activity commit or roll back together:

- `on_validate`: a client posted to its outbox; fill in what it may leave out, or raise
  `InvalidActivity` to refuse it before anything is stored or sent (no transaction: it must
  not write);
- `on_publish`: a local actor's activity is being stored: the publishing side's effects;
- `on_receive`: a received activity was verified, authorized and is being applied (also a
  local actor's activity reaching a local recipient, through the inbox queue);
- `on_arrival`: a peer POSTed it to an inbox, its HTTP signature holds: check what the
  request's answer must already say (an object's own signature, with the network at hand),
  raising an `InterlieuxError` to refuse it with its 4xx and reason, before it is stored (no
  transaction: it must not write into the inbox's; what it fetches, the directory caches).
  A domain that must take the activity at the time it arrived (a vote counts if it reached
  the network before the close) writes its own row in its own transaction, idempotent by
  the activity's id (a retry arrives again).

Order: for an activity of type `T`, first the routes `(T, any object)` in the domains' order,
then the routes `(T, O)` where `O` is the embedded object's type, read after the first group
ran (the first group may complete the object: the Join an Accept answers, an actor's own
document in its Update). The core domains come first, so their effects are made before any
domain's hook sees the activity.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .activity import type_of
from .sqlite import Connection

if TYPE_CHECKING:
    from .actors.local import LocalActor
    from .context import Node

ReceiveHandler = Callable[[Connection, "Node", dict[str, Any]], Awaitable[None]]
Validator = Callable[["Node", "LocalActor", dict[str, Any]], Awaitable[None]]
PublishHandler = Callable[[Connection, "Node", "LocalActor", dict[str, Any]], Awaitable[None]]
ArrivalCheck = Callable[["Node", dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    """What one domain does with one kind of activity, received or published."""

    activity: str
    object: str | None = None  # the embedded object's type; None: whatever the object
    on_receive: ReceiveHandler | None = None
    on_validate: Validator | None = None
    on_publish: PublishHandler | None = None
    on_arrival: ArrivalCheck | None = None

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.activity, self.object)


def either_side(effect: ReceiveHandler) -> PublishHandler:
    """An effect that is the same whoever made the activity, as a publishing handler: a Like
    is recorded alike whether our member or a peer's made it."""

    @functools.wraps(effect)
    async def published(
        db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
    ) -> None:
        await effect(db, node, activity)

    return published


@dataclass(frozen=True)
class Entry:
    """A route in the table, with the domain that declared it."""

    domain: str
    route: Route


class DuplicateRoute(ValueError):
    """A domain declared the same (activity, object) twice: one of them would be forgotten."""


def _spellings(kind: str) -> tuple[str, ...]:
    """`tl:Need` and `Need` are one type in the network's context: a route declared with
    either spelling takes both (a client writing `tl:Need` would otherwise skip the needs'
    checks)."""
    if kind.startswith("tl:"):
        return (kind, kind.removeprefix("tl:"))
    return (kind,) if ":" in kind else (kind, f"tl:{kind}")


class Table:
    """Every domain's routes, in the order the domains were given."""

    def __init__(self, domains: Iterable[tuple[str, Sequence[Route]]]) -> None:
        self.entries: tuple[Entry, ...] = ()
        self._by_key: dict[tuple[str, str | None], list[Entry]] = {}
        entries: list[Entry] = []
        for domain, routes in domains:
            seen: set[tuple[str, str | None]] = set()
            for route in routes:
                # Across domains a key may repeat (a Join of an event, a Join of the place):
                # each runs, in the domains' order. Within one domain it is a mistake.
                if route.key in seen:
                    raise DuplicateRoute(f"{domain} routes {_label(route.key)} twice")
                seen.add(route.key)
                entry = Entry(domain, route)
                entries.append(entry)
                self._by_key.setdefault(route.key, []).append(entry)
        self.entries = tuple(entries)

    def _matching(self, activity: dict[str, Any]) -> Iterable[Route]:
        kind = type_of(activity) or ""
        for entry in self._by_key.get((kind, None), ()):
            yield entry.route
        # Read only now: the routes above may have completed the object.
        inner = type_of(activity.get("object"))
        if inner is not None:
            for spelling in _spellings(inner):
                for entry in self._by_key.get((kind, spelling), ()):
                    yield entry.route

    async def received(self, db: Connection, node: Node, activity: dict[str, Any]) -> None:
        for route in self._matching(activity):
            if route.on_receive is not None:
                await route.on_receive(db, node, activity)

    async def arrived(self, node: Node, activity: dict[str, Any]) -> None:
        for route in self._matching(activity):
            if route.on_arrival is not None:
                await route.on_arrival(node, activity)

    async def validate(self, node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
        for route in self._matching(activity):
            if route.on_validate is not None:
                await route.on_validate(node, actor, activity)

    async def published(
        self, db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
    ) -> None:
        for route in self._matching(activity):
            if route.on_publish is not None:
                await route.on_publish(db, node, actor, activity)

    def describe(self) -> str:
        """The table on one screen: one line per route, in the order routes run."""
        width = max((len(_label(e.route.key)) for e in self.entries), default=0)
        lines = []
        for entry in sorted(self.entries, key=_reading_order(self.entries)):
            route = entry.route
            steps = [
                f"{name}={_name_of(handler)}"
                for name, handler in (
                    ("validate", route.on_validate),
                    ("publish", route.on_publish),
                    ("receive", route.on_receive),
                    ("arrival", route.on_arrival),
                )
                if handler is not None
            ]
            lines.append(f"{_label(route.key):<{width}}  {entry.domain:<11} {' '.join(steps)}")
        return "\n".join(lines)


def _label(key: tuple[str, str | None]) -> str:
    return f"{key[0]} {key[1] or '*'}"


def _name_of(handler: Callable[..., Any]) -> str:
    return getattr(handler, "__name__", repr(handler)).lstrip("_")


def _reading_order(entries: Sequence[Entry]) -> Callable[[Entry], tuple[str, bool, str, int]]:
    """By activity type, the any-object routes first (they run first), then by object type;
    routes of one key in the order they run."""
    position = {id(e): i for i, e in enumerate(entries)}
    return lambda e: (
        e.route.activity,
        e.route.object is not None,
        e.route.object or "",
        position[id(e)],
    )
