"""The node's HTTP face, in-process: discovery, documents, client-to-server auth and errors."""

from __future__ import annotations

from .conftest import PUBLIC, InProcessNode

AS = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def test_webfinger_by_acct_and_by_url(place: InProcessNode) -> None:
    for resource in ("acct:coroutine@127.0.0.1:9", place.actor_id()):
        response = place.client.get("/.well-known/webfinger", params={"resource": resource})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/jrd+json")
        links = {link["rel"]: link for link in response.json()["links"]}
        assert links["self"] == {"rel": "self", "type": AS, "href": place.actor_id()}
    unknown = place.client.get("/.well-known/webfinger", params={"resource": "acct:x@other"})
    assert unknown.status_code == 404


def test_nodeinfo_names_the_software(place: InProcessNode) -> None:
    href = place.client.get("/.well-known/nodeinfo").json()["links"][0]["href"]
    info = place.client.get(href.removeprefix(place.config.base_url)).json()
    assert info["version"] == "2.1"
    assert info["software"]["name"] == "interlieux"
    assert info["usage"]["users"]["total"] == 2


def test_actor_document_for_both_media_types(place: InProcessNode) -> None:
    for accept in (AS, LD):
        response = place.client.get("/actors/coroutine", headers={"accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(accept.split(";")[0])
        actor = response.json()
        assert actor["type"] == "Organization"
        assert set(actor) >= {
            "inbox",
            "outbox",
            "followers",
            "following",
            "endpoints",
            "preferredUsername",
            "name",
            "publicKey",
            "assertionMethod",
        }
        assert actor["endpoints"]["sharedInbox"] == f"{place.config.base_url}/inbox"
        assert set(actor["publicKey"]) == {"id", "owner", "publicKeyPem"}
        assert "BEGIN PUBLIC KEY" in actor["publicKey"]["publicKeyPem"]
    member = place.client.get("/actors/alice", headers={"accept": AS}).json()
    assert member["type"] == "Person"
    assert place.client.get("/actors/nobody").status_code == 404


def test_outbox_requires_the_owners_token(place: InProcessNode) -> None:
    note = {"type": "Note", "content": "Bonjour", "to": [PUBLIC]}
    assert place.client.post("/actors/coroutine/outbox", json=note).status_code == 401
    wrong = place.client.post(
        "/actors/coroutine/outbox", json=note, headers={"authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401
    assert "interlieux token" in wrong.json()["error"]  # says what to do, in French
    alices = {"authorization": f"Bearer {place.token('alice')}"}
    assert (
        place.client.post("/actors/coroutine/outbox", json=note, headers=alices).status_code == 403
    )


def test_a_revoked_token_stops_working(place: InProcessNode) -> None:
    from node.cli import main as cli

    token = place.token("coroutine")
    headers = {"authorization": f"Bearer {token}"}
    note = {"type": "Note", "content": "Bonjour", "to": [PUBLIC]}
    assert (
        place.client.post("/actors/coroutine/outbox", json=note, headers=headers).status_code == 201
    )
    token_id = place.query("SELECT MAX(id) FROM tokens")[0][0]
    assert cli(["token", "--data", str(place.config.data_dir), "--revoke", str(token_id)]) == 0
    assert (
        place.client.post("/actors/coroutine/outbox", json=note, headers=headers).status_code == 401
    )


def test_posting_a_note_serves_it_and_lists_it_in_the_outbox(place: InProcessNode) -> None:
    headers = {"authorization": f"Bearer {place.token('coroutine')}"}
    note = {"type": "Note", "content": "Atelier vélo", "to": [PUBLIC]}
    response = place.client.post("/actors/coroutine/outbox", json=note, headers=headers)
    assert response.status_code == 201
    activity = response.json()
    assert response.headers["location"] == activity["id"]
    path = activity["object"]["id"].removeprefix(place.config.base_url)
    assert place.client.get(path).json()["content"] == "Atelier vélo"
    outbox = place.client.get("/actors/coroutine/outbox").json()
    assert outbox["totalItems"] == 1
    page = place.client.get(outbox["first"].removeprefix(place.config.base_url)).json()
    assert page["orderedItems"][0]["id"] == activity["id"]


def test_a_private_note_is_not_served_to_anyone(place: InProcessNode) -> None:
    headers = {"authorization": f"Bearer {place.token('coroutine')}"}
    note = {"type": "Note", "content": "Pour Alice seulement", "to": [place.actor_id("alice")]}
    activity = place.client.post("/actors/coroutine/outbox", json=note, headers=headers).json()
    path = activity["object"]["id"].removeprefix(place.config.base_url)
    assert place.client.get(path).status_code == 404
    assert place.client.get("/actors/coroutine/outbox").json()["totalItems"] == 0


def test_deleting_a_note_leaves_a_tombstone(place: InProcessNode) -> None:
    headers = {"authorization": f"Bearer {place.token('coroutine')}"}
    note = {"type": "Note", "content": "Annulé", "to": [PUBLIC]}
    created = place.client.post("/actors/coroutine/outbox", json=note, headers=headers).json()
    object_id = created["object"]["id"]
    deleted = place.client.post(
        "/actors/coroutine/outbox", json={"type": "Delete", "object": object_id, "to": [PUBLIC]},
        headers=headers,
    )  # fmt: skip
    assert deleted.status_code == 201
    gone = place.client.get(object_id.removeprefix(place.config.base_url))
    assert gone.status_code == 410
    assert gone.json()["type"] == "Tombstone"


def test_one_cannot_delete_another_actors_note(place: InProcessNode) -> None:
    mine = {"authorization": f"Bearer {place.token('coroutine')}"}
    created = place.client.post(
        "/actors/coroutine/outbox", json={"type": "Note", "content": "x", "to": [PUBLIC]},
        headers=mine,
    ).json()  # fmt: skip
    alices = {"authorization": f"Bearer {place.token('alice')}"}
    response = place.client.post(
        "/actors/alice/outbox", json={"type": "Delete", "object": created["object"]["id"]},
        headers=alices,
    )  # fmt: skip
    assert response.status_code == 403


def test_the_inbox_is_readable_only_by_its_owner(place: InProcessNode) -> None:
    assert place.client.get("/actors/alice/inbox").status_code == 401
    others = {"authorization": f"Bearer {place.token('coroutine')}"}
    assert place.client.get("/actors/alice/inbox", headers=others).status_code == 403
    own = {"authorization": f"Bearer {place.token('alice')}"}
    inbox = place.client.get("/actors/alice/inbox", headers=own).json()
    assert inbox["type"] == "OrderedCollection"


def test_errors_are_in_english_when_asked(place: InProcessNode) -> None:
    response = place.client.post(
        "/actors/coroutine/outbox", json={}, headers={"accept-language": "en"}
    )
    assert response.status_code == 401
    assert "Missing token" in response.json()["error"]


def test_posting_to_an_unknown_inbox_is_404(place: InProcessNode) -> None:
    assert place.client.post("/actors/nobody/inbox", content=b"{}").status_code == 404


def test_a_post_signed_for_another_host_is_refused(place: InProcessNode) -> None:
    """A draft-cavage POST captured at another server, replayed here within its Date skew."""
    import json

    from cryptography.hazmat.primitives.asymmetric import rsa

    from node.signature import sign_request

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    activity = {"id": "https://elsewhere.example/a/1", "type": "Like",
                "actor": "https://elsewhere.example/u", "object": place.actor_id()}  # fmt: skip
    body = json.dumps(activity).encode()
    headers = sign_request(
        "POST", "https://other.example/inbox", "https://elsewhere.example/u#main-key", key,
        body=body, extra_headers={"content-type": "application/activity+json"},
    )  # fmt: skip
    answer = place.client.post("/inbox", content=body, headers=headers)
    assert answer.status_code == 401
    assert "signed for host 'other.example'" in answer.json()["error"]
