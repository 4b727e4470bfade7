"""IndieAuth in-process: the home node as authorization server (metadata, discovery links,
consent with CSRF, single-use PKCE-bound codes), and the visited place as client against a
stand-in home server on loopback (state, iss, `me` on the server's own origin), then the
remote visitor's session, which holds no role here."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from node.errors import InterlieuxError
from node.keys import public_pem
from node.limits import Limits
from node.people import indieauth as protocol
from node.web.indieauth import state_cookie
from tests.node.agenda.test_events import event, post
from tests.node.conftest import PUBLIC, InProcessNode, StandIn
from tests.node.web.session import form_token, sign_in_as

HTML = {"accept": "text/html"}
CLIENT = "https://b.example/"
CALLBACK = "https://b.example/connexion/lieu/retour"
VERIFIER = "un-verificateur-assez-long-pour-pkce-0123456789-abcdefghijklmnop"


def request_params(**changes: str) -> dict[str, str]:
    params = {
        "response_type": "code", "client_id": CLIENT, "redirect_uri": CALLBACK,
        "state": "etat-123", "code_challenge": protocol.challenge_of(VERIFIER),
        "code_challenge_method": "S256",
    }  # fmt: skip
    params.update(changes)
    return params


def consent(place: InProcessNode, csrf: str | None, decision: str = "accept") -> httpx.Response:
    data = {**request_params(), "decision": decision}
    if csrf is not None:
        data["csrf"] = csrf
    return place.client.post("/auth", data=data, follow_redirects=False)


def code_of(answer: httpx.Response) -> str:
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["etat-123"]
    assert query["iss"] == ["http://127.0.0.1:9/"]
    return query["code"][0]


def redeem(place: InProcessNode, code: str, **changes: str) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "client_id": CLIENT,
            "redirect_uri": CALLBACK, "code_verifier": VERIFIER, **changes}  # fmt: skip
    return server_post(place, "/auth", data)


def server_post(place: InProcessNode, path: str, data: dict[str, str]) -> httpx.Response:
    """A POST from the visited place's server: the same app, without the browser's cookies."""
    with httpx.Client(transport=place.client._transport, base_url=place.config.base_url) as c:
        return c.post(path, data=data)


def codes(place: InProcessNode) -> int:
    return int(place.query("SELECT COUNT(*) FROM indieauth_codes")[0][0])


# --- the server ---------------------------------------------------------------------------


def test_the_home_node_publishes_its_metadata_and_links_it_from_each_actor(
    place: InProcessNode,
) -> None:
    metadata = place.client.get(protocol.METADATA_PATH).json()
    assert metadata["issuer"] == "http://127.0.0.1:9/"
    assert metadata["authorization_endpoint"] == "http://127.0.0.1:9/auth"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["authorization_response_iss_parameter_supported"] is True
    link = '<http://127.0.0.1:9/.well-known/oauth-authorization-server>; rel="indieauth-metadata"'
    as_json = place.client.get("/actors/alice", headers={"accept": "application/activity+json"})
    assert as_json.headers["content-type"].startswith("application/activity+json")
    assert as_json.headers["link"] == link
    page = place.client.get("/actors/alice", headers=HTML)
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["link"] == link
    found = protocol.link_from_html(page.text, place.actor_id("alice"))
    assert found == "http://127.0.0.1:9/.well-known/oauth-authorization-server"


def test_the_consent_page_needs_the_member_signed_in_at_home(place: InProcessNode) -> None:
    answer = place.client.get("/auth", params=request_params(), follow_redirects=False)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("/connexion?next=%2Fauth%3F")
    assert "code_challenge" in parse_qs(urlsplit(location).query)["next"][0]


def test_a_member_consents_and_the_place_learns_their_actor_id_once(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    page = place.client.get("/auth", params=request_params(), headers=HTML)
    assert page.status_code == 200
    assert "<strong>b.example</strong> veut savoir que vous êtes <strong>@alice@127.0.0.1:9" in (
        page.text
    )
    assert page.headers["cache-control"] == "no-store"
    code = code_of(consent(place, form_token(page)))
    assert csrf == form_token(page)
    answer = redeem(place, code)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"me": place.actor_id("alice")}
    # Single use: the same code again is refused.
    again = redeem(place, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert "access_token" not in answer.json()  # a place learns who, never acts for them
    token = redeem(place, code_of(consent(place, csrf)))
    assert token.status_code == 200


def test_the_token_endpoint_redeems_the_same_way(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    code = code_of(consent(place, csrf))
    data = {"grant_type": "authorization_code", "code": code, "client_id": CLIENT,
            "redirect_uri": CALLBACK, "code_verifier": VERIFIER}  # fmt: skip
    answer = server_post(place, "/auth/token", data)
    assert answer.json() == {"me": place.actor_id("alice")}


def test_consent_without_the_csrf_token_is_refused_and_issues_no_code(
    place: InProcessNode,
) -> None:
    csrf = sign_in_as(place, "alice")
    assert consent(place, None).status_code == 403
    assert consent(place, "pas-le-bon").status_code == 403
    other_site = place.client.post(
        "/auth", data={**request_params(), "decision": "accept", "csrf": csrf},
        headers={"origin": "https://evil.example"}, follow_redirects=False,
    )  # fmt: skip
    assert other_site.status_code == 403
    assert codes(place) == 0


def test_refusing_sends_the_place_an_access_denied(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    answer = consent(place, csrf, decision="refuse")
    assert answer.status_code == 303
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["error"] == ["access_denied"] and query["state"] == ["etat-123"]
    assert "code" not in query and codes(place) == 0


def test_a_pkce_mismatch_is_refused_and_spends_the_code(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    code = code_of(consent(place, csrf))
    wrong = redeem(place, code, code_verifier="x" * 64)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # A stolen code gets one guess: the right verifier after a wrong one finds it spent.
    assert redeem(place, code).status_code == 400


def test_a_wrong_redirect_uri_or_client_is_refused(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    code = code_of(consent(place, csrf))
    assert redeem(place, code, redirect_uri="https://b.example/ailleurs").status_code == 400
    code = code_of(consent(place, csrf))
    assert redeem(place, code, client_id="https://c.example/").status_code == 400


def test_a_redirect_uri_off_the_client_s_origin_gets_no_consent_page(
    place: InProcessNode,
) -> None:
    sign_in_as(place, "alice")
    for bad in (
        {"redirect_uri": "https://evil.example/retour"},
        {"redirect_uri": "http://b.example/connexion/lieu/retour"},  # another scheme
        {"client_id": "http://b.example/", "redirect_uri": "http://b.example/r"},  # no https
        {"code_challenge_method": "plain", "code_challenge": VERIFIER},
        {"code_challenge": ""},
        {"state": ""},
    ):
        answer = place.client.get("/auth", params=request_params(**bad), headers=HTML,
                                  follow_redirects=False)  # fmt: skip
        assert answer.status_code == 400, bad
        assert "veut savoir" not in answer.text
        forged = consent_with(place, bad)
        assert forged.status_code == 400, bad
    assert codes(place) == 0


def consent_with(place: InProcessNode, changes: dict[str, str]) -> httpx.Response:
    page = place.client.get("/moi", headers=HTML)
    data = {**request_params(**changes), "decision": "accept", "csrf": form_token(page)}
    return place.client.post("/auth", data=data, follow_redirects=False)


def test_an_expired_code_is_refused(place: InProcessNode, monkeypatch: pytest.MonkeyPatch) -> None:
    csrf = sign_in_as(place, "alice")
    monkeypatch.setattr(protocol, "CODE_LIFETIME", -1)  # issued already past its lifetime
    code = code_of(consent(place, csrf))
    assert redeem(place, code).status_code == 400


def test_redemption_checks_each_binding() -> None:
    challenge = protocol.challenge_of(VERIFIER)
    stored = {"used_at": None, "expires_at": 1000.0, "client_id": CLIENT,
              "redirect_uri": CALLBACK, "code_challenge": challenge}  # fmt: skip
    protocol.check_redemption(stored, CLIENT, CALLBACK, VERIFIER, 999.0)
    for changed, now in (
        ({"used_at": 998.0}, 999.0),
        ({}, 1000.0),
        ({"client_id": "https://c.example/"}, 999.0),
        ({"code_challenge": protocol.challenge_of(VERIFIER + "x")}, 999.0),
    ):
        with pytest.raises(InterlieuxError):
            protocol.check_redemption({**stored, **changed}, CLIENT, CALLBACK, VERIFIER, now)
    with pytest.raises(InterlieuxError):
        protocol.check_redemption(stored, CLIENT, CALLBACK, "court", 999.0)


def test_pkce_s256_is_the_unpadded_base64url_of_the_sha256() -> None:
    digest = hashlib.sha256(VERIFIER.encode()).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert protocol.challenge_of(VERIFIER) == expected and len(expected) == 43
    assert len(protocol.new_verifier()) == 64


def test_client_ids_and_profile_urls_as_the_spec_reads_them() -> None:
    assert protocol.check_client_id("https://b.example/") == "https://b.example/"
    assert protocol.check_client_id("http://localhost:8080/") == "http://localhost:8080/"
    for bad in ("https://b.example", "https://b.example/#x", "https://u:p@b.example/",
                "https://b.example/a/../b", "https://10.0.0.1/", "ftp://b.example/",
                "http://b.example/"):  # fmt: skip
        with pytest.raises(InterlieuxError):
            protocol.check_client_id(bad)
    assert protocol.canonical_profile("A.Example") == "https://a.example/"
    assert protocol.canonical_profile("javascript:alert(1)") is None
    header = '<https://a.example/meta>; rel="indieauth-metadata", <x>; rel="other"'
    assert protocol.link_from_header(header, "https://a.example/u") == "https://a.example/meta"
    assert protocol.link_from_header('</m>; rel="a indieauth-metadata"', "https://a.example/u") == (
        "https://a.example/m"
    )
    assert (
        protocol.link_from_header('<https://a.example/m>; rel="me"', "https://a.example/") is None
    )


def test_a_server_vouches_only_for_profiles_on_its_own_origin() -> None:
    good = {"issuer": "https://a.example/", "authorization_endpoint": "https://a.example/auth",
            "code_challenge_methods_supported": ["S256"]}  # fmt: skip
    meta = "https://a.example/.well-known/oauth-authorization-server"
    server = protocol.server_from(good, meta, "https://a.example/actors/alice")
    assert server.issuer == "https://a.example/"
    with pytest.raises(InterlieuxError):
        protocol.server_from(good, meta, "https://b.example/actors/alice")
    with pytest.raises(InterlieuxError):  # an issuer that is not the metadata's prefix
        protocol.server_from({**good, "issuer": "https://a.example/autre/"}, meta,
                             "https://a.example/actors/alice")  # fmt: skip
    with pytest.raises(InterlieuxError):
        protocol.server_from({**good, "code_challenge_methods_supported": ["plain"]}, meta,
                             "https://a.example/actors/alice")  # fmt: skip
    with pytest.raises(InterlieuxError):
        protocol.check_me({"me": "https://a.example/actors/bob"}, "https://a.example/actors/alice")


# --- the client, against a stand-in home server --------------------------------------------


@dataclass
class Home:
    """Another place's node, as far as IndieAuth goes: WebFinger, the actor, the metadata,
    and a redemption answering `me` (Alice's actor, unless a test makes it lie)."""

    base_url: str = ""
    me: str | None = None
    redemptions: list[dict[str, str]] = field(default_factory=list)
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    @property
    def alice(self) -> str:
        return f"{self.base_url}/actors/alice"


@pytest.fixture
def home() -> Iterator[Home]:
    stand = Home()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: Any, kind: str, **headers: str) -> None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            base, path = stand.base_url, urlsplit(self.path).path
            if path == "/.well-known/webfinger":
                links = [{"rel": "self", "type": "application/activity+json", "href": stand.alice}]
                self._send(200, {"subject": "acct:alice", "links": links}, "application/jrd+json")
            elif path == "/actors/alice" and "text/html" in self.headers.get("accept", ""):
                meta = f"{base}{protocol.METADATA_PATH}"
                self._send(200, "<!doctype html><title>Alice</title>", "text/html",
                           link=f'<{meta}>; rel="indieauth-metadata"')  # fmt: skip
            elif path == "/actors/alice":
                key = {"id": f"{stand.alice}#main-key", "owner": stand.alice,
                       "publicKeyPem": public_pem(stand.key.public_key())}  # fmt: skip
                actor = {"id": stand.alice, "type": "Person", "preferredUsername": "alice",
                         "inbox": f"{stand.alice}/inbox", "publicKey": key}  # fmt: skip
                self._send(200, actor, "application/activity+json")
            elif path == protocol.METADATA_PATH:
                self._send(200, {"issuer": f"{base}/", "authorization_endpoint": f"{base}/auth",
                                 "code_challenge_methods_supported": ["S256"]},
                           "application/json")  # fmt: skip
            else:
                self._send(404, {}, "application/json")

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            stand.redemptions.append(form)
            self._send(200, {"me": stand.me or stand.alice}, "application/json")

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stand.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield stand
    httpd.shutdown()
    httpd.server_close()


def leave_for_home(place: InProcessNode, home: Home, next_: str = "/agenda") -> dict[str, str]:
    """Type Alice's address on /connexion; the query the browser takes to her home."""
    page = place.client.get("/connexion", headers=HTML)
    assert "Se connecter avec mon lieu" in page.text
    host = home.base_url.removeprefix("http://")
    answer = place.client.post(
        "/connexion/lieu", data={"csrf": form_token(page), "address": f"@alice@{host}",
                                 "next": next_}, follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(f"{home.base_url}/auth?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def come_back(place: InProcessNode, home: Home, asked: dict[str, str], **changes: str) -> Any:
    query = {"code": "le-code", "state": asked["state"], "iss": f"{home.base_url}/", **changes}
    return place.client.get(f"/connexion/lieu/retour?{urlencode(query)}", headers=HTML,
                            follow_redirects=False)  # fmt: skip


def test_a_member_of_another_place_signs_in_here_with_their_home_account(
    place: InProcessNode, home: Home
) -> None:
    asked = leave_for_home(place, home)
    assert asked["client_id"] == "http://127.0.0.1:9/"
    assert asked["redirect_uri"] == "http://127.0.0.1:9/connexion/lieu/retour"
    assert asked["code_challenge_method"] == "S256" and asked["me"] == home.alice
    answer = come_back(place, home, asked)
    assert answer.status_code == 303 and answer.headers["location"] == "/agenda"
    (posted,) = home.redemptions
    assert posted["code"] == "le-code" and posted["client_id"] == asked["client_id"]
    assert posted["redirect_uri"] == asked["redirect_uri"]
    assert protocol.challenge_of(posted["code_verifier"]) == asked["code_challenge"]
    host = home.base_url.removeprefix("http://")
    page = place.client.get("/agenda", headers=HTML)
    assert f'Connecté·e en tant que <a href="{home.alice}">@alice@{host}</a>' in page.text
    (row,) = place.query("SELECT actor, address, closed_at FROM visitor_sessions")
    assert row == (home.alice, f"@alice@{host}", None)
    # No role here: the member's and the team's spaces send them to sign in as a member.
    for path in ("/moi", "/moi/participer?event=x", "/equipe", "/equipe/membres"):
        gated = place.client.get(path, headers=HTML, follow_redirects=False)
        assert gated.status_code == 303 and gated.headers["location"].startswith("/connexion")
    # The same answer again finds its flow spent.
    assert come_back(place, home, asked).status_code == 401
    # Sign-out needs the visitor's CSRF token, then closes the session.
    assert place.client.post("/deconnexion/lieu", data={}).status_code == 403
    out = place.client.post("/deconnexion/lieu", data={"csrf": form_token(page)},
                            follow_redirects=False)  # fmt: skip
    assert out.status_code == 303
    assert place.query("SELECT closed_at FROM visitor_sessions")[0][0] is not None
    assert "Connecté·e en tant que" not in place.client.get("/agenda", headers=HTML).text


def test_a_me_on_another_origin_is_not_the_visitor_and_is_refused(
    place: InProcessNode, home: Home
) -> None:
    # The home vouching for another node's member: not the actor the visitor started from
    # (that one is on the home's own origin, checked when its server was discovered).
    home.me = "http://127.0.0.2:8/actors/alice"
    answer = come_back(place, home, leave_for_home(place, home))
    assert answer.status_code == 401 and "pas abouti" in answer.text
    assert place.query("SELECT COUNT(*) FROM visitor_sessions") == [(0,)]


def test_another_member_of_the_same_home_is_refused(place: InProcessNode, home: Home) -> None:
    home.me = f"{home.base_url}/actors/bob"  # not the actor the visitor said they are
    answer = come_back(place, home, leave_for_home(place, home))
    assert answer.status_code == 401
    assert place.query("SELECT COUNT(*) FROM visitor_sessions") == [(0,)]


def test_a_state_mismatch_is_refused_before_any_redemption(
    place: InProcessNode, home: Home
) -> None:
    asked = leave_for_home(place, home)
    assert come_back(place, home, asked, state="un-autre-etat").status_code == 401
    # Nor another browser's state: this one's cookie is gone, the answer cannot be replayed.
    place.client.cookies.delete(state_cookie(place.config.base_url))
    assert come_back(place, home, asked).status_code == 401
    assert home.redemptions == []
    assert place.query("SELECT COUNT(*) FROM visitor_sessions") == [(0,)]


def test_an_answer_from_another_issuer_is_refused(place: InProcessNode, home: Home) -> None:
    asked = leave_for_home(place, home)
    assert come_back(place, home, asked, iss="https://evil.example/").status_code == 401
    assert home.redemptions == []


def test_starting_needs_the_form_s_csrf_token(place: InProcessNode, home: Home) -> None:
    host = home.base_url.removeprefix("http://")
    answer = place.client.post("/connexion/lieu", data={"address": f"@alice@{host}"},
                               follow_redirects=False)  # fmt: skip
    assert answer.status_code == 403


def test_an_address_of_no_place_says_so_on_the_form(place: InProcessNode) -> None:
    page = place.client.get("/connexion", headers=HTML)
    answer = place.client.post(
        "/connexion/lieu", data={"csrf": form_token(page), "address": "@alice@127.0.0.1:9"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 400
    assert "un compte de ce lieu" in answer.text
    answer = place.client.post(
        "/connexion/lieu", data={"csrf": form_token(answer), "address": "@nobody@127.0.0.1:1"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 400 and 'value="@nobody@127.0.0.1:1"' in answer.text


# --- taking part ---------------------------------------------------------------------------


def local_event(place: InProcessNode) -> str:
    created = post(place, event())
    assert created.status_code == 201, created.text
    return str(created.json()["object"]["id"])


def test_a_member_of_the_place_takes_part_through_its_outbox(place: InProcessNode) -> None:
    event_id = local_event(place)
    csrf = sign_in_as(place, "alice")
    page = place.client.get(event_id, headers=HTML)
    assert 'action="/participer"' in page.text
    refused = place.client.post("/participer", data={"event": event_id}, follow_redirects=False)
    assert refused.status_code == 403
    answer = place.client.post("/participer", data={"event": event_id, "csrf": csrf},
                               follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{urlsplit(event_id).path}?participation=envoyee"
    place.wait("SELECT 1 FROM event_participants WHERE event_id = ? AND actor = ?",
               (event_id, place.actor_id("alice")))  # fmt: skip
    (join,) = place.query("SELECT actor, local FROM activities WHERE type = 'Join'")
    assert join == (place.actor_id("alice"), 1)
    assert "Vous participez à cet événement." in place.client.get(event_id, headers=HTML).text


def test_a_remote_visitor_is_sent_home_to_take_part(place: InProcessNode, home: Home) -> None:
    event_id = local_event(place)
    assert come_back(place, home, leave_for_home(place, home)).status_code == 303
    page = place.client.get(event_id, headers=HTML)
    assert "Votre lieu vous demandera de confirmer." in page.text
    csrf = form_token(page)
    refused = place.client.post("/participer", data={"event": event_id}, follow_redirects=False)
    assert refused.status_code == 403
    answer = place.client.post("/participer", data={"event": event_id, "csrf": csrf},
                               follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == (
        f"{home.base_url}/moi/participer?{urlencode({'event': event_id})}"
    )
    assert place.query("SELECT COUNT(*) FROM activities WHERE type = 'Join'") == [(0,)]


def test_at_home_the_member_confirms_and_the_join_goes_to_the_event_s_place(
    place: InProcessNode, stand_in: StandIn
) -> None:
    host = stand_in.add_actor("/users/lieu")
    event_id = f"{stand_in.base_url}/events/1"
    stand_in.documents["/events/1"] = {
        "id": event_id, "type": "Event", "name": "Fête des voisins", "attributedTo": host,
        "startTime": "2030-06-01T18:00:00+02:00", "to": [PUBLIC],
    }  # fmt: skip
    path = f"/moi/participer?{urlencode({'event': event_id})}"
    gated = place.client.get(path, headers=HTML, follow_redirects=False)
    assert gated.status_code == 303 and gated.headers["location"].startswith("/connexion?next=")
    csrf = sign_in_as(place, "alice")
    page = place.client.get(path, headers=HTML)
    assert "Fête des voisins" in page.text and "Confirmer ma participation" in page.text
    refused = place.client.post("/moi/participer", data={"event": event_id},
                                follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403
    assert place.query("SELECT COUNT(*) FROM activities WHERE type = 'Join'") == [(0,)]
    answer = place.client.post("/moi/participer", data={"event": event_id, "csrf": csrf},
                               follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{event_id}?participation=envoyee"
    join = stand_in.wait_received(lambda body: body.get("type") == "Join")
    assert join["actor"] == place.actor_id("alice") and join["object"] == event_id
    assert join["to"] == [host]


def test_at_home_something_that_is_no_event_is_not_joined(
    place: InProcessNode, stand_in: StandIn
) -> None:
    actor = stand_in.add_actor("/users/lieu")
    sign_in_as(place, "alice")
    for url in (actor, "javascript:alert(1)", f"{stand_in.base_url}/absent"):
        page = place.client.get(f"/moi/participer?{urlencode({'event': url})}", headers=HTML)
        assert page.status_code == 400, url
        assert "Confirmer ma participation" not in page.text


def test_failed_tries_are_throttled_as_sign_ins_are(place: InProcessNode) -> None:
    page = place.client.get("/connexion", headers=HTML)
    for _ in range(Limits().signin_per_account.burst):
        answer = place.client.post(
            "/connexion/lieu", data={"csrf": form_token(page), "address": "@x@127.0.0.1:1"}
        )
        assert answer.status_code == 400
        page = answer
    answer = place.client.post(
        "/connexion/lieu", data={"csrf": form_token(page), "address": "@x@127.0.0.1:1"}
    )
    assert answer.status_code == 429 and "retry-after" in answer.headers


def test_a_restricted_event_says_the_request_waits_for_the_team(place: InProcessNode) -> None:
    created = post(place, event(joinMode="restricted"))
    event_id = created.json()["object"]["id"]
    csrf = sign_in_as(place, "alice")
    answer = place.client.post("/participer", data={"event": event_id, "csrf": csrf},
                               follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    place.wait("SELECT 1 FROM event_requests WHERE event_id = ?", (event_id,))
    page = place.client.get(event_id, headers=HTML).text
    assert "attend la réponse de l&#39;équipe du lieu" in page
    assert 'action="/participer"' not in page


def test_erasing_the_account_takes_its_codes_away(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    code_of(consent(place, csrf))
    assert codes(place) == 1
    erased = place.client.post("/moi/donnees/effacer", data={"csrf": csrf, "handle": "alice"},
                               follow_redirects=False)  # fmt: skip
    assert erased.status_code == 303, erased.text
    assert codes(place) == 0


def test_an_actor_deleted_at_home_is_signed_out_here(place: InProcessNode, home: Home) -> None:
    assert come_back(place, home, leave_for_home(place, home)).status_code == 303
    host = home.base_url.removeprefix("http://")
    assert f"@alice@{host}" in place.client.get("/agenda", headers=HTML).text
    # Their account erased at home: the home's Delete of the actor, signed with its key.
    delete = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{home.alice}#delete",
              "type": "Delete", "actor": home.alice, "object": home.alice}  # fmt: skip
    answer = place.post_signed("/inbox", delete, home.key, f"{home.alice}#main-key")
    assert answer.status_code == 202 and answer.json()["status"] == "accepted", answer.text
    place.wait("SELECT 1 FROM visitor_sessions WHERE closed_at IS NOT NULL")
    assert f"@alice@{host}" not in place.client.get("/agenda", headers=HTML).text


def test_an_issuer_is_on_the_metadata_urls_own_origin() -> None:
    document = {
        "issuer": "https://a.example",
        "authorization_endpoint": "https://evil.example/auth",
    }
    for metadata_url in ("https://a.example.evil.example/m", "https://a.example@evil.example/m"):
        with pytest.raises(InterlieuxError):
            protocol.server_from(document, metadata_url, "https://a.example/actors/alice")
    profile = "https://a.example/actors/alice"
    # An issuer with a path is a directory the metadata lies under, never a name's prefix.
    for issuer, meta in (("https://a.example/lieu", "https://a.example/lieu2/m"),
                         ("https://a.example/lieu", "https://a.example/lieu/m")):  # fmt: skip
        with pytest.raises(InterlieuxError):
            protocol.server_from({**document, "issuer": issuer}, meta, profile)
    for issuer, meta in (("https://a.example", "https://a.example/.well-known/x"),
                         ("https://a.example/lieu/", "https://a.example/lieu/m")):  # fmt: skip
        assert protocol.server_from({**document, "issuer": issuer}, meta, profile).issuer == issuer


def test_discovery_takes_a_link_element_not_an_anchor() -> None:
    base = "https://a.example/actors/alice"
    page = '<a rel="indieauth-metadata" href="https://evil.example/m">x</a>'
    assert protocol.link_from_html(page, base) is None
    page += '<link rel="indieauth-metadata" href="/meta">'
    assert protocol.link_from_html(page, base) == "https://a.example/meta"
