"""The states of the node's two durable queues and the moves between them, declared once.

    inbox_queue (a received activity to apply)     deliveries (one activity to one inbox)

        new ──┬──> applied                             pending ──┬──> delivered
         ^    │                                         ^        │
         └────┤  (a fetch failed: retried later)        └────────┤  (the peer was down: later)
              └──> failed                                        └──> failed

As takahe's stator does, each state names the states it may become, and the graph is checked
when it is declared; code that writes a state asks for the move (`NEW.to(APPLIED)`), and a
move not declared raises. The stored values are the strings the tables have always held.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Self


class IllegalTransition(RuntimeError):
    """Code asked a queue row to move where its graph does not go: a bug, never data (so not
    an `InterlieuxError`, which is answered to a client or an operator)."""


class QueueState(StrEnum):
    """A queue row's state; each subclass declares its graph with `declare`."""

    def to(self, after: Self) -> Self:
        """`after`, once checked to be a move this state may make."""
        if after not in _GRAPHS[type(self)][self]:
            raise IllegalTransition(f"{type(self).__name__}: {self} cannot become {after}")
        return after

    @property
    def next_states(self) -> frozenset[Self]:
        return frozenset(_GRAPHS[type(self)][self])  # type: ignore[arg-type]

    @property
    def is_final(self) -> bool:
        return not _GRAPHS[type(self)][self]


_GRAPHS: dict[type[QueueState], dict[QueueState, frozenset[QueueState]]] = {}


def declare(states: type[QueueState], graph: Mapping[QueueState, tuple[QueueState, ...]]) -> None:
    """Record `states`' graph, checked whole: every state has its entry, every move lands on
    a state of the same queue, and every state but the first can be reached from it."""
    members = list(states)
    if set(graph) != set(members):
        raise TypeError(f"{states.__name__}: the graph must list every state once")
    for before, afters in graph.items():
        strays = [a for a in afters if not isinstance(a, states)]
        if strays:
            raise TypeError(f"{states.__name__}.{before.name} moves outside its queue: {strays}")
    reached, todo = {members[0]}, [members[0]]
    while todo:
        for after in graph[todo.pop()]:
            if after not in reached:
                reached.add(after)
                todo.append(after)
    if reached != set(members):
        raise TypeError(f"{states.__name__}: unreachable {set(members) - reached}")
    _GRAPHS[states] = {before: frozenset(afters) for before, afters in graph.items()}


class InboxState(QueueState):
    """A received activity in `inbox_queue`; the first state is the one rows start in."""

    NEW = "new"  # stored and answered 202, waiting to be applied (or applied again)
    APPLIED = "applied"  # its effects committed: the id is never applied again
    FAILED = "failed"  # set aside with its reason for the operator, never dropped silently


declare(
    InboxState,
    {
        # A fetch that failed (the sender's server busy) keeps the row new, due later.
        InboxState.NEW: (InboxState.NEW, InboxState.APPLIED, InboxState.FAILED),
        InboxState.APPLIED: (),
        InboxState.FAILED: (),
    },
)


class DeliveryState(QueueState):
    """One activity to one inbox in `deliveries`; the first state is the one rows start in."""

    PENDING = "pending"  # due at next_attempt_at; a worker holds it until locked_until
    DELIVERED = "delivered"  # the peer answered 2xx
    FAILED = "failed"  # refused for good (4xx), or retried past the schedule's max_age


declare(
    DeliveryState,
    {
        # A peer down or slow (5xx, 408, 429, no answer) keeps the row pending, due later.
        DeliveryState.PENDING: (
            DeliveryState.PENDING,
            DeliveryState.DELIVERED,
            DeliveryState.FAILED,
        ),
        DeliveryState.DELIVERED: (),
        DeliveryState.FAILED: (),
    },
)
