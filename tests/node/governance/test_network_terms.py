"""What a network's announcements make of a member node, in-process: the node (La Coroutine)
belongs to a network whose Group and two other member places are played by the stand-in.
The members become peers at the network's rate and their badges are honoured at the desk;
an adopted rate changes the peers' terms (a claim already sent keeps its own) but never a
bilateral agreement; accounts opened on the network's overdraft follow it; a place that
leaves is no peer any more, and our place leaving drops what it had only through the
network."""

from __future__ import annotations

import contextlib
import io
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from node.access import grant as grants
from node.cli import main as cli
from tests.node.conftest import InProcessNode, StandIn
from tests.node.web.session import run
from tests.node.web.team.peering import Peer, visit

from .membership import Bil, applied, join, peers


@pytest.fixture
def bil(place: InProcessNode, stand_in: StandIn) -> Bil:
    return join(place, stand_in)


def checkin(place: InProcessNode, peer: Peer) -> dict[str, Any]:
    now = int(time.time())
    _, data = grants.issue(peer.badge_key, peer.actor, peer.member(), None, now - 60,
                           now + 86400)  # fmt: skip
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli(["checkin", "--data", str(place.config.data_dir), "--grant",
                    grants.to_text(data)])  # fmt: skip
    decision = dict(json.loads(out.getvalue()))
    assert code == (0 if decision["decision"] == "accept" else 1)
    return decision


def claims_sent(place: InProcessNode) -> dict[str, list[int]]:
    rows = place.query("SELECT peer, rate_cents FROM claims WHERE direction = 'sent'"
                       " ORDER BY created_at")  # fmt: skip
    out: dict[str, list[int]] = {}
    for peer, rate in rows:
        out.setdefault(peer, []).append(rate)
    return out


def test_the_members_are_peers_at_the_network_rate_and_their_badges_are_honoured(
    place: InProcessNode, bil: Bil
) -> None:
    assert peers(place) == {
        bil.popcafe.actor: ("5.00", bil.group),
        bil.fabrik.actor: ("5.00", bil.group),
    }
    place.wait("SELECT 1 FROM remote_actors WHERE id = ?", (bil.popcafe.actor,))
    decision = checkin(place, bil.popcafe)
    assert decision["decision"] == "accept", decision
    listing = run("peer", "list", "--data", str(place.config.data_dir))
    assert f"{bil.popcafe.actor}\t5.00 EUR par passage\tréseau {bil.group}" in listing
    # A peer the network made is one while both are members: not removed by hand.
    data = str(place.config.data_dir)
    assert cli(["peer", "remove", "--data", data, "--actor", bil.popcafe.actor]) == 2


def test_an_adopted_rate_changes_the_networks_peers_not_a_bilateral_agreement(
    place: InProcessNode, bil: Bil
) -> None:
    data = str(place.config.data_dir)
    run("peer", "add", "--data", data, "--actor", bil.fabrik.actor, "--visit-rate", "4.00")
    assert peers(place)[bil.fabrik.actor] == ("4.00", None)
    visit(place, bil.popcafe)
    period = datetime.now(UTC).strftime("%Y-%m")
    run("claims", "send", "--data", data, "--period", period)
    assert claims_sent(place) == {bil.popcafe.actor: [500]}

    bil.rules(place, visitRate="6.00")
    place.wait("SELECT 1 FROM peers WHERE actor_id = ? AND visit_rate = '6.00'",
               (bil.popcafe.actor,))  # fmt: skip
    assert peers(place) == {
        bil.popcafe.actor: ("6.00", bil.group),
        bil.fabrik.actor: ("4.00", None),  # agreed bilaterally: never the network's
    }
    visit(place, bil.popcafe)
    run("claims", "send", "--data", data, "--period", period)
    # The claim already sent keeps its rate; the next one is at the new one.
    assert claims_sent(place) == {bil.popcafe.actor: [500, 600]}

    # The agreement ended, fabrik is a peer on the network's terms again.
    out = run("peer", "remove", "--data", data, "--actor", bil.fabrik.actor)
    assert "reste un pair par le réseau" in out
    assert peers(place)[bil.fabrik.actor] == ("6.00", bil.group)


def test_accounts_opened_on_the_networks_overdraft_follow_it(
    place: InProcessNode, bil: Bil
) -> None:
    data = str(place.config.data_dir)
    run("credit", "sell", "--data", data, "--account", "metropole", "--member", "alice",
        "--amount", "20.00")  # fmt: skip
    run("credit", "sell", "--data", data, "--account", "propre", "--member", "alice",
        "--amount", "20.00", "--overdraft", "2.00")  # fmt: skip
    accounts = "SELECT name, overdraft_cents, overdraft_from FROM credit_accounts ORDER BY name"
    assert place.query(accounts) == [("metropole", 1000, bil.group), ("propre", 200, None)]
    # Another sale to it without an overdraft: the account keeps its own.
    run("credit", "sell", "--data", data, "--account", "propre", "--amount", "5.00")
    assert place.query(accounts)[1] == ("propre", 200, None)

    bil.rules(place, overdraft="15.00")
    place.wait("SELECT 1 FROM credit_accounts WHERE overdraft_cents = 1500")
    assert place.query(accounts) == [("metropole", 1500, bil.group), ("propre", 200, None)]
    # The peers' doors hear of it: the balance again, with the new overdraft.
    sent = bil.stand_in.wait_received(
        lambda a: (
            isinstance(a.get("object"), dict)
            and a["object"].get("tl:account") == "metropole"
            and a["object"].get("tl:overdraft") == "15.00"
        )
    )
    assert sent["type"] == "Create"


def test_a_place_that_left_is_no_peer_unless_agreed_and_our_leaving_drops_the_rest(
    place: InProcessNode, bil: Bil
) -> None:
    data = str(place.config.data_dir)
    run("peer", "add", "--data", data, "--actor", bil.fabrik.actor, "--visit-rate", "4.00")
    run("credit", "sell", "--data", data, "--account", "metropole", "--member", "alice",
        "--amount", "20.00")  # fmt: skip
    bil.members(place, sorted([place.actor_id(), bil.fabrik.actor]), removed=bil.popcafe.actor)
    place.wait("SELECT 1 FROM peers WHERE actor_id = ?", (bil.popcafe.actor,), expect=False)
    assert peers(place) == {bil.fabrik.actor: ("4.00", None)}
    refused = checkin(place, bil.popcafe)
    assert (refused["decision"], refused["reason"]) == ("refuse", "unknown_issuer")

    # Our place leaves: the Leave goes to the Group, the place is no member at once.
    out = run("network", "leave", "--data", data, "--network", bil.group)
    assert "a quitté le réseau" in out
    leave = bil.stand_in.wait_received(lambda a: a.get("type") == "Leave")
    assert (leave["actor"], leave["object"]) == (place.actor_id(), bil.group)
    assert place.query("SELECT place_state FROM networks") == [(None,)]
    assert peers(place) == {bil.fabrik.actor: ("4.00", None)}  # the bilateral one stays
    # The account keeps the overdraft it had, as its own from now on.
    assert place.query("SELECT overdraft_cents, overdraft_from FROM credit_accounts") == [
        (1000, None)
    ]
    # The Group's later announcements are no concern of ours any more.
    bil.rules(place, visitRate="9.00")
    applied(place, bil.members(place, [bil.fabrik.actor, bil.popcafe.actor]))
    assert peers(place) == {bil.fabrik.actor: ("4.00", None)}
    again = cli(["network", "leave", "--data", data, "--network", bil.group])
    assert again == 2
