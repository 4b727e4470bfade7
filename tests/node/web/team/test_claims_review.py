"""`/equipe/reclamations` when the place answers claims by hand (issue 14): an administrator sets
the rule on the page, a peer's claim waits there, the dashboard counts it, and the team confirms
or disputes its lines (a dispute needs a reason, which the claimant's page then shows). Only the
team decides, only an administrator sets the rule; a form without its CSRF token does nothing."""

from __future__ import annotations

import re

from tests.node.conftest import InProcessNode, StandIn
from tests.node.ledger.claiming import badge, lines_of, report, send_claim
from tests.node.web.session import HTML, run, sign_in_as
from tests.node.web.team.peering import add_peer, peer_place, shown, signed, visit, words
from tests.node.web.team.test_claims import this_month


def claims_to_handle(place: InProcessNode) -> str:
    found = re.search(r'data-count="claims_received">([^<]*)<',
                      place.client.get("/equipe", headers=HTML).text)  # fmt: skip
    assert found
    return found.group(1)


def test_only_the_team_decides_and_only_an_administrator_sets_the_rule(
    place: InProcessNode,
) -> None:
    answer = place.client.post("/equipe/reclamations/decider", data={"claim": "x"},
                               follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"].startswith("/connexion")
    sign_in_as(place, "dora", "door")
    answer = place.client.post("/equipe/reclamations/decider", data={})
    assert answer.status_code == 403 and "réservée à l'équipe du lieu" in shown(answer)
    place.client.cookies.clear()  # signed out
    csrf = sign_in_as(place, "theo", "team")
    page = shown(place.client.get("/equipe/reclamations", headers=HTML))
    assert "Valider les réclamations reçues à la main" not in page  # the admin's form
    answer = place.client.post("/equipe/reclamations/regles", data={"csrf": csrf, "manual": "oui"})
    assert answer.status_code == 403 and "administration" in shown(answer)
    assert place.query("SELECT * FROM claim_review_rules") == []


def test_the_rule_is_set_on_the_page_and_a_claim_is_confirmed_there(
    place: InProcessNode, stand_in: StandIn
) -> None:
    peer = peer_place(stand_in)
    add_peer(place, peer)
    csrf = sign_in_as(place, "adele", "admin")
    page = shown(place.client.get("/equipe/reclamations", headers=HTML))
    assert "répondues par les vérifications du nœud" in page and "La Fabrik" in page

    # Without its token the rule does not change.
    answer = place.client.post("/equipe/reclamations/regles", data={"manual": "oui"})
    assert answer.status_code == 403
    assert place.query("SELECT * FROM claim_review_rules") == []
    answer = place.client.post("/equipe/reclamations/regles",
                               data={"csrf": csrf, "manual": "oui", f"peer:{peer.actor}": "lieu"},
                               follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    page = shown(place.client.get(answer.headers["location"], headers=HTML))
    assert "Règle enregistrée" in page and "validées à la main par l'équipe" in page
    assert "Aucun passage réclamé n'attend votre validation." in page

    first, second = (report(place, peer, badge(place, card)[1])
                     for card in ("04C10000000001", "04C10000000002"))  # fmt: skip
    claim_id = send_claim(place, peer, [first, second])["object"]["id"]
    assert claims_to_handle(place) == "1"
    page = shown(place.client.get("/equipe/reclamations", headers=HTML))
    assert "Réclamation de La Fabrik" in page and "Alice" in page and "accueil" in page
    assert "à valider" in page

    # Without its token nothing is decided.
    answer = place.client.post("/equipe/reclamations/decider",
                               data={"claim": claim_id, "decision": "confirm_all"})  # fmt: skip
    assert answer.status_code == 403
    assert set(lines_of(place, claim_id).values()) == {("pending", None)}

    # Nothing ticked: said on the form.
    nothing = {"csrf": csrf, "claim": claim_id, "decision": "confirm"}
    answer = place.client.post("/equipe/reclamations/decider", data=nothing)
    assert answer.status_code == 400 and "Cochez au moins un passage" in shown(answer)

    answer = place.client.post("/equipe/reclamations/decider",
                               data={"csrf": csrf, "claim": claim_id, "decision": "confirm",
                                     "visit-1": first.visit}, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    page = shown(place.client.get(answer.headers["location"], headers=HTML))
    assert "1 passage(s) confirmé(s)." in page and "Le lieu qui réclame en est prévenu." in page
    assert lines_of(place, claim_id) == {first.visit: ("accepted", None),
                                         second.visit: ("pending", None)}  # fmt: skip
    accept = stand_in.wait_received(lambda b: b.get("type") == "Accept")
    assert accept["tl:lines"] == [first.visit]
    assert "confirmée par adele" in page
    assert claims_to_handle(place) == "1"  # one line still waits

    answer = place.client.post("/equipe/reclamations/decider",
                               data={"csrf": csrf, "claim": claim_id, "decision": "confirm_all"},
                               follow_redirects=False)  # fmt: skip
    assert answer.headers["location"] == "/equipe/reclamations?confirmes=1&contestes=0&deja=0"
    assert lines_of(place, claim_id)[second.visit] == ("accepted", None)
    assert claims_to_handle(place) == "0"
    balance = place.query("SELECT SUM(amount_cents) FROM ledger_entries WHERE account = ?",
                          (f"peer:{peer.actor}",))  # fmt: skip
    assert balance == [(-1000,)]


def test_a_dispute_needs_a_reason_and_the_claimant_reads_it(
    place: InProcessNode, stand_in: StandIn
) -> None:
    peer = peer_place(stand_in)
    add_peer(place, peer)
    data = str(place.config.data_dir)
    run("claims", "rules", "--data", data, "--manual", "oui")
    held = report(place, peer, badge(place, "04D10000000001")[1])
    claim_id = send_claim(place, peer, [held])["object"]["id"]
    csrf = sign_in_as(place, "theo", "team")

    answer = place.client.post("/equipe/reclamations/decider",
                               data={"csrf": csrf, "claim": claim_id, "decision": "dispute",
                                     "visit-1": held.visit, "reason": " "})  # fmt: skip
    assert answer.status_code == 400
    assert "Dites pourquoi vous contestez" in shown(answer)
    assert 'value="' + held.visit + '" checked' in shown(answer)  # what was ticked stays
    assert lines_of(place, claim_id) == {held.visit: ("pending", None)}

    every = {"csrf": csrf, "claim": claim_id, "decision": "dispute_all",
             "reason": "Alice était en congé"}  # fmt: skip
    answer = place.client.post("/equipe/reclamations/decider", data=every,
                               follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    page = words(place.client.get(answer.headers["location"], headers=HTML))
    assert "1 passage(s) contesté(s)." in page
    assert (
        "contesté par l'équipe du lieu d'origine « Alice était en congé » (contestée par theo)"
        in (page)
    )
    assert lines_of(place, claim_id) == {held.visit: ("rejected", "disputed")}
    assert place.query("SELECT * FROM ledger_entries") == []

    # The place as the claimant: its claim disputed by the peer's team, with its words.
    ours = visit(place, peer)
    run("claims", "send", "--data", data, "--period", this_month())
    offer = stand_in.wait_received(lambda b: b.get("type") == "Offer")
    signed(place, peer, {"type": "Reject", "object": {"id": offer["id"], "type": "Offer"},
                         "tl:lines": [{"tl:visit": ours, "tl:reason": "disputed",
                                       "content": "Personne de ce nom chez nous"}]})  # fmt: skip
    place.wait("SELECT 1 FROM claim_lines WHERE visit_id = ? AND state = 'rejected'", (ours,))
    page = words(place.client.get("/equipe/reclamations", headers=HTML))
    assert "contesté par l'équipe du lieu d'origine « Personne de ce nom chez nous »" in page
    english = words(place.client.get("/equipe/reclamations?lang=en", headers=HTML))
    assert "disputed by the home place's team" in english
