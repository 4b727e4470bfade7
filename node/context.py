"""What a node's parts may ask of the running node (pure declarations).

`app.Node` is the one implementation: it assembles the store, the remote actors, the outgoing
client and the workers. The modules below `app` (handlers, routes, commands) depend on this
protocol, so that none of them imports `app`, which imports them all.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import httpx

from .actors.local import LocalActor
from .actors.remote import Directory
from .config import NodeConfig
from .limits import Throttles
from .outbox.availability import Availability
from .outbox.courier import Courier
from .sqlite import Connection
from .store import Store

T = TypeVar("T")


class Wakeable(Protocol):
    """A worker that sleeps until it has work: waking it is how new work is announced."""

    def wake(self) -> None: ...


class Router(Protocol):
    """What received, posted and published activities do (`routing.Table` is the one)."""

    async def received(self, db: Connection, node: Node, activity: dict[str, Any]) -> None: ...

    async def arrived(self, node: Node, activity: dict[str, Any]) -> None: ...

    async def validate(self, node: Node, actor: LocalActor, activity: dict[str, Any]) -> None: ...

    async def published(
        self, db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
    ) -> None: ...


class Node(Protocol):
    # Read-only here: the parts use what the node holds, only `app` sets it up.
    @property
    def config(self) -> NodeConfig: ...

    @property
    def store(self) -> Store: ...

    @property
    def http(self) -> httpx.AsyncClient: ...

    @property
    def courier(self) -> Courier:
        """Posts deliveries (`http` fetches)."""

    @property
    def routing(self) -> Router:
        """What received and published activities do: the domains' routes, in one table."""

    @property
    def directory(self) -> Directory:
        """Remote actors and their keys, fetched signed by the place."""

    @property
    def throttles(self) -> Throttles:
        """The rate limits' buckets (in memory: one process per data folder)."""

    @property
    def availability(self) -> Availability:
        """Which servers are failing or unavailable, for deliveries."""

    @property
    def delivery(self) -> Wakeable:
        """The outgoing queue."""

    @property
    def inbox_worker(self) -> Wakeable:
        """The received activities' queue."""

    @property
    def backfill(self) -> Wakeable:
        """Reading the outboxes of newly followed places."""


class Runner(Protocol):
    """How a command runs a piece of work with the node: `app.run_with_node`, given to the
    domains' commands by `cli`, which assembles them (so that no command imports `app`)."""

    def __call__(self, config: NodeConfig, work: Callable[[Node], Awaitable[T]], /) -> T: ...


# A team's command: its parsed arguments, and how to run work with the node.
Command = Callable[[argparse.Namespace, Runner], int | None]
