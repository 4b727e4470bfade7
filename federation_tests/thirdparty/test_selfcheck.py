"""Self-check of the third-party harness: bovine-herd against itself and a stand-in peer.

* two bovine-herd servers on two loopback ports: a user of one follows a user of the
  other, the follow is accepted through the client API, a public Note is delivered;
* bovine refuses an unsigned GET of an actor (401) and serves it to a signed one;
* every request bovine sends to a stand-in place (``standin.py``) is checked: signed
  with draft-cavage ``rsa-sha256``, keyId equal to ``publicKey.id`` of the document it
  resolves to, valid RSA signature, ``Digest`` on POSTs.

``INTERLIEUX_WRITE_CAPTURES=1`` also (re)writes ``tests/data/captured/bovine/``.

Needs the third-party venv (created on first use, about 50 s); then takes about 40 s,
most of it bovine's client start-up (1.5 s per client action).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from .server import (
    REPO_ROOT,
    SERVER_NAME,
    SERVER_VERSION,
    BovineUser,
    ThirdPartyServer,
    ensure_installed,
    http_get,
    is_public,
    object_id,
    wait_until,
)
from .standin import ACTIVITY_JSON, Recorded, StandInPeer

CAPTURE_DIR = REPO_ROOT / "tests" / "data" / "captured" / "bovine"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def herds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ThirdPartyServer, ...]]:
    ensure_installed()
    base = tmp_path_factory.mktemp("bovine")
    first = ThirdPartyServer(free_port(), base / "a")
    second = ThirdPartyServer(free_port(), base / "b")
    with first, second:
        yield first, second


@pytest.fixture(scope="module")
def alice(herds: tuple[ThirdPartyServer, ...]) -> BovineUser:
    return herds[0].create_actor("alice")


@pytest.fixture(scope="module")
def bob(herds: tuple[ThirdPartyServer, ...]) -> BovineUser:
    return herds[1].create_actor("bob")


def test_unsigned_get_of_actor_is_refused(alice: BovineUser) -> None:
    status, body = http_get(alice.actor_id, {"Accept": ACTIVITY_JSON})
    assert status == 401, body

    with StandInPeer(free_port()) as peer:
        status, document = peer.signed_get(alice.actor_id)
    assert status == 200, document
    assert document["id"] == alice.actor_id
    assert document["publicKey"]["id"] == f"{alice.actor_id}#serverKey"
    assert document["publicKey"]["owner"] == alice.actor_id


def test_webfinger_resolves_handle(alice: BovineUser) -> None:
    status, body = http_get(
        f"{alice.server.base_url}/.well-known/webfinger?resource=acct:{alice.handle}"
    )
    assert status == 200
    links = json.loads(body)["links"]
    assert any(link.get("href") == alice.actor_id for link in links)


def test_bovine_follows_bovine_and_receives_its_note(alice: BovineUser, bob: BovineUser) -> None:
    alice.follow(bob.actor_id)
    bob.wait_for_follow_request(alice.actor_id)
    accepted = bob.accept_follows()
    assert [a["actor"] for a in accepted] == [alice.actor_id]
    alice.wait_for_following(bob.actor_id)
    assert alice.actor_id in bob.followers()

    bob.post_note("Atelier réparation vélo samedi")
    create = alice.wait_for_inbox(
        lambda a: (
            a.get("type") == "Create"
            and isinstance(a.get("object"), dict)
            and a["object"].get("content") == "Atelier réparation vélo samedi"
        )
    )
    assert object_id(create["actor"]) == bob.actor_id
    assert is_public(create)

    alice.undo_follow(bob.actor_id)
    wait_until(lambda: alice.actor_id not in bob.followers(), what="undo processed")
    assert bob.actor_id not in alice.following()


def _signed_by(peer: StandInPeer, request: Recorded, actor_id: str) -> None:
    check = peer.verify_cavage_signature(request)
    assert check.algorithm == "rsa-sha256", check
    assert check.valid, check
    assert check.public_key_id == check.key_id, check
    assert check.key_owner == actor_id, check
    assert {"(request-target)", "host", "date"} <= set(check.signed_headers), check
    if request.method == "POST":
        assert "digest" in check.signed_headers, check


def test_bovine_with_standin_place(herds: tuple[ThirdPartyServer, ...]) -> None:
    carol = herds[0].create_actor("carol")
    with StandInPeer(free_port(), name="place") as place:
        # carol follows the place: bovine fetches it with a signed GET, then POSTs.
        carol.follow(place.actor_id)
        follow_req = wait_until(
            lambda: place.received("POST", "Follow"), what="Follow at the place"
        )[0]
        follow = follow_req.json()
        assert follow["actor"] == carol.actor_id
        assert follow["object"] == place.actor_id
        _signed_by(place, follow_req, carol.actor_id)
        gets = [r for r in place.received("GET") if r.path == "/actors/place"]
        assert gets, "bovine delivered without fetching the actor"
        assert all("signature" in r.headers for r in gets)
        _signed_by(place, gets[0], carol.actor_id)

        # The place accepts (object = the Follow's id, as many servers send it).
        accept = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": place.new_id(),
            "type": "Accept",
            "actor": place.actor_id,
            "object": follow["id"],
            "to": [carol.actor_id],
        }
        carol_doc = carol.actor_document()
        status, _ = place.signed_post(carol_doc["inbox"], accept)
        assert status == 202
        carol.wait_for_following(place.actor_id)

        # The place follows carol; carol's client accepts; bovine POSTs the Accept.
        place_follow = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": place.new_id(),
            "type": "Follow",
            "actor": place.actor_id,
            "object": carol.actor_id,
            "to": [carol.actor_id],
        }
        status, _ = place.signed_post(carol_doc["inbox"], place_follow)
        assert status == 202
        carol.wait_for_follow_request(place.actor_id)
        # To check the place's signatures bovine fetched its key, signing that GET
        # with its instance-wide Application actor (not with carol's key).
        app_actor = f"{herds[0].base_url}/activitypub/bovine"
        key_gets = [
            r
            for r in place.received("GET")
            if f'keyId="{app_actor}#main-key"' in r.headers.get("signature", "")
        ]
        assert key_gets, "bovine accepted the place's POST without fetching its key"
        _signed_by(place, key_gets[0], app_actor)
        carol.accept_follows()
        accept_req = wait_until(
            lambda: place.received("POST", "Accept"), what="Accept at the place"
        )[0]
        _signed_by(place, accept_req, carol.actor_id)
        assert object_id(accept_req.json()["object"]) == place_follow["id"]
        assert place.actor_id in carol.followers()

        # carol's public note reaches the place, her follower.
        carol.post_note("Ouverture du fablab à 18h")
        create_req = wait_until(
            lambda: place.received("POST", "Create"), what="Create at the place"
        )[0]
        _signed_by(place, create_req, carol.actor_id)
        create = create_req.json()
        assert create["object"]["type"] == "Note"
        assert create["object"]["content"] == "Ouverture du fablab à 18h"

        # carol stops following the place.
        carol.undo_follow(place.actor_id)
        undo_req = wait_until(lambda: place.received("POST", "Undo"), what="Undo at the place")[0]
        _signed_by(place, undo_req, carol.actor_id)
        undo = undo_req.json()
        assert object_id(undo["object"]) == follow["id"]

        status, served_actor = place.signed_get(carol.actor_id)
        assert status == 200
        if os.environ.get("INTERLIEUX_WRITE_CAPTURES") == "1":
            _write_captures(
                carol=carol,
                actor=served_actor,
                requests={
                    "follow": follow_req,
                    "accept_follow": accept_req,
                    "create_note": create_req,
                    "undo_follow": undo_req,
                    "get_actor": gets[0],
                    "get_key_as_application": key_gets[0],
                },
            )


def _write_captures(
    carol: BovineUser, actor: dict[str, Any], requests: dict[str, Recorded]
) -> None:
    CAPTURE_DIR.mkdir(parents=True, exist_ok=True)

    def dump(name: str, data: Any) -> None:
        (CAPTURE_DIR / name).write_text(
            json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    dump("actor.json", actor)
    status, webfinger = http_get(
        f"{carol.server.base_url}/.well-known/webfinger?resource=acct:{carol.handle}"
    )
    assert status == 200
    dump("webfinger.json", json.loads(webfinger))
    status, app_actor = http_get(f"{carol.server.base_url}/activitypub/bovine")
    assert status == 200  # served unsigned, unlike user actors
    dump("application_actor.json", json.loads(app_actor))
    headers: dict[str, Any] = {"server": f"{SERVER_NAME} {SERVER_VERSION}"}
    for name, request in requests.items():
        if request.body:
            dump(f"{name}.json", request.json())
        headers[name] = {"method": request.method, "path": request.path, **request.headers}
    dump("http_headers.json", headers)
