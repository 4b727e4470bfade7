"""The routing table: what the domains declare, in the order they run, on one screen."""

from __future__ import annotations

import asyncio
import importlib
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from node import app, routing
from node.routing import DuplicateRoute, Route, Table

# Keys that several domains route, on purpose, in the order their handlers run. A new
# collision is a decision: add it here after checking the order is the one it needs.
SHARED = {
    ("Accept", None): ["completion", "follows", "backfill"],
    ("Accept", "Join"): ["agenda", "residents"],
    # a claim's, a settlement's or a volunteer's offer: each finds its own row or leaves it
    ("Accept", "Offer"): ["claims", "settlements", "volunteering"],
    ("Create", None): ["objects", "graph"],
    # the commons make a pledge a readable Note, then co-financing signs what will be sent
    ("Create", "Pledge"): ["commons", "cofinancing"],
    # the badges keep a peer's report of a member's visit, then the claims note when it came
    ("Create", "tl:Visit"): ["badges", "claims"],
    # a project's interests end with it, after its tombstone
    ("Delete", None): ["objects", "erasure", "interests", "graph"],
    ("Follow", None): ["completion", "follows"],
    # a Join of an event, of the place (residency), of a network hosted here: each looks at
    # its own object and leaves the others
    ("Join", None): ["agenda", "residents", "governance"],
    # every Like is a reaction; a place's signed Like of a step is also its support of it
    ("Like", None): ["reactions", "support"],
    # an Add to a followed place's residents, to a network's members or decisions
    ("Add", None): ["governance", "graph"],
    # a Leave of an event, of a network hosted here
    ("Leave", None): ["agenda", "governance"],
    # a Remove from a followed place's residents, from a network's members
    ("Remove", None): ["governance", "graph"],
    ("Reject", None): ["completion", "follows", "graph"],
    ("Reject", "Join"): ["agenda", "residents"],
    ("Reject", "Offer"): ["claims", "settlements"],
    # an Undo of a Follow of a project: no follow row, no reaction; an interest withdrawn
    ("Undo", None): ["completion", "follows", "reactions", "agenda", "interests"],
    ("Update", None): ["objects", "graph"],
    # the commons change a pledge to a project; co-financing refuses to change a signed one
    ("Update", "Pledge"): ["commons", "cofinancing"],
}


def test_the_table_is_what_the_domains_declare_in_their_order() -> None:
    table = app.activity_table()
    declared = [(name, route) for name, routes in app.ACTIVITY_DOMAINS for route in routes]
    assert [(e.domain, e.route) for e in table.entries] == declared
    assert len({name for name, _ in app.ACTIVITY_DOMAINS}) == len(app.ACTIVITY_DOMAINS)


def test_every_module_that_declares_routes_is_in_the_table() -> None:
    """A domain's routes that app.py forgot would never run: nothing would say so."""
    root = Path(app.__file__).parent
    declaring = {
        ".".join(("node", *path.relative_to(root).with_suffix("").parts))
        for path in root.rglob("*.py")
        if "\nACTIVITY_ROUTES" in path.read_text(encoding="utf-8")
    }
    listed = {id(routes) for _, routes in app.ACTIVITY_DOMAINS}
    assert declaring, "no module declares ACTIVITY_ROUTES"
    for module in sorted(declaring):
        assert id(importlib.import_module(module).ACTIVITY_ROUTES) in listed, module


def test_no_key_is_routed_twice_unless_on_purpose() -> None:
    by_key: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for entry in app.activity_table().entries:
        by_key[entry.route.key].append(entry.domain)
    assert {k: v for k, v in by_key.items() if len(v) > 1} == SHARED


def test_every_route_does_something() -> None:
    for entry in app.activity_table().entries:
        r = entry.route
        assert r.on_receive or r.on_validate or r.on_publish or r.on_arrival, entry


def test_a_domain_routing_a_key_twice_is_refused() -> None:
    async def noop(*_: Any) -> None:
        pass

    with pytest.raises(DuplicateRoute, match="agenda routes Join \\*"):
        Table([("agenda", [Route("Join", on_receive=noop), Route("Join", on_receive=noop)])])


def test_the_table_reads_on_one_screen() -> None:
    text = app.activity_table().describe()
    print(text)
    lines = text.splitlines()
    # With governance: 61; with the steps' supports and evaluations, the interest in projects
    # (Follow of a Project, its Undo, the home's Reject, the Introduction, a project's Delete)
    # and a network's Leave and Remove: 82. One tall screen, still read top to bottom.
    assert len(lines) == len(app.activity_table().entries) <= 90
    assert max(map(len, lines)) <= 120
    words = [" ".join(line.split()) for line in lines]
    assert "Follow * follows publish=follow_published receive=follow_received" in words


def test_any_object_routes_run_first_and_may_complete_the_object() -> None:
    """The order the inbox and the outbox rely on: the core before the domains, the routes of
    any object before those of the object's type, read once the first ones completed it."""
    ran: list[str] = []

    def record(name: str) -> routing.ReceiveHandler:
        async def handler(db: Any, node: Any, activity: dict[str, Any]) -> None:
            ran.append(name)
            if name == "core":
                activity["object"] = {"type": "Join", "id": "j"}  # as completion embeds it

        return handler

    table = Table(
        [
            ("core", [Route("Accept", on_receive=record("core"))]),
            ("agenda", [Route("Accept", "Join", on_receive=record("agenda-join"))]),
            ("residents", [Route("Accept", "Join", on_receive=record("residents-join")),
                           Route("Accept", on_receive=record("residents"))]),
            ("claims", [Route("Accept", "Offer", on_receive=record("claims"))]),
        ]
    )  # fmt: skip
    asyncio.run(table.received(None, None, {"type": "Accept", "object": "j"}))  # type: ignore[arg-type]
    assert ran == ["core", "residents", "agenda-join", "residents-join"]
