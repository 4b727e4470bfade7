"""The queues' states: each graph walked, every move declared allowed, every other refused."""

from __future__ import annotations

import sqlite3
from itertools import product

import pytest

from node.queues import DeliveryState, IllegalTransition, InboxState, QueueState, declare
from node.store import SCHEMAS


@pytest.mark.parametrize(
    ("states", "stored", "moves"),
    [
        (
            InboxState,
            ["new", "applied", "failed"],
            {("new", "new"), ("new", "applied"), ("new", "failed")},
        ),
        (
            DeliveryState,
            ["pending", "delivered", "failed"],
            {("pending", "pending"), ("pending", "delivered"), ("pending", "failed")},
        ),
    ],
)
def test_walk_the_graph(
    states: type[QueueState], stored: list[str], moves: set[tuple[str, str]]
) -> None:
    # The values stay the strings old databases hold.
    assert [s.value for s in states] == stored
    for before, after in product(states, states):
        if (before.value, after.value) in moves:
            assert before.to(after) is after
        else:
            with pytest.raises(IllegalTransition):
                before.to(after)
    # Walked from the first state, every state is reached, and the walk ends in final ones.
    first = next(iter(states))
    seen, todo = {first}, [first]
    while todo:
        for after in todo.pop().next_states:
            if after not in seen:
                seen.add(after)
                todo.append(after)
    assert seen == set(states)
    assert {s for s in states if s.is_final} == set(states) - {first}


def test_rows_start_in_the_first_state() -> None:
    conn = sqlite3.connect(":memory:")
    for schema in SCHEMAS:
        conn.executescript(schema)
    conn.execute("INSERT INTO inbox_queue (activity_id, document, received_at) VALUES ('a','{}',0)")
    conn.execute(
        "INSERT INTO deliveries (activity_id, inbox, signer, next_attempt_at, created_at)"
        " VALUES ('a','i','s',0,0)"
    )
    assert conn.execute("SELECT state FROM inbox_queue").fetchone()[0] == InboxState.NEW
    assert conn.execute("SELECT state FROM deliveries").fetchone()[0] == DeliveryState.PENDING


def test_a_graph_is_checked_when_declared() -> None:
    class Door(QueueState):
        SHUT = "shut"
        OPEN = "open"
        BROKEN = "broken"

    with pytest.raises(TypeError, match="every state"):
        declare(Door, {Door.SHUT: (Door.OPEN,), Door.OPEN: ()})
    with pytest.raises(TypeError, match="unreachable"):
        declare(Door, {Door.SHUT: (Door.OPEN,), Door.OPEN: (Door.SHUT,), Door.BROKEN: ()})
    with pytest.raises(TypeError, match="outside its queue"):
        declare(Door, {Door.SHUT: (InboxState.NEW,), Door.OPEN: (), Door.BROKEN: ()})  # type: ignore[dict-item]
