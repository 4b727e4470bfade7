"""A step's page with the team's and the members' forms: the team supports the place's step
and takes it back; on another place's step (held here at `/etape?id=`) it evaluates on the
step's criteria and the step's home gets the signed evaluation; the team comments in the
place's name, a member in their own; the page lists supporters, averages and comments. A
member is no team, a form without its token publishes nothing, a wrong score says why."""

from __future__ import annotations

import re
from urllib.parse import quote

from tests.node.commons.test_step_support import peer_place, step_of
from tests.node.conftest import PUBLIC, InProcessNode, StandIn
from tests.node.web.session import HTML, sign_in_as
from tests.node.web.team.peering import shown, words


def _remote_step(stand_in: StandIn) -> str:
    """A step published by a place on the stand-in, as its home serves it."""
    home, _ = peer_place(stand_in)
    stand_in.documents["/objects/serveur"] = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{stand_in.base_url}/objects/serveur", "type": ["Step", "Note"],
        "attributedTo": home, "name": "Serveur mutualisé", "currency": "EUR",
        "budget": [{"name": "Serveur", "amount": "1200.00"}],
        "criteria": ["Budget réaliste", "Calendrier tenable"],
        "published": "2026-04-01T09:00:00Z", "to": [PUBLIC],
    }  # fmt: skip
    return f"{stand_in.base_url}/objects/serveur"


def test_the_team_supports_its_places_step_and_takes_the_support_back(
    place: InProcessNode,
) -> None:
    step = step_of(place)
    path = step.removeprefix(place.config.base_url)
    csrf = sign_in_as(place, "theo", "team")
    page = place.client.get(path, headers=HTML)
    assert "Soutenir cette étape au nom du lieu" in shown(page)
    assert "Les autres lieux évaluent cette étape" in shown(page)  # not its own: no form
    assert 'action="/equipe/etapes/evaluer"' not in page.text

    answer = place.client.post("/equipe/etapes/soutenir", data={"csrf": csrf, "step": step},
                               follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == f"{path}?fait=soutien"
    page = place.client.get(answer.headers["location"], headers=HTML)
    text = words(page)
    assert "Soutien signé et envoyé au lieu de l'étape." in text
    assert "Soutiens La Coroutine Chaque soutien est signé" in text
    assert "Retirer le soutien du lieu" in text

    english = words(place.client.get(f"{path}?lang=en", headers=HTML))
    assert "Supporters La Coroutine Each support is signed" in english
    assert "Peer evaluation 0 evaluation(s) by places" in english
    assert "Take back the place's support" in english and "Comments No comment yet." in english
    place.client.cookies.delete("lang")

    answer = place.client.post("/equipe/etapes/soutenir", follow_redirects=False,
                               data={"csrf": csrf, "step": step, "undo": "1"})  # fmt: skip
    assert answer.headers["location"] == f"{path}?fait=retrait"
    text = words(place.client.get(path, headers=HTML))
    assert "Aucun lieu ne soutient cette étape pour l'instant." in text


def test_the_team_evaluates_another_places_step_from_its_page_here(
    place: InProcessNode, stand_in: StandIn
) -> None:
    step = _remote_step(stand_in)
    csrf = sign_in_as(place, "theo", "team")
    here = f"/etape?id={quote(step, safe='')}"
    assert place.client.get(here, headers=HTML).status_code == 404  # not held yet

    missing = place.client.post("/equipe/etapes/evaluer", data={
        "csrf": csrf, "step": step, "note-1": "4",
    })  # fmt: skip
    assert missing.status_code == 400
    assert "Donnez une note de 1 à 5 à chaque critère" in shown(missing)
    assert 'value="4" required checked' in missing.text  # what was typed is kept

    answer = place.client.post("/equipe/etapes/evaluer", follow_redirects=False, data={
        "csrf": csrf, "step": step, "note-1": "4", "note-2": "3", "comment": "Prudent.",
    })  # fmt: skip
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/etape?id={quote(step, safe='')}&fait=evaluation"
    delivered = stand_in.wait_received(lambda body: body.get("type") == "Create")
    assert delivered["object"]["type"] == ["Review", "Note"] and "proof" in delivered["object"]
    page = place.client.get(answer.headers["location"], headers=HTML)
    text = words(page)
    assert "<h1>Serveur mutualisé</h1>" in page.text
    assert "Évaluation signée et envoyée au lieu de l'étape." in text
    assert "1 évaluation(s) par des lieux" in text
    assert "Budget réaliste 4 / 5 Calendrier tenable 3 / 5" in text
    dated = (
        r"La Coroutine \(\d{1,2} \S+ \d{4}, \d{1,2} h \d{2}\) : Budget réaliste 4/5 ; Calendrier"
    )
    assert re.search(dated, text), text
    assert "« Prudent. »" in text
    # The form is filled with the place's current scores: a new one replaces them.
    assert 'name="note-1" value="4" required checked' in page.text


def test_the_team_comments_as_the_place_and_a_member_as_themselves(
    place: InProcessNode,
) -> None:
    step = step_of(place)
    path = step.removeprefix(place.config.base_url)
    member_csrf = sign_in_as(place, "mila")
    page = place.client.get(path, headers=HTML)
    assert "Publier en mon nom" in shown(page) and "Publier au nom du lieu" not in shown(page)
    assert 'action="/equipe/etapes/soutenir"' not in page.text
    refused = place.client.post("/equipe/etapes/soutenir", data={"csrf": member_csrf,
                                                                 "step": step})  # fmt: skip
    assert refused.status_code == 403
    answer = place.client.post("/moi/etapes/commenter", follow_redirects=False,
                               data={"csrf": member_csrf, "step": step,
                                     "text": "Je peux aider à l'installation."})  # fmt: skip
    assert answer.headers["location"] == f"{path}?fait=commentaire"

    place.client.cookies.clear()  # signed out
    csrf = sign_in_as(place, "theo", "team")
    forged = place.client.post(
        "/equipe/etapes/commenter", data={"step": step, "text": "Sans jeton"}
    )
    assert forged.status_code == 403
    empty = place.client.post("/equipe/etapes/commenter",
                              data={"csrf": csrf, "step": step, "text": "  "})  # fmt: skip
    assert empty.status_code == 400 and "Écrivez un commentaire" in shown(empty)
    place.client.post("/equipe/etapes/commenter",
                      data={"csrf": csrf, "step": step, "text": "Le lieu y tient."})  # fmt: skip
    text = words(place.client.get(path, headers=HTML))
    first, second = text.index("Je peux aider"), text.index("Le lieu y tient.")
    assert first < second  # oldest first
    assert "Mila" in text[text.index("Commentaires") : first]
    assert "La Coroutine" in text[first:second]
    assert "Sans jeton" not in text
