"""RFC 9421 and draft-cavage between real processes (issue 9).

- a POST signed with RFC 9421 only is accepted by a real node and applied;
- a node delivering to a server that refuses draft-cavage (401) gets through with RFC 9421;
- a node delivering to a server that refuses RFC 9421 (401) knocks again with draft-cavage,
  and remembers it, across a restart: the next delivery goes straight to draft-cavage.

The two servers that refuse one scheme are stand-ins on loopback. They check what they accept
with `http_message_signatures` directly (RFC 9421, independently of the node's policy code) and
with the node's draft-cavage checker (unchanged, proven on the draft's own vectors), against
the key that the sending node publishes.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from http_message_signatures import HTTPMessageVerifier, MappingKeyResolver, algorithms

from node.keys import public_pem
from node.signature import cavage, load_public_key, rfc9421

from .network import AS_JSON, PUBLIC, LocalPlace, Pair, create_note, wait_for


@dataclass
class Knock:
    scheme: str  # "rfc9421", "cavage" or "none"
    status: int
    body: dict[str, Any]


@dataclass
class Message:
    method: str
    url: str
    headers: dict[str, str]


@dataclass
class SchemeStandIn:
    """A server that takes only one signature scheme on its inbox (GETs are open)."""

    accepts: str
    base_url: str = ""
    knocks: list[Knock] = field(default_factory=list)
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    @property
    def actor_id(self) -> str:
        return f"{self.base_url}/users/only-{self.accepts}"

    def document(self) -> dict[str, Any]:
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.actor_id,
            "type": "Person",
            "preferredUsername": f"only-{self.accepts}",
            "inbox": f"{self.actor_id}/inbox",
            "publicKey": {
                "id": f"{self.actor_id}#main-key",
                "owner": self.actor_id,
                "publicKeyPem": public_pem(self.key.public_key()),
            },
        }

    def posts(self, activity_id: str) -> list[Knock]:
        return [k for k in self.knocks if k.body.get("id") == activity_id]

    def check(self, method: str, path: str, headers: dict[str, str], body: bytes) -> str:
        """Which scheme signed the request, verified; raises if it does not verify."""
        url = f"{self.base_url}{path}"
        if "signature-input" in headers:
            declared = rfc9421.parse_signature_input(headers)[0]
            key = _sender_key(declared.key_id)
            verifier = HTTPMessageVerifier(
                signature_algorithm=algorithms.RSA_V1_5_SHA256,
                key_resolver=MappingKeyResolver(
                    public_keys={declared.key_id: key}, private_keys={}
                ),
            )
            verifier.verify(
                Message(method, url, headers),
                require_components=("@method", "@target-uri", "content-digest"),
                body=body,
            )
            return "rfc9421"
        if "signature" in headers:
            params, text = cavage.check_request(method, path, headers, body, datetime.now(UTC))
            cavage.verify_signature(params, text, _sender_key(params.key_id))
            return "cavage"
        return "none"


def _sender_key(key_id: str) -> Any:
    """The sending node's key, from its public actor document."""
    actor = httpx.get(key_id.split("#")[0], headers={"accept": AS_JSON}, timeout=10).json()
    assert actor["publicKey"]["id"] == key_id
    return load_public_key(actor["publicKey"]["publicKeyPem"])


@pytest.fixture
def stand_in(request: pytest.FixtureRequest) -> Iterator[SchemeStandIn]:
    peer = SchemeStandIn(accepts=request.param)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, document: Any = None) -> None:
            body = json.dumps(document).encode() if document is not None else b""
            self.send_response(status)
            self.send_header("content-type", AS_JSON)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if urlsplit(self.path).path == urlsplit(peer.actor_id).path:
                self._answer(200, peer.document())
            else:
                self._answer(404, {"error": "not found"})

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                scheme = peer.check("POST", self.path, headers, body)
            except Exception as exc:  # a stand-in: any failure is a refused signature
                scheme = f"invalid ({exc})"
            status = 202 if scheme == peer.accepts else 401
            peer.knocks.append(Knock(scheme, status, json.loads(body)))
            self._answer(status, {"scheme": scheme})

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    peer.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield peer
    httpd.shutdown()
    httpd.server_close()


def _note_to(place: LocalPlace, actor: str, text: str) -> dict[str, Any]:
    return place.post_outbox({"type": "Note", "content": text, "to": [actor], "cc": [PUBLIC]})


def _delivered(place: LocalPlace, activity_id: str) -> bool:
    return any(
        d["activity_id"] == activity_id and d["state"] == "delivered" for d in place.deliveries()
    )


def _remembered(place: LocalPlace, origin: str) -> list[str]:
    rows = place.query("SELECT scheme FROM signature_schemes WHERE origin = ?", (origin,))
    return [r[0] for r in rows]


def test_a_post_signed_with_rfc9421_only_is_accepted_and_applied(
    strangers: Pair,
) -> None:
    coroutine, popcafe = strangers
    activity = create_note(popcafe, "alice", "Signé RFC 9421")
    # Addressed to coroutine: a stranger's post is kept only then.
    activity["cc"] = activity["object"]["cc"] = [coroutine.actor_id()]
    inbox = f"{coroutine.actor_id()}/inbox"
    body = json.dumps(activity).encode()
    headers = rfc9421.sign_request(
        "POST", inbox, f"{popcafe.actor_id('alice')}#main-key",
        popcafe.private_key("alice"), body=body,
        extra_headers={"content-type": AS_JSON},
    )  # fmt: skip
    assert "signature-input" in headers and "digest" not in headers and "date" not in headers
    response = httpx.post(inbox, content=body, headers=headers, timeout=10)
    assert response.status_code == 202, response.text
    wait_for(lambda: coroutine.query(
        "SELECT 1 FROM objects WHERE id = ?", (activity["object"]["id"],)
    ), what="the note stored")  # fmt: skip


def test_an_rfc9421_post_without_target_uri_is_refused(
    strangers: Pair,
) -> None:
    coroutine, popcafe = strangers
    activity = create_note(popcafe, "alice", "Signature trop faible")
    inbox = f"{coroutine.actor_id()}/inbox"
    body = json.dumps(activity).encode()
    headers = rfc9421.sign_request(
        "POST", inbox, f"{popcafe.actor_id('alice')}#main-key",
        popcafe.private_key("alice"), body=body,
        components=("@method", "@authority", "@path", "content-digest"),
    )  # fmt: skip
    response = httpx.post(inbox, content=body, headers=headers, timeout=10)
    assert response.status_code == 401
    assert "@target-uri" in response.json()["error"]


@pytest.mark.parametrize("stand_in", ["rfc9421"], indirect=True)
def test_delivery_to_a_server_that_refuses_cavage_goes_through_with_rfc9421(
    strangers: Pair, stand_in: SchemeStandIn
) -> None:
    coroutine, _ = strangers
    created = _note_to(coroutine, stand_in.actor_id, "Bonjour, serveur moderne")
    wait_for(lambda: stand_in.posts(created["id"]), what="the note at the stand-in")
    wait_for(lambda: _delivered(coroutine, created["id"]), what="the delivery marked delivered")
    assert [(k.scheme, k.status) for k in stand_in.posts(created["id"])] == [("rfc9421", 202)]
    assert _remembered(coroutine, stand_in.base_url) == []  # the default needs no row


@pytest.mark.parametrize("stand_in", ["cavage"], indirect=True)
def test_delivery_to_a_server_that_refuses_rfc9421_falls_back_and_remembers(
    strangers: Pair, stand_in: SchemeStandIn
) -> None:
    coroutine, _ = strangers
    first = _note_to(coroutine, stand_in.actor_id, "Bonjour, serveur ancien")
    wait_for(lambda: len(stand_in.posts(first["id"])) == 2, what="two knocks")
    assert [(k.scheme, k.status) for k in stand_in.posts(first["id"])] == [
        ("rfc9421", 401),
        ("cavage", 202),
    ]
    wait_for(lambda: _remembered(coroutine, stand_in.base_url) == ["cavage"], what="remembered")
    # The memory is a row: a restart keeps it.
    coroutine.stop()
    coroutine.start()
    second = _note_to(coroutine, stand_in.actor_id, "Deuxième message")
    wait_for(lambda: stand_in.posts(second["id"]), what="the second note")
    wait_for(
        lambda: _delivered(coroutine, second["id"]), what="the second delivery marked delivered"
    )
    assert [(k.scheme, k.status) for k in stand_in.posts(second["id"])] == [("cavage", 202)]


def test_an_object_fetched_at_its_id_carries_its_context(
    strangers: Pair,
) -> None:
    coroutine, _ = strangers
    created = coroutine.post_outbox(
        {"type": "Note", "content": f"Note {uuid.uuid4()}", "to": [PUBLIC]}
    )
    object_id = created["object"]["id"]
    document = httpx.get(object_id, headers={"accept": AS_JSON}, timeout=10).json()
    assert document["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert document["id"] == object_id and document["type"] == "Note"
