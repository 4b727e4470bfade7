"""Passkeys in-process, as a browser's passkeys.js uses them, with a software authenticator
(P-256, attestation `none`): the options a page gets, registering from /moi and from an
invitation, signing in, and what is refused — an unknown key, a replayed answer, a sign count
going backwards, a missing CSRF token — with failures throttled like a password's."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from base64 import urlsafe_b64decode, urlsafe_b64encode
from html import unescape
from typing import Any

import cbor2
import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from node.limits import Limits
from tests.node.conftest import InProcessNode
from tests.node.people.test_signin import (
    HTML,
    PASSWORD,
    form_cookie,
    form_token,
    invite,
    join,
    session_cookie,
)

ORIGIN = "http://127.0.0.1:9"
RP_ID = "127.0.0.1"
TRIES = Limits().signin_per_account.burst


def b64(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Authenticator:
    """One discoverable credential, made and used the way a phone would (WebAuthn §6)."""

    def __init__(self, origin: str = ORIGIN, rp_id: str = RP_ID) -> None:
        self.origin, self.rp_id = origin, rp_id
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(16)
        self.count = 0

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": self.origin,
                           "crossOrigin": False}).encode()  # fmt: skip

    def _auth_data(self, flags: int, extra: bytes = b"") -> bytes:
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + self.count.to_bytes(4, "big") + extra

    def create(self, options: dict[str, Any]) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})  # fmt: skip
        attested = bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id
        auth_data = self._auth_data(0x45, attested + cose)  # user present, verified, attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client = self._client_data("webauthn.create", options["challenge"])
        return {"id": b64(self.credential_id), "rawId": b64(self.credential_id),
                "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64(client), "attestationObject": b64(attestation),
                             "transports": ["internal"]}}  # fmt: skip

    def get(self, options: dict[str, Any], count: int | None = None) -> dict[str, Any]:
        self.count = self.count + 1 if count is None else count
        auth_data = self._auth_data(0x05)
        client = self._client_data("webauthn.get", options["challenge"])
        signed = auth_data + hashlib.sha256(client).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return {"id": b64(self.credential_id), "rawId": b64(self.credential_id),
                "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64(client), "authenticatorData": b64(auth_data),
                             "signature": b64(signature), "userHandle": b64(b"alice")}}  # fmt: skip


def post(place: InProcessNode, path: str, body: dict[str, Any]) -> httpx.Response:
    return place.client.post(path, json=body, headers={"origin": ORIGIN})


def my_csrf(place: InProcessNode) -> str:
    return form_token(place.client.get("/moi", headers=HTML))


def add_from_me(place: InProcessNode, phone: Authenticator, label: str = "téléphone") -> None:
    token = my_csrf(place)
    options = post(place, "/moi/cles/options", {"csrf": token})
    assert options.status_code == 200, options.text
    made = phone.create(options.json())
    answer = post(place, "/moi/cles", {"csrf": token, "credential": made, "label": label})
    assert answer.status_code == 200 and answer.json() == {"to": "/moi"}, answer.text


def sign_in_page(place: InProcessNode) -> str:
    place.client.cookies.clear()
    return form_token(place.client.get("/connexion", headers=HTML))


def passkey_sign_in(
    place: InProcessNode, phone: Authenticator, count: int | None = None
) -> httpx.Response:
    token = sign_in_page(place)
    options = post(place, "/connexion/cle/options", {"csrf": token}).json()
    answer = {"csrf": token, "credential": phone.get(options, count), "next": "/moi"}
    return post(place, "/connexion/cle", answer)


def test_a_member_adds_a_passkey_on_their_page_and_signs_in_with_it(
    place: InProcessNode,
) -> None:
    join(place)
    token = my_csrf(place)
    options = post(place, "/moi/cles/options", {"csrf": token})
    assert options.headers["cache-control"] == "no-store"
    given = options.json()
    assert given["rp"] == {"id": RP_ID, "name": "La Coroutine"}
    assert unb64(given["user"]["id"]) == b"alice"
    assert given["user"]["name"] == "alice@127.0.0.1:9"
    assert given["authenticatorSelection"]["residentKey"] == "required"
    assert given["excludeCredentials"] == []
    assert len(unb64(given["challenge"])) == 32
    phone = Authenticator()
    made = phone.create(given)
    answer = post(place, "/moi/cles", {"csrf": token, "credential": made, "label": "Mon  tél"})
    assert answer.status_code == 200
    page = place.client.get("/moi", headers=HTML).text
    assert "Mon tél" in page and "Supprimer" in page
    excluded = post(place, "/moi/cles/options", {"csrf": token}).json()["excludeCredentials"]
    assert [unb64(c["id"]) for c in excluded] == [phone.credential_id]

    signed_in = passkey_sign_in(place, phone)
    assert signed_in.status_code == 200 and signed_in.json() == {"to": "/moi"}
    named = f"{session_cookie(place)}="
    cookie = [h for h in signed_in.headers.get_list("set-cookie") if h.startswith(named)]
    assert len(cookie) == 1 and "HttpOnly" in cookie[0] and "SameSite=lax" in cookie[0]
    me = place.client.get("/moi", headers=HTML, follow_redirects=False)
    assert me.status_code == 200 and "@alice@127.0.0.1:9" in me.text
    assert "utilisée le" in me.text


def test_the_registration_endpoints_want_the_csrf_token_and_this_site(
    place: InProcessNode,
) -> None:
    join(place)
    token = my_csrf(place)
    assert post(place, "/moi/cles/options", {}).status_code == 403
    assert post(place, "/moi/cles/options", {"csrf": "x" * 64}).status_code == 403
    other = place.client.post("/moi/cles/options", json={"csrf": token},
                              headers={"origin": "https://elsewhere.example"})  # fmt: skip
    assert other.status_code == 403
    as_form = place.client.post("/moi/cles/options", data={"csrf": token})
    assert as_form.status_code == 403
    options = post(place, "/moi/cles/options", {"csrf": token}).json()
    made = Authenticator().create(options)
    assert post(place, "/moi/cles", {"credential": made}).status_code == 403
    # Nothing was kept, and the challenge was not spent by the refused answer.
    assert "Aucune clé d'accès" in unescape(place.client.get("/moi", headers=HTML).text)
    assert post(place, "/moi/cles", {"csrf": token, "credential": made}).status_code == 200
    # Removing a key is a form like the others: without its token, refused.
    key = re.search(r'action="(/moi/cles/\d+/supprimer)"',
                    place.client.get("/moi", headers=HTML).text)  # fmt: skip
    assert key
    assert place.client.post(key.group(1), data={}).status_code == 403
    removed = place.client.post(key.group(1), data={"csrf": token}, follow_redirects=False)
    assert removed.status_code == 303
    assert "Aucune clé d'accès" in unescape(place.client.get("/moi", headers=HTML).text)
    # Signed out, the endpoints open nothing.
    place.client.cookies.clear()
    assert post(place, "/moi/cles/options", {"csrf": token}).status_code == 401


def test_a_registration_answer_serves_once_and_for_its_own_challenge(
    place: InProcessNode,
) -> None:
    join(place)
    token = my_csrf(place)
    phone = Authenticator()
    options = post(place, "/moi/cles/options", {"csrf": token}).json()
    made = phone.create(options)
    assert post(place, "/moi/cles", {"csrf": token, "credential": made}).status_code == 200
    assert post(place, "/moi/cles", {"csrf": token, "credential": made}).status_code == 401
    stranger = Authenticator(origin="https://phishing.example")
    options = post(place, "/moi/cles/options", {"csrf": token}).json()
    refused = post(place, "/moi/cles", {"csrf": token, "credential": stranger.create(options)})
    assert refused.status_code == 401 and "pas été acceptée" in refused.json()["error"]


def test_an_invited_member_chooses_a_passkey_instead_of_a_password(
    place: InProcessNode,
) -> None:
    path = invite(place, "alice")
    page = place.client.get(path, headers=HTML)
    assert "Créer une clé d'accès et me connecter" in unescape(page.text)
    token = form_token(page)
    options = post(place, f"{path}/cle/options", {"csrf": token}).json()
    assert unb64(options["user"]["id"]) == b"alice"
    phone = Authenticator()
    answer = post(place, f"{path}/cle", {"csrf": token, "credential": phone.create(options)})
    assert answer.status_code == 200 and answer.json() == {"to": "/moi"}
    assert place.client.get("/moi", headers=HTML, follow_redirects=False).status_code == 200
    # The link served once.
    assert place.client.get(path, headers=HTML).status_code == 410
    assert passkey_sign_in(place, phone).status_code == 200


def test_an_unknown_key_a_replay_and_a_count_going_backwards_are_refused(
    place: InProcessNode,
) -> None:
    join(place)
    phone = Authenticator()
    add_from_me(place, phone)
    assert passkey_sign_in(place, Authenticator()).status_code == 401  # not registered here

    token = sign_in_page(place)
    options = post(place, "/connexion/cle/options", {"csrf": token}).json()
    answer = {"csrf": token, "credential": phone.get(options)}
    assert post(place, "/connexion/cle", answer).status_code == 200
    place.client.cookies.clear()
    place.client.cookies.set(form_cookie(place), token, path="/connexion")
    replayed = post(place, "/connexion/cle", answer)
    assert replayed.status_code == 401 and session_cookie(place) not in place.client.cookies

    assert passkey_sign_in(place, phone, count=5).status_code == 200
    cloned = passkey_sign_in(place, phone, count=3)
    assert cloned.status_code == 401 and session_cookie(place) not in place.client.cookies
    assert passkey_sign_in(place, phone, count=5).status_code == 401  # not forward either
    assert passkey_sign_in(place, phone, count=6).status_code == 200


def test_failed_passkey_sign_ins_count_against_the_password_throttle(
    place: InProcessNode,
) -> None:
    join(place)
    phone = Authenticator()
    add_from_me(place, phone)
    impostor = Authenticator()  # alice's credential id, another key: the signature fails
    impostor.credential_id = phone.credential_id
    for _ in range(TRIES):
        assert passkey_sign_in(place, impostor).status_code == 401
    throttled = passkey_sign_in(place, phone)
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    # The same account's password is throttled too: one budget per account.
    token = sign_in_page(place)
    data = {"csrf": token, "username": "alice", "password": PASSWORD}
    by_password = place.client.post("/connexion", data=data)
    assert by_password.status_code == 429


def test_the_passkey_parts_of_the_pages_speak_english_too(place: InProcessNode) -> None:
    path = invite(place, "alice")
    english = {"accept": "text/html", "accept-language": "en"}
    invitation = unescape(place.client.get(path, headers=english).text)
    assert "Or, without a password: a passkey" in invitation
    assert "Create a passkey and sign in" in invitation
    join(place)
    me = unescape(place.client.get("/moi", headers=english).text)
    assert "My passkeys" in me and "No passkey yet." in me and "Add a passkey" in me
    assert "Follow your device's instructions…" in me
    place.client.cookies.clear()
    signin = unescape(place.client.get("/connexion", headers=english).text)
    assert "Sign in with a passkey" in signin and "The passkey did not work:" in signin


def test_a_reset_link_taken_with_a_passkey_closes_the_other_sessions(
    place: InProcessNode,
) -> None:
    join(place)  # alice has a password and a session
    old_cookies = dict(place.client.cookies)
    place.client.cookies.clear()
    path = invite(place, "alice")  # a reset: she has a password already
    token = form_token(place.client.get(path, headers=HTML))
    options = post(place, f"{path}/cle/options", {"csrf": token}).json()
    phone = Authenticator()
    answer = post(place, f"{path}/cle", {"csrf": token, "credential": phone.create(options)})
    assert answer.status_code == 200
    place.client.cookies.clear()
    for name, value in old_cookies.items():
        place.client.cookies.set(name, value)
    old = place.client.get("/moi", headers=HTML, follow_redirects=False)
    assert old.status_code == 303  # the old session was closed


def test_a_key_answering_for_another_user_is_refused(place: InProcessNode) -> None:
    join(place)
    phone = Authenticator()
    add_from_me(place, phone)
    token = sign_in_page(place)
    options = post(place, "/connexion/cle/options", {"csrf": token}).json()
    credential = phone.get(options)
    credential["response"]["userHandle"] = b64(b"bob")
    assert (
        post(place, "/connexion/cle", {"csrf": token, "credential": credential}).status_code == 401
    )


def test_a_passkey_sign_in_does_not_send_to_another_site(place: InProcessNode) -> None:
    join(place)
    phone = Authenticator()
    add_from_me(place, phone)
    token = sign_in_page(place)
    options = post(place, "/connexion/cle/options", {"csrf": token}).json()
    answer = {"csrf": token, "credential": phone.get(options), "next": "/\t/evil.example"}
    done = post(place, "/connexion/cle", answer)
    assert done.status_code == 200
    assert done.json()["to"] == "/moi"  # passkeys.js does location.assign(to)


def test_a_reset_link_ends_the_passkeys_of_a_lost_phone(place: InProcessNode) -> None:
    join(place)
    lost = Authenticator()
    add_from_me(place, lost)
    assert passkey_sign_in(place, lost).status_code == 200
    place.client.cookies.clear()
    path = invite(place, "alice")  # the team's reset link after the phone was stolen
    token = form_token(place.client.get(path, headers=HTML))
    reset = place.client.post(
        path,
        data={
            "csrf": token,
            "password": "une autre phrase longue",
            "confirmation": "une autre phrase longue",
        },
        headers={"origin": "http://127.0.0.1:9"},
        follow_redirects=False,
    )
    assert reset.status_code == 303, reset.text
    assert passkey_sign_in(place, lost).status_code != 200


def test_a_reset_link_taken_with_a_new_passkey_ends_the_old_ones(place: InProcessNode) -> None:
    join(place)
    lost = Authenticator()
    add_from_me(place, lost)
    place.client.cookies.clear()
    path = invite(place, "alice")
    token = form_token(place.client.get(path, headers=HTML))
    options = post(place, f"{path}/cle/options", {"csrf": token}).json()
    new = Authenticator()
    assert post(place, f"{path}/cle",
                {"csrf": token, "credential": new.create(options)}).status_code == 200  # fmt: skip
    assert passkey_sign_in(place, lost).status_code != 200
    assert passkey_sign_in(place, new).status_code == 200


def test_passkey_challenges_are_limited_per_client_address(place: InProcessNode) -> None:
    token = sign_in_page(place)
    for _ in range(Limits().passkey_options_per_address.burst):
        assert post(place, "/connexion/cle/options", {"csrf": token}).status_code == 200
    refused = post(place, "/connexion/cle/options", {"csrf": token})
    assert refused.status_code == 429 and "retry-after" in refused.headers
