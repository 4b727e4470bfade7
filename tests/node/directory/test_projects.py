"""A member's `tl:Project` is published by the team's acceptance only: their client, with a
bearer token, cannot post one straight to their outbox (nor turn a publication into one, nor
rewrite an accepted one); the acceptance still publishes it from the member's outbox, and the
place's own actor still publishes its projects."""

from __future__ import annotations

from typing import Any

import httpx

from node.directory import projects
from tests.node.conftest import PUBLIC, InProcessNode
from tests.node.web.team.test_validation import Sessions, submit_project

TL = "https://w3id.org/interlieux/ns#"
REFUSAL = "Un projet passe par la validation de l'équipe : proposez-le depuis /moi/projets."


def post(place: InProcessNode, handle: str, document: dict[str, Any], **headers: str) -> Any:
    return place.client.post(
        f"/actors/{handle}/outbox", json=document,
        headers={"authorization": f"Bearer {place.token(handle)}", **headers},
    )  # fmt: skip


def project(kind: Any = "Project") -> dict[str, Any]:
    return {"type": kind, "name": "Vente de voitures", "to": [PUBLIC]}


def test_the_project_types_are_recognised_in_every_spelling() -> None:
    for kind in ("Project", "tl:Project", f"{TL}Project", ["Note", "Project"]):
        assert projects.is_project({"type": kind})
    for other in ("Note", ["Note"], None, "tl:Need"):
        assert not projects.is_project({"type": other})
    assert not projects.is_project("Project")


def test_a_member_s_client_cannot_create_a_project_through_the_outbox(
    place: InProcessNode,
) -> None:
    tries = [
        project(), project("tl:Project"), project(f"{TL}Project"), project(["Note", "Project"]),
        {"type": "Create", "object": project(), "to": [PUBLIC]},
    ]  # fmt: skip
    for document in tries:
        answer = post(place, "alice", document)
        assert answer.status_code == 403, document
        assert answer.json() == {"error": REFUSAL}
    english = post(place, "alice", project(), **{"accept-language": "en"})
    assert english.json()["error"] == (
        "A project goes through the team's validation: submit it from /moi/projets."
    )
    assert place.query("SELECT type FROM objects") == []
    assert place.query("SELECT 1 FROM activities WHERE type = 'Create'") == []
    # Her other publications go on.
    note = post(place, "alice", {"type": "Note", "content": "Bonjour", "to": [PUBLIC]})
    assert note.status_code == 201


def test_a_member_cannot_turn_a_note_into_a_project_nor_rewrite_an_accepted_one(
    place: InProcessNode,
) -> None:
    note = post(place, "alice", {"type": "Note", "content": "Bonjour", "to": [PUBLIC]}).json()
    note_id = note["object"]["id"]
    into = post(place, "alice", {"type": "Update", "object": {**project(), "id": note_id}})
    assert into.status_code == 403 and into.json() == {"error": REFUSAL}

    # Accepted by the team: published from her outbox, as `projects.accept` does.
    who = Sessions(place)
    number = submit_project(place, who.as_alice(), "Repair café")
    csrf = who.as_team()
    accepted = place.client.post(
        "/equipe/validation/projets",
        data={"csrf": csrf, "project": str(number), "decision": "publier"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    [(state, object_id)] = place.query("SELECT state, object_id FROM projects")
    assert state == "published"
    create = place.query("SELECT actor FROM activities WHERE type = 'Create' AND object_id = ?",
                         (object_id,))  # fmt: skip
    assert create == [(place.actor_id("alice"),)]

    # Rewritten afterwards by her client, with or without its type: refused, unchanged.
    place.client.cookies = httpx.Cookies()
    for changed in ({"id": object_id, "type": "Project", "name": "Vente de voitures"},
                    {"id": object_id, "name": "Vente de voitures"}):  # fmt: skip
        answer = post(place, "alice", {"type": "Update", "object": changed})
        assert answer.status_code == 403 and answer.json() == {"error": REFUSAL}
    served = place.client.get(object_id.removeprefix(place.config.base_url),
                              headers={"accept": "application/activity+json"})  # fmt: skip
    assert served.json()["name"] == "Repair café"
    # Withdrawing it stays hers to do.
    assert post(place, "alice", {"type": "Delete", "object": object_id}).status_code == 201


def test_the_place_itself_still_publishes_a_project(place: InProcessNode) -> None:
    answer = post(place, "coroutine", project())
    assert answer.status_code == 201, answer.text
    obj = answer.json()["object"]
    assert obj["type"] == "Project" and obj["attributedTo"] == place.actor_id()
