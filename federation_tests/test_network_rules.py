"""A network's rules at work across three real nodes (issue 15: "an adopted admission adds the
place; an adopted rule changes the rule at every member node").

coroutine (A) hosts the network « Réseau BIL » with popcafe (B); fabrik (C) is admitted by
decision. The members are each other's peers at the network's visit rate, so that a member of
A is let in at C's door; an adopted visit rate of 6.00 is the rate of B's next claim to A,
which A accepts; C's bilateral agreement with B is never the network's. B leaves: A drops it,
C keeps it (agreed bilaterally), B keeps no peer it had only through the network. The host
place cannot leave its own network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from . import badges
from .ledger_network import checkin, lines, send_claims
from .network import LocalPlace, Network, wait_for

# The proposal opened and two votes cast by command (a process start each, a second or two;
# more on a loaded machine), then the close waited for.
CLOSE_IN = timedelta(seconds=20)


@dataclass
class Bil:
    a: LocalPlace
    b: LocalPlace
    c: LocalPlace
    group: str


def peers(place: LocalPlace) -> dict[str, tuple[str, str | None]]:
    """The places whose badges `place` honours, with their keys at hand (a door can check
    their grants): actor -> (visit rate, the network the terms come from or None)."""
    rows = place.query("SELECT p.actor_id, p.visit_rate, p.terms_from FROM peers p"
                       " JOIN remote_actors r ON r.id = p.actor_id")  # fmt: skip
    return {r[0]: (r[1], r[2]) for r in rows}


def place_state(place: LocalPlace, group: str) -> str | None:
    found = place.query("SELECT place_state FROM networks WHERE id = ?", (group,))
    return str(found[0][0]) if found and found[0][0] else None


def decide(bil: Bil, proposer: LocalPlace, title: str, kind: str, subject: str) -> None:
    """`proposer` proposes (no mode: the network's); A and B vote pour, before the close."""
    closes = (datetime.now(UTC) + CLOSE_IN).isoformat(timespec="seconds")
    proposer.cli("decision", "propose", "--data", str(proposer.data), "--network", bil.group,
                 "--kind", kind, "--title", title, "--closes", closes,
                 "--subject", subject)  # fmt: skip

    def opened(place: LocalPlace) -> str | None:
        found = place.query("SELECT id FROM decisions WHERE json_extract(proposal, '$.name') = ?",
                            (title,))  # fmt: skip
        return str(found[0][0]) if found else None

    decision = wait_for(lambda: opened(bil.a) and opened(bil.b), what=f"« {title} » opened")
    for place in (bil.a, bil.b):
        place.cli("decision", "vote", "--data", str(place.data), "--decision", str(decision),
                  "--choice", "pour")  # fmt: skip


@pytest.fixture(scope="module")
def bil(network: Network) -> Bil:
    """A hosts the network with B; C is admitted by decision."""
    places = network({"coroutine": ["alice"], "popcafe": [], "fabrik": []})
    a, b, c = places["coroutine"], places["popcafe"], places["fabrik"]
    group = a.cli("network", "create", "--data", str(a.data), "--handle", "bil",
                  "--name", "Réseau BIL").stdout.strip().splitlines()[-1]  # fmt: skip
    b.cli("network", "join", "--data", str(b.data), "--network", group)
    a.cli("network", "admit", "--data", str(a.data), "--network", "bil",
          "--place", b.actor_id())  # fmt: skip
    wait_for(lambda: peers(b).get(a.actor_id()) == ("5.00", group), what="A a peer of B")
    c.cli("network", "join", "--data", str(c.data), "--network", group)
    wait_for(lambda: a.query("SELECT 1 FROM network_members WHERE place = ?", (c.actor_id(),)),
             what="C's join request at the network")  # fmt: skip
    bil = Bil(a, b, c, group)
    decide(bil, b, "Admettre La Fabrik", "admit", c.actor_id())
    wait_for(lambda: place_state(c, group) == "member", timeout=30, what="C admitted")
    return bil


def test_the_members_are_peers_at_the_network_rate_and_a_badge_opens_every_door(
    bil: Bil,
) -> None:
    a, b, c = bil.a.actor_id(), bil.b.actor_id(), bil.c.actor_id()
    at_rate = ("5.00", bil.group)
    wait_for(lambda: peers(bil.c) == {a: at_rate, b: at_rate}, what="A and B peers of C")
    wait_for(lambda: peers(bil.a) == {b: at_rate, c: at_rate}, what="B and C peers of A")
    wait_for(lambda: peers(bil.b) == {a: at_rate, c: at_rate}, what="A and C peers of B")
    # Alice of A at C's door: C's trust bundle holds A's keys, no one typed `peer add`.
    code, decision = badges.checkin(bil.c, badges.issue(bil.a), badges.CARD)
    assert code == 0 and decision["decision"] == "accept", decision


@pytest.fixture(scope="module")
def new_rate(bil: Bil) -> str:
    """C agrees 4.00 with B bilaterally; then the network adopts a visit rate of 6.00."""
    bil.c.cli("peer", "add", "--data", str(bil.c.data), "--actor", bil.b.actor_id(),
              "--visit-rate", "4.00")  # fmt: skip
    decide(bil, bil.a, "Passage à 6 €", "rule", "visitRate=6.00")
    for place, other in ((bil.a, bil.b), (bil.b, bil.a), (bil.c, bil.a)):
        wait_for(lambda p=place, o=other: peers(p).get(o.actor_id(), ("",))[0] == "6.00",
                 timeout=30, what=f"6.00 at {place.handle}")  # fmt: skip
    return "6.00"


def test_an_adopted_rate_is_the_next_claims_and_the_home_place_accepts_it(
    bil: Bil, new_rate: str
) -> None:
    # The agreement between C and B is theirs: the network's rate never replaces it.
    assert peers(bil.c)[bil.b.actor_id()] == ("4.00", None)
    visit = checkin(bil.a, bil.b, badges.issue(bil.a))
    out = send_claims(bil.b)
    assert "1 passage(s), 6.00 EUR" in out, out
    wait_for(lambda: lines(bil.b, "sent").get(visit, ("",))[0] == "accepted",
             timeout=30, what="A accepting B's claim")  # fmt: skip
    assert lines(bil.a, "received")[visit] == ("accepted", None)
    rate = bil.a.query("SELECT c.rate_cents FROM claims c JOIN claim_lines l"
                       " ON l.claim_id = c.id WHERE l.visit_id = ?", (visit,))  # fmt: skip
    assert rate[0][0] == 600


def test_a_place_that_leaves_is_no_peer_but_where_agreed(bil: Bil, new_rate: str) -> None:
    refused = bil.a.cli("network", "leave", "--data", str(bil.a.data), "--network", bil.group,
                        check=False)  # fmt: skip
    assert refused.returncode == 2 and "héberge le réseau" in refused.stderr

    out = bil.b.cli("network", "leave", "--data", str(bil.b.data), "--network", bil.group)
    assert "a quitté le réseau" in out.stdout
    a, b, c = bil.a.actor_id(), bil.b.actor_id(), bil.c.actor_id()
    assert place_state(bil.b, bil.group) is None
    assert peers(bil.b) == {}  # B had A and C through the network only
    wait_for(lambda: b not in peers(bil.a), what="A dropping B")
    wait_for(lambda: sorted(json.loads(bil.c.query("SELECT members FROM networks")[0][0]))
             == sorted([a, c]), what="C told B left")  # fmt: skip
    assert place_state(bil.c, bil.group) == "member"
    assert peers(bil.c) == {a: ("6.00", bil.group), b: ("4.00", None)}
    assert peers(bil.a) == {c: ("6.00", bil.group)}
