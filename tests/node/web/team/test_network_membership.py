"""The team's pages for a place that belongs to a network hosted elsewhere (the stand-in plays
the Group and two member places): the peers the network made, said as such and not removable
by hand; the credit form's overdraft left empty opens on the network's; "Quitter le réseau"
on /equipe/decisions, sent once the team ticked the box, and refused for the network the
place hosts."""

from __future__ import annotations

import pytest

from tests.node.conftest import InProcessNode, StandIn
from tests.node.governance.membership import Bil, join
from tests.node.web.session import HTML, run, sign_in_as
from tests.node.web.team.peering import shown, words


@pytest.fixture
def bil(place: InProcessNode, stand_in: StandIn) -> Bil:
    return join(place, stand_in)


def test_the_peers_page_says_which_peers_the_network_made(place: InProcessNode, bil: Bil) -> None:
    run("peer", "add", "--data", str(place.config.data_dir), "--actor", bil.fabrik.actor,
        "--visit-rate", "4.00")  # fmt: skip
    csrf = sign_in_as(place, "theo", "team")
    page = words(place.client.get("/equipe/pairs", headers=HTML))
    assert "Prix par passage 5,00 EUR Conditions Tarif du réseau Réseau BIL" in page
    assert "Prix par passage 4,00 EUR Conditions Accord bilatéral" in page
    text = shown(place.client.get("/equipe/pairs", headers=HTML))
    assert 'aria-label="Retirer : La Fabrik"' in text  # the bilateral one only
    assert text.count("Retirer :") == 1
    # Its bilateral agreement ended, La Fabrik stays a peer through the network.
    ended = place.client.post("/equipe/pairs/retirer", data={"csrf": csrf,
                              "actor": bil.fabrik.actor}, follow_redirects=False)  # fmt: skip
    assert ended.headers["location"] == "/equipe/pairs?fait=reseau"
    page = words(place.client.get(ended.headers["location"], headers=HTML))
    assert "reste un pair par votre réseau commun" in page
    # A peer the network made is not removed by hand: refused with what to do.
    refused = place.client.post("/equipe/pairs/retirer", data={"csrf": csrf,
                                "actor": bil.popcafe.actor})  # fmt: skip
    assert refused.status_code == 403 and "quitter le réseau" in shown(refused)
    assert place.query("SELECT COUNT(*) FROM peers WHERE terms_from = ?", (bil.group,)) == [(2,)]


def test_credit_sold_with_no_overdraft_opens_on_the_networks(
    place: InProcessNode, bil: Bil
) -> None:
    csrf = sign_in_as(place, "tom", "team")
    page = words(place.client.get("/equipe/membres/alice", headers=HTML))
    assert "un nouveau compte prend celui du réseau du lieu, et le suit" in page
    assert "10,00 EUR" in page
    sold = place.client.post("/equipe/membres/alice/credit", follow_redirects=False,
                             data={"csrf": csrf, "account": "alice", "amount": "20"})  # fmt: skip
    assert sold.status_code == 303, sold.text
    assert place.query("SELECT overdraft_cents, overdraft_from FROM credit_accounts") == [
        (1000, bil.group)
    ]


def test_the_team_leaves_the_network_once_it_ticked_the_box(place: InProcessNode, bil: Bil) -> None:
    csrf = sign_in_as(place, "theo", "team")
    page = shown(place.client.get("/equipe/decisions", headers=HTML))
    assert 'action="/equipe/decisions/quitter"' in page and "Quitter le réseau" in page
    unticked = place.client.post("/equipe/decisions/quitter",
                                 data={"csrf": csrf, "network": bil.group})  # fmt: skip
    assert unticked.status_code == 400 and "Cochez la case" in shown(unticked)
    assert place.query("SELECT place_state FROM networks") == [("member",)]
    without_token = place.client.post("/equipe/decisions/quitter",
                                      data={"network": bil.group, "confirm": "oui"})  # fmt: skip
    assert without_token.status_code == 403

    form = {"csrf": csrf, "network": bil.group, "confirm": "oui"}
    left = place.client.post("/equipe/decisions/quitter", data=form, follow_redirects=False)
    assert left.headers["location"] == "/equipe/decisions?fait=quitte"
    assert "Le lieu a quitté le réseau" in shown(place.client.get(left.headers["location"],
                                                                  headers=HTML))  # fmt: skip
    assert bil.stand_in.wait_received(lambda a: a.get("type") == "Leave")["object"] == bil.group
    assert place.query("SELECT place_state FROM networks") == [(None,)]
    assert place.query("SELECT COUNT(*) FROM peers") == [(0,)]


def test_the_host_place_has_no_leave_button_and_cannot_leave(place: InProcessNode) -> None:
    run("network", "create", "--data", str(place.config.data_dir), "--handle", "bil",
        "--name", "Réseau BIL")  # fmt: skip
    csrf = sign_in_as(place, "theo", "team")
    page = shown(place.client.get("/equipe/decisions", headers=HTML))
    assert "Ce lieu héberge le réseau : il ne peut pas le quitter." in page
    assert 'action="/equipe/decisions/quitter"' not in page
    refused = place.client.post("/equipe/decisions/quitter", data={
        "csrf": csrf, "network": place.actor_id("bil"), "confirm": "oui"})  # fmt: skip
    assert refused.status_code == 400 and "héberge le réseau" in shown(refused)
    assert place.query("SELECT place_state FROM networks") == [("member",)]
