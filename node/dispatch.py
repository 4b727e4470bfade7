"""Where domain packages (access, agenda, directory, …) plug into receiving and publishing.

The federation core knows follows, notes, likes; a domain package registers what its own
activities and object types do, keyed by the activity type (`"Join"`) or by the activity and
object types (`"Create:tl:Visit"`, `"Undo:Join"`). Handlers run inside the transaction that
records the activity, so their effects and the activity commit or roll back together:

- `on_receive(key)`: a received activity was verified, authorized and is being applied;
- `on_validate(key)`: a client posted to its outbox; raise `InvalidActivity` to refuse it
  before anything is stored or sent (no transaction: validation must not write);
- `on_publish(key)`: a client's activity is being stored; make its side effects.

Registration happens when the domain package is imported, which `node.app` and `node.cli` do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .activity import type_of
from .sqlite import Connection

if TYPE_CHECKING:
    from .actors.local import LocalActor
    from .context import Node

ReceiveHandler = Callable[[Connection, "Node", dict[str, Any]], Awaitable[None]]
Validator = Callable[["Node", "LocalActor", dict[str, Any]], Awaitable[None]]
PublishHandler = Callable[[Connection, "Node", "LocalActor", dict[str, Any]], Awaitable[None]]

_receive: dict[str, list[ReceiveHandler]] = {}
_validate: dict[str, list[Validator]] = {}
_publish: dict[str, list[PublishHandler]] = {}


def keys_of(activity: dict[str, Any]) -> list[str]:
    """`Kind` and, when the object is embedded and typed, `Kind:ObjectType`."""
    kind = type_of(activity) or ""
    keys = [kind]
    inner = type_of(activity.get("object"))
    if inner:
        keys.append(f"{kind}:{inner}")
    return keys


def on_receive(key: str) -> Callable[[ReceiveHandler], ReceiveHandler]:
    def register(handler: ReceiveHandler) -> ReceiveHandler:
        _receive.setdefault(key, []).append(handler)
        return handler

    return register


def on_validate(key: str) -> Callable[[Validator], Validator]:
    def register(handler: Validator) -> Validator:
        _validate.setdefault(key, []).append(handler)
        return handler

    return register


def on_publish(key: str) -> Callable[[PublishHandler], PublishHandler]:
    def register(handler: PublishHandler) -> PublishHandler:
        _publish.setdefault(key, []).append(handler)
        return handler

    return register


async def received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    for key in keys_of(activity):
        for handler in _receive.get(key, ()):
            await handler(db, node, activity)


async def validate(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    for key in keys_of(activity):
        for handler in _validate.get(key, ()):
            await handler(node, actor, activity)


async def published(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    for key in keys_of(activity):
        for handler in _publish.get(key, ()):
            await handler(db, node, actor, activity)
