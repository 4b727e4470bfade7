"""`/equipe/reglements`: a payment a peer declares waits for the team, who confirms it (the
books move) or refuses it with a reason (sent to the peer); the team declares a payment; the
netting proposal leads to the declaration. Only the team; no change without the CSRF token."""

from __future__ import annotations

import uuid

from tests.node.conftest import InProcessNode, StandIn
from tests.node.web.session import HTML, sign_in_as
from tests.node.web.team.peering import Peer, add_peer, peer_place, shown, signed, words


def declared_by_peer(place: InProcessNode, peer: Peer, amount: str, reference: str) -> str:
    """The peer declares it paid this place `amount`; the settlement's id once it waits."""
    sid = f"{peer.actor.rsplit('/actors', 1)[0]}/settlements/{uuid.uuid4()}"
    signed(place, peer, {"type": "Offer", "object": {
        "id": sid, "type": "tl:Settlement", "attributedTo": peer.actor, "tl:payer": peer.actor,
        "tl:payee": place.actor_id(), "tl:amount": amount, "tl:currency": "EUR",
        "tl:reference": reference}})  # fmt: skip
    place.wait("SELECT 1 FROM settlements WHERE id = ? AND state = 'to_confirm'", (sid,))
    return sid


def test_settlements_are_the_teams_only(place: InProcessNode) -> None:
    sign_in_as(place, "dora", "door")
    assert place.client.get("/equipe/reglements", headers=HTML).status_code == 403
    for path in ("/equipe/reglements/declarer", "/equipe/reglements/repondre"):
        assert place.client.post(path, data={"id": "x"}).status_code == 403


def test_the_team_confirms_a_payment_and_the_balance_moves(
    place: InProcessNode, stand_in: StandIn
) -> None:
    peer = peer_place(stand_in)
    add_peer(place, peer)
    sid = declared_by_peer(place, peer, "10.00", "VIR-2026-001")
    csrf = sign_in_as(place, "theo", "team")
    page = words(place.client.get("/equipe/reglements", headers=HTML))
    assert "Ce paiement attend votre confirmation : 10,00 EUR — La Fabrik → ce lieu" in page

    # Without the token: nothing moves.
    unsigned = {"id": sid, "decision": "confirmer"}
    assert place.client.post("/equipe/reglements/repondre", data=unsigned).status_code == 403
    assert place.query("SELECT state FROM settlements") == [("to_confirm",)]

    answer = place.client.post("/equipe/reglements/repondre",
                               data={"csrf": csrf, "id": sid, "decision": "confirmer"},
                               follow_redirects=False)  # fmt: skip
    assert answer.headers["location"] == "/equipe/reglements?fait=confirme"
    assert place.query("SELECT state FROM settlements") == [("confirmed",)]
    stand_in.wait_received(lambda b: b.get("type") == "Accept" and b.get("tl:settlement") == sid)
    page = words(place.client.get("/equipe/reglements?fait=confirme", headers=HTML))
    assert "Paiement confirmé" in page and "Aucun paiement à confirmer." in page
    # We now owe the peer what it paid us: the netting proposes we pay it back.
    assert "ce lieu → La Fabrik : 10,00 EUR — Préparer la déclaration" in page


def test_the_team_refuses_a_payment_with_its_reason(
    place: InProcessNode, stand_in: StandIn
) -> None:
    peer = peer_place(stand_in)
    add_peer(place, peer)
    sid = declared_by_peer(place, peer, "7.00", "VIR-X")
    csrf = sign_in_as(place, "theo", "team")
    form = {"csrf": csrf, "id": sid, "decision": "refuser",
            "reason": "Aucun virement de 7 € reçu le 1er."}  # fmt: skip
    answer = place.client.post("/equipe/reglements/repondre", data=form, follow_redirects=False)
    assert answer.headers["location"] == "/equipe/reglements?fait=refuse"
    reject = stand_in.wait_received(lambda b: b.get("type") == "Reject")
    assert reject["summary"] == "Aucun virement de 7 € reçu le 1er."
    assert reject["tl:reason"] == "not_received"
    assert place.query("SELECT state FROM settlements") == [("refused",)]
    assert place.query("SELECT * FROM ledger_entries") == []
    again = place.client.post("/equipe/reglements/repondre", data=form)
    assert again.status_code == 400 and "Aucun règlement" in shown(again)


def test_the_team_declares_a_payment(place: InProcessNode, stand_in: StandIn) -> None:
    peer = peer_place(stand_in)
    add_peer(place, peer)
    csrf = sign_in_as(place, "theo", "team")
    form = {"csrf": csrf, "peer": peer.actor, "amount": "12,50", "reference": "", "way": "paid"}
    missing = place.client.post("/equipe/reglements/declarer", data=form)
    assert missing.status_code == 400 and "Indiquez la référence du virement" in shown(missing)
    assert 'value="12,50"' in missing.text
    form["reference"] = "VIR-42"
    answer = place.client.post("/equipe/reglements/declarer", data=form, follow_redirects=False)
    assert answer.headers["location"] == "/equipe/reglements?fait=declare"
    offer = stand_in.wait_received(lambda b: b.get("type") == "Offer")
    assert offer["object"]["tl:amount"] == "12.50"
    assert offer["object"]["tl:payer"] == place.actor_id()
    page = words(place.client.get("/equipe/reglements?fait=declare", headers=HTML))
    assert "Paiement déclaré" in page
    assert "ce lieu La Fabrik 12,50 EUR VIR-42 en attente du pair" in page
