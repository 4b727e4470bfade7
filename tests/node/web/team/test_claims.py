"""`/equipe/reclamations`: a member of a peer place checks in at this place's desk, the team
claims the month now from the page, the peer accepts, and the page shows the line accepted
while the ledger with the peer shows what it owes. Only the team; a form without its CSRF
token sends nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from node.web.team.peers import peer_key
from tests.node.conftest import InProcessNode, StandIn
from tests.node.web.session import HTML, sign_in_as
from tests.node.web.team.peering import add_peer, peer_place, shown, signed, visit, words


def this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def test_claims_are_the_teams_only(place: InProcessNode) -> None:
    sign_in_as(place, "dora", "door")
    assert place.client.get("/equipe/reclamations", headers=HTML).status_code == 403
    answer = place.client.post("/equipe/reclamations/envoyer", data={"period": this_month()})
    assert answer.status_code == 403


def test_without_its_csrf_token_nothing_is_claimed(place: InProcessNode, stand_in: StandIn) -> None:
    peer = peer_place(stand_in)
    add_peer(place, peer)
    visit(place, peer)
    sign_in_as(place, "theo", "team")
    answer = place.client.post("/equipe/reclamations/envoyer", data={"period": this_month()})
    assert answer.status_code == 403
    assert "Ce formulaire a expiré" in shown(answer)
    assert place.query("SELECT * FROM claims") == []


def test_a_month_is_claimed_from_the_page_and_the_answer_shows(
    place: InProcessNode, stand_in: StandIn
) -> None:
    peer = peer_place(stand_in)
    add_peer(place, peer, rate="5.00")
    visited = visit(place, peer)
    csrf = sign_in_as(place, "theo", "team")
    page = place.client.get("/equipe/reclamations", headers=HTML)
    assert "Aucune réclamation envoyée." in shown(page)

    answer = place.client.post("/equipe/reclamations/envoyer",
                               data={"csrf": csrf, "period": this_month()},
                               follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == "/equipe/reclamations?envoyees=1&ignores=0&attente=0"
    page = place.client.get(answer.headers["location"], headers=HTML)
    assert "1 réclamation(s) envoyée(s)." in shown(page)
    assert "en attente de réponse" in shown(page) and visited in shown(page)
    assert "5,00 EUR" in shown(page)

    offer = stand_in.wait_received(lambda body: body.get("type") == "Offer")
    signed(place, peer, {"type": "Accept", "object": {"id": offer["id"], "type": "Offer"},
                         "tl:lines": [visited]})  # fmt: skip
    place.wait("SELECT 1 FROM claim_lines WHERE state = 'accepted'")
    page = shown(place.client.get("/equipe/reclamations", headers=HTML))
    assert "acceptée" in page and "en attente de réponse" not in page

    ledger = words(place.client.get(f"/equipe/pairs/{peer_key(peer.actor)}", headers=HTML))
    assert "5,00 EUR — vous doit" in ledger
    assert "Réclamation acceptée" in ledger
    csv = place.client.get(f"/equipe/pairs/{peer_key(peer.actor)}.csv").text.splitlines()
    assert csv[1].split(";")[2:6] == ["claim", "Réclamation acceptée", f"peer:{peer.actor}",
                                      "5,00"]  # fmt: skip

    again = place.client.post("/equipe/reclamations/envoyer",
                              data={"csrf": csrf, "period": this_month()})  # fmt: skip
    assert "Rien de nouveau à réclamer pour ce mois." in shown(again)


def test_a_confirmation_link_shows_counts_only_never_its_text(place: InProcessNode) -> None:
    sign_in_as(place, "theo", "team")
    forged = place.client.get("/equipe/reclamations?envoyees=<b>x</b>&confirmes=-1",
                              headers=HTML)  # fmt: skip
    assert forged.status_code == 200
    assert "<b>x</b>" not in forged.text and "&lt;b&gt;x" not in forged.text
    assert "réclamation(s) envoyée(s)" not in shown(forged)
    assert "passage(s) confirmé(s)" not in shown(forged)
    counted = place.client.get("/equipe/reclamations?envoyees=2&ignores=1 OR 1", headers=HTML)
    assert "2 réclamation(s) envoyée(s)." in shown(counted)
    assert "1 OR 1" not in counted.text and "pas un pair" not in shown(counted)


def test_a_wrong_month_is_said_on_the_form(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "theo", "team")
    answer = place.client.post("/equipe/reclamations/envoyer",
                               data={"csrf": csrf, "period": "mai"})  # fmt: skip
    assert answer.status_code == 400
    assert "La période « mai » doit être un mois" in shown(answer)
