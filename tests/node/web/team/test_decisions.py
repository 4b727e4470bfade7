"""`/equipe/decisions`: the team of a place that founded a network hosted on its own node
proposes a change of rule from the page, votes, changes its vote before the close, sees it;
after the close the network counts the latest vote and the page says the recount here is
valid. Only the team; a form without its CSRF token sends nothing; what the network refuses
(a reasonless objection in consent mode) is said on the form."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from node.web.team.decisions import draft_of
from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, run, sign_in_as
from tests.node.web.team.peering import shown, words


@pytest.fixture
def network(place: InProcessNode) -> str:
    run("network", "create", "--data", str(place.config.data_dir), "--handle", "bil",
        "--name", "Réseau BIL")  # fmt: skip
    return place.actor_id("bil")


def local_close(place: InProcessNode, seconds: float) -> str:
    """A `datetime-local` value (with seconds) `seconds` from now, in the place's zone."""
    moment = datetime.now(ZoneInfo(place.config.timezone)) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def proposal_form(csrf: str, network: str, closes: str, **more: str) -> dict[str, str]:
    return {"csrf": csrf, "network": network, "kind": "rule", "title": "Tarif de passage à 6 €",
            "text": "Le coût d'un passage a augmenté.", "rule": "visitRate", "value": "6.00",
            "closes": closes, "mode": "majority", "quorum": "", "subject": "", **more}  # fmt: skip


def test_decisions_are_the_teams_only(place: InProcessNode, network: str) -> None:
    sign_in_as(place, "dora", "door")
    assert place.client.get("/equipe/decisions", headers=HTML).status_code == 403
    answer = place.client.post("/equipe/decisions/proposer", data={"network": network})
    assert answer.status_code == 403
    place.client.cookies.clear()
    answer = place.client.get("/equipe/decisions", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/connexion")


def test_without_its_csrf_token_nothing_is_proposed_nor_voted(
    place: InProcessNode, network: str
) -> None:
    sign_in_as(place, "theo", "team")
    form = proposal_form("", network, local_close(place, 3600))
    del form["csrf"]
    answer = place.client.post("/equipe/decisions/proposer", data=form)
    assert answer.status_code == 403 and "Ce formulaire a expiré" in shown(answer)
    answer = place.client.post("/equipe/decisions/voter", data={"decision": "x", "choice": "pour"})
    assert answer.status_code == 403
    assert place.query("SELECT 1 FROM decisions") == []


def test_propose_vote_change_the_vote_then_the_close_counts_the_latest(
    place: InProcessNode, network: str
) -> None:
    csrf = sign_in_as(place, "theo", "team")
    page = place.client.get("/equipe/decisions", headers=HTML)
    assert "Réseau BIL" in shown(page) and "Aucune proposition ouverte." in shown(page)
    answer = place.client.post("/equipe/decisions/proposer",
                               data=proposal_form(csrf, network, local_close(place, 6)),
                               follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, shown(answer)
    assert answer.headers["location"] == "/equipe/decisions?fait=propose"
    decision_id = place.query("SELECT id FROM decisions")[0][0]
    page = words(place.client.get(answer.headers["location"], headers=HTML))
    assert "Proposition envoyée" in page and "Tarif de passage à 6 €" in page
    assert "Le lieu n'a pas encore voté." in page

    voted = place.client.post("/equipe/decisions/voter", follow_redirects=False, data={
        "csrf": csrf, "decision": decision_id, "choice": "contre", "reason": "Trop cher",
    })  # fmt: skip
    assert voted.headers["location"] == "/equipe/decisions?fait=vote"
    page = words(place.client.get("/equipe/decisions", headers=HTML))
    assert "Contre — « Trop cher »" in page and "Changer le vote" in page
    again = place.client.post("/equipe/decisions/voter", follow_redirects=False, data={
        "csrf": csrf, "decision": decision_id, "choice": "pour", "reason": "Convaincus",
    })  # fmt: skip
    assert again.status_code == 303
    page = words(place.client.get("/equipe/decisions", headers=HTML))
    assert "Pour — « Convaincus »" in page and "Trop cher" not in page

    rows = place.wait("SELECT result FROM decisions WHERE state = 'closed'")
    result = json.loads(rows[0][0])
    assert (result["pourCount"], result["contreCount"], result["outcome"]) == (1, 0, "adopted")
    page = words(place.client.get("/equipe/decisions", headers=HTML))
    assert "Adoptée" in page and "Recompté ici : valide" in page
    # After the close, a vote is refused, with the reason, on the form.
    late = place.client.post("/equipe/decisions/voter", data={
        "csrf": csrf, "decision": decision_id, "choice": "contre", "reason": "Trop tard",
    })  # fmt: skip
    assert late.status_code == 400 and "Vote refusé : vote après la clôture" in shown(late)


def test_a_reasonless_objection_in_consent_mode_is_said_on_the_form(
    place: InProcessNode, network: str
) -> None:
    csrf = sign_in_as(place, "theo", "team")
    form = proposal_form(csrf, network, local_close(place, 3600), mode="consent")
    assert place.client.post("/equipe/decisions/proposer", data=form).status_code == 200
    decision_id = place.query("SELECT id FROM decisions")[0][0]
    answer = place.client.post("/equipe/decisions/voter", data={
        "csrf": csrf, "decision": decision_id, "choice": "contre", "reason": "",
    })  # fmt: skip
    assert answer.status_code == 400
    assert "une objection doit être motivée" in shown(answer)
    assert place.query("SELECT 1 FROM objects WHERE type = 'Vote'") == []


def test_a_proposal_the_network_refuses_keeps_what_was_typed(
    place: InProcessNode, network: str
) -> None:
    csrf = sign_in_as(place, "theo", "team")
    form = proposal_form(csrf, network, local_close(place, 3600), quorum="5")
    answer = place.client.post("/equipe/decisions/proposer", data=form)
    assert answer.status_code == 400
    assert "le quorum doit être entre 1 et 1" in shown(answer)
    assert 'value="Tarif de passage à 6 €"' in answer.text
    assert place.query("SELECT 1 FROM decisions") == []
    other = proposal_form(csrf, "https://ailleurs.example/actors/x", local_close(place, 3600))
    refused = place.client.post("/equipe/decisions/proposer", data=other)
    assert refused.status_code == 400 and "dont le lieu est membre" in shown(refused)


def test_the_draft_is_the_commands_own() -> None:
    draft = draft_of(
        {"network": "https://a.example/actors/bil", "kind": "rule", "title": " Tarif ",
         "rule": "visitRate", "value": "6.00", "closes": "2030-05-01T18:00", "quorum": "2"},
        "https://b.example/actors/b", "https://b.example", "Europe/Paris",
    )  # fmt: skip
    assert draft["endTime"] == "2030-05-01T16:00:00Z"
    assert draft["object"] == {"name": "visitRate", "value": "6.00"}
    assert (draft["name"], draft["quorum"]) == ("Tarif", 2)
    # No mode chosen: the network's (majority, or its admission rule for an admission).
    assert "decisionMode" not in draft
    chosen = draft_of(
        {"network": "https://a.example/actors/bil", "kind": "admit", "title": "Admettre",
         "subject": "https://c.example/actors/c", "closes": "2030-05-01T18:00",
         "mode": "consent"},
        "https://b.example/actors/b", "https://b.example", "Europe/Paris",
    )  # fmt: skip
    assert chosen["decisionMode"] == "consent"
