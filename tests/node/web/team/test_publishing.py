"""The place's events, needs and pledges by forms (`/equipe/evenements`, `/equipe/besoins`,
`/equipe/engagements`): each publication goes through the place's outbox, so the followers'
servers get the Create, the Update or the Delete; a restricted event's requests are answered
as `interlieux agenda accept|reject` does; the participants export as CSV."""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any

from tests.node.agenda.test_events import join
from tests.node.agenda.test_joins import follow
from tests.node.conftest import InProcessNode, StandIn
from tests.node.web.session import HTML, sign_in_as

from .team import only_for, with_address

EVENT = {
    "name": "Atelier soudure",
    "start": "2030-03-14T18:00",
    "end": "2030-03-14T20:00",
    "description": "Initiation à la soudure.\n\nApportez <vos> gants.",
    "capacity": "8",
    "join_mode": "free",
    "category": "workshop",
}


def received(stand_in: StandIn, kind: str, of: str) -> dict[str, Any]:
    """The activity of type `kind` about an object of type `of` that reached the follower."""

    def matches(body: dict[str, Any]) -> bool:
        obj = body.get("object")
        types = obj.get("type") if isinstance(obj, dict) else None
        return body["type"] == kind and (of in types if isinstance(types, list) else types == of)

    return stand_in.wait_received(matches)


def document(place: InProcessNode, obj_id: str) -> dict[str, Any]:
    return json.loads(place.query("SELECT document FROM objects WHERE id = ?", (obj_id,))[0][0])


def created(place: InProcessNode, path: str, data: dict[str, str], csrf: str) -> str:
    """Post a creation form; the new object's id (the page it leads to)."""
    answer = place.client.post(path, data={"csrf": csrf, **data}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.endswith("?fait=cree")
    return f"{place.config.base_url}/objects/{location.split('?')[0].rsplit('/', 1)[-1]}"


def test_the_publishing_pages_are_for_the_team(place: InProcessNode) -> None:
    only_for(
        place, ["/equipe/evenements", "/equipe/besoins", "/equipe/engagements"], "team", "door"
    )


def test_nothing_is_published_without_the_form_token(place: InProcessNode) -> None:
    with_address(place)
    sign_in_as(place, "tom", "team")
    before = place.query("SELECT COUNT(*) FROM activities")[0][0]
    for path, data in (
        ("/equipe/evenements", EVENT),
        ("/equipe/besoins", {"name": "x", "kind": "volunteers", "quantity": "1"}),
        ("/equipe/engagements", {"amount": "5", "funds": "x", "due": "2030-01-01"}),
    ):
        assert place.client.post(path, data=data).status_code == 403
    assert place.query("SELECT COUNT(*) FROM objects")[0][0] == 0
    assert place.query("SELECT COUNT(*) FROM activities")[0][0] == before


def test_an_event_created_edited_and_cancelled_reaches_the_followers(
    place: InProcessNode, stand_in: StandIn
) -> None:
    with_address(place)
    follow(stand_in, place)
    csrf = sign_in_as(place, "tom", "team")
    event_id = created(place, "/equipe/evenements", EVENT, csrf)
    create = received(stand_in, "Create", "Event")
    sent = create["object"]
    assert sent["id"] == event_id and sent["attributedTo"] == place.actor_id()
    assert sent["startTime"] == "2030-03-14T18:00:00+01:00"
    assert sent["content"] == "<p>Initiation à la soudure.</p><p>Apportez &lt;vos&gt; gants.</p>"
    assert sent["maximumAttendeeCapacity"] == 8 and sent["category"] == "WORKSHOP"
    assert sent["location"]["address"]["addressLocality"] == "Lille"
    assert "https://www.w3.org/ns/activitystreams#Public" in sent["to"]
    oid = event_id.rsplit("/", 1)[-1]
    page = place.client.get(f"/equipe/evenements/{oid}?fait=cree", headers=HTML).text
    assert "Publié ; les abonnés du lieu le reçoivent." in page
    assert 'value="2030-03-14T18:00"' in page  # the form shows the place's local time
    assert "Atelier soudure" in place.client.get("/equipe/evenements", headers=HTML).text

    edited = place.client.post(
        f"/equipe/evenements/{oid}",
        data={
            **EVENT,
            "csrf": csrf,
            "name": "Atelier soudure (complet)",
            "capacity": "",
            "join_mode": "restricted",
        },
        follow_redirects=False,
    )
    assert edited.headers["location"] == f"/equipe/evenements/{oid}?fait=modifie"
    update = stand_in.wait_received(
        lambda b: b["type"] == "Update" and b["object"].get("name") == "Atelier soudure (complet)"
    )
    assert "maximumAttendeeCapacity" not in update["object"]
    stored = document(place, event_id)
    assert stored["joinMode"] == "restricted" and "maximumAttendeeCapacity" not in stored

    cancelled = place.client.post(
        f"/equipe/evenements/{oid}/annuler", data={"csrf": csrf}, follow_redirects=False
    )
    assert cancelled.headers["location"] == "/equipe/evenements?fait=annule"
    delete = stand_in.wait_received(lambda b: b["type"] == "Delete")
    assert delete["object"]["id"] == event_id and delete["object"]["type"] == "Tombstone"
    assert place.query("SELECT deleted_at IS NOT NULL FROM objects WHERE id = ?", (event_id,)) == [
        (1,)
    ]
    assert place.client.get(f"/equipe/evenements/{oid}", headers=HTML).status_code == 404


def test_an_event_needs_the_place_address_and_a_readable_time(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "tom", "team")
    answer = place.client.post("/equipe/evenements", data={**EVENT, "csrf": csrf})
    assert answer.status_code == 400 and "/equipe/lieu" in answer.text
    assert 'value="Atelier soudure"' in answer.text  # kept as typed
    with_address(place)
    answer = place.client.post(
        "/equipe/evenements", data={**EVENT, "csrf": csrf, "start": "demain"}
    )
    assert answer.status_code == 400 and "illisible" in answer.text
    assert place.query("SELECT COUNT(*) FROM objects")[0][0] == 0


def test_requests_answered_and_participants_exported(
    place: InProcessNode, stand_in: StandIn
) -> None:
    with_address(place)
    csrf = sign_in_as(place, "tom", "team")
    event_id = created(place, "/equipe/evenements", {**EVENT, "join_mode": "restricted"}, csrf)
    oid = event_id.rsplit("/", 1)[-1]
    mila = join(stand_in, place, "mila", event_id)
    noe = join(stand_in, place, "noe", event_id)
    place.wait("SELECT 1 FROM event_requests WHERE actor = ?", (noe,))
    page = place.client.get(f"/equipe/evenements/{oid}", headers=HTML).text
    assert f'value="{mila}/join/1"' in page and f'value="{noe}/join/1"' in page

    no_token = place.client.post(
        f"/equipe/evenements/{oid}/demandes", data={"join": f"{mila}/join/1", "answer": "accept"}
    )
    assert no_token.status_code == 403
    assert place.query("SELECT COUNT(*) FROM event_participants")[0][0] == 0

    accepted = place.client.post(
        f"/equipe/evenements/{oid}/demandes",
        data={"csrf": csrf, "join": f"{mila}/join/1", "answer": "accept"},
        follow_redirects=False,
    )
    assert accepted.headers["location"] == f"/equipe/evenements/{oid}?fait=accepte"
    answer = stand_in.wait_received(
        lambda b: b["type"] == "Accept" and b["object"].get("type") == "Join"
    )
    assert answer["object"]["actor"] == mila
    assert place.query("SELECT actor FROM event_participants") == [(mila,)]

    place.client.post(
        f"/equipe/evenements/{oid}/demandes",
        data={
            "csrf": csrf,
            "join": f"{noe}/join/1",
            "answer": "reject",
            "reason": "Réservé aux résidents.",
        },
    )
    refusal = stand_in.wait_received(lambda b: b["type"] == "Reject")
    assert refusal["content"] == "Réservé aux résidents."
    assert place.query("SELECT COUNT(*) FROM event_requests")[0][0] == 0
    again = place.client.post(
        f"/equipe/evenements/{oid}/demandes",
        data={"csrf": csrf, "join": f"{noe}/join/1", "answer": "accept"},
    )
    assert again.status_code == 400 and "plus en attente" in again.text

    exported = place.client.get(f"/equipe/evenements/{oid}/participants.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.startswith("\ufeff")  # the byte order mark, as every CSV of the node
    rows = list(csv.reader(io.StringIO(exported.text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == ["nom", "adresse", "inscription"]
    assert [r[1] for r in rows[1:]] == [mila]
    assert rows[1][0] == "mila"  # the remote actor's preferredUsername: it has no name


def test_a_need_created_edited_and_closed(place: InProcessNode, stand_in: StandIn) -> None:
    follow(stand_in, place)
    csrf = sign_in_as(place, "tom", "team")
    need_id = created(
        place,
        "/equipe/besoins",
        {
            "name": "Bénévoles pour l'accueil",
            "description": "Le samedi matin",
            "kind": "volunteers",
            "quantity": "2",
            "due": "2030-01-31",
            "skill_sk:accueil": "on",
        },
        csrf,
    )
    sent = received(stand_in, "Create", "Need")["object"]
    assert sent["id"] == need_id and sent["quantity"] == 2 and sent["needKind"] == "volunteers"
    assert sent["summary"] == "Le samedi matin" and sent["due"] == "2030-01-31T23:59:00+01:00"
    assert sent["skill"] == ["https://w3id.org/interlieux/skills#accueil"]
    oid = need_id.rsplit("/", 1)[-1]
    page = place.client.get(f"/equipe/besoins/{oid}", headers=HTML).text
    assert 'name="skill_sk:accueil" checked' in page

    bad = place.client.post(
        f"/equipe/besoins/{oid}",
        data={"csrf": csrf, "name": "x", "kind": "volunteers", "quantity": "deux"},
    )
    assert bad.status_code == 400 and "La quantité" in html.unescape(bad.text)
    assert 'value="deux"' in bad.text
    place.client.post(
        f"/equipe/besoins/{oid}",
        data={
            "csrf": csrf,
            "name": "Bénévoles pour l'accueil",
            "kind": "volunteers",
            "quantity": "3",
            "status": "partlyMet",
        },
    )
    stored = document(place, need_id)
    assert stored["quantity"] == 3 and stored["status"] == "partlyMet" and "due" not in stored
    assert stored["skill"] == []

    closed = place.client.post(
        f"/equipe/besoins/{oid}/clore", data={"csrf": csrf}, follow_redirects=False
    )
    assert closed.headers["location"] == "/equipe/besoins?fait=clos"
    update = stand_in.wait_received(
        lambda b: b["type"] == "Update" and b["object"].get("status") == "met"
    )
    assert update["object"]["id"] == need_id
    assert document(place, need_id)["status"] == "met"


def test_a_pledge_created_and_withdrawn(place: InProcessNode, stand_in: StandIn) -> None:
    follow(stand_in, place)
    csrf = sign_in_as(place, "tom", "team")
    funds = "https://fabrik.example/objects/velo-cargo"
    pledge_id = created(
        place,
        "/equipe/engagements",
        {"amount": "150,50", "currency": "eur", "funds": funds, "due": "2030-06-30"},
        csrf,
    )
    sent = received(stand_in, "Create", "Pledge")["object"]
    assert (sent["amount"], sent["currency"], sent["funds"]) == (150.5, "EUR", funds)
    listing = place.client.get("/equipe/engagements", headers=HTML).text
    assert "150,50 EUR" in listing and funds in listing  # `money.display`, as every amount
    oid = pledge_id.rsplit("/", 1)[-1]
    withdrawn = place.client.post(
        f"/equipe/engagements/{oid}/retirer", data={"csrf": csrf}, follow_redirects=False
    )
    assert withdrawn.headers["location"] == "/equipe/engagements?fait=retire"
    assert stand_in.wait_received(lambda b: b["type"] == "Delete")["object"]["id"] == pledge_id
    # Someone else's object is not the team's to change through these pages.
    assert place.client.get(f"/equipe/besoins/{oid}", headers=HTML).status_code == 404


def test_a_participant_name_cannot_be_a_spreadsheet_formula(
    place: InProcessNode, stand_in: StandIn
) -> None:
    with_address(place)
    csrf = sign_in_as(place, "tom", "team")
    event_id = created(place, "/equipe/evenements", EVENT, csrf)
    trick = stand_in.add_actor("/users/trick", name='=HYPERLINK("https://evil.example","clic")')
    activity = {"id": f"{trick}/join/1", "type": "Join", "actor": trick, "object": event_id}
    assert (
        place.post_signed("/inbox", activity, stand_in.key, f"{trick}#main-key").status_code == 202
    )
    place.wait("SELECT 1 FROM event_participants WHERE actor = ?", (trick,))
    oid = event_id.rsplit("/", 1)[-1]
    exported = place.client.get(f"/equipe/evenements/{oid}/participants.csv").text
    rows = list(csv.reader(io.StringIO(exported.removeprefix("\ufeff")), delimiter=";"))
    assert rows[1] == ['\'=HYPERLINK("https://evil.example","clic")', trick, rows[1][2]]
