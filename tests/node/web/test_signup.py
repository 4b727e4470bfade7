"""Asking to join at `/adhesion`, and the team deciding on `/equipe/validation`: in-process, as
a browser does (the double-submit form token, the honeypot, the per-address throttle), with the
accepted member's link shown to hand over or sent by SMTP to a real server on loopback."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from node.app import create_app
from node.cli import main as cli
from node.config import NodeConfig
from node.limits import Limits
from node.people import mail
from node.web.team import validation
from tests.node.conftest import InProcessNode
from tests.node.people.smtp_server import Server, free_port, smtp_server
from tests.node.web.session import HTML, form_token, sign_in_as

BURST = Limits().signup_per_address.burst


def ask(place: InProcessNode, **fields: str) -> httpx.Response:
    page = place.client.get("/adhesion", headers=HTML)
    assert page.status_code == 200
    data = {"csrf": form_token(page), "name": "Bob Martin", "handle": "bob",
            "contact": "", "message": "J'aimerais venir à l'atelier vélo.", **fields}  # fmt: skip
    return place.client.post("/adhesion", data=data, follow_redirects=False)


def requests(place: InProcessNode) -> list[tuple[str, str]]:
    return [(str(h), str(s)) for h, s in place.query(
        "SELECT handle, state FROM signup_requests ORDER BY id")]  # fmt: skip


def counts(place: InProcessNode) -> tuple[int, int]:
    node = place.client.app.state.node  # type: ignore[attr-defined]
    result: tuple[int, int] = place.client.portal.call(validation.waiting, node.store)  # type: ignore[union-attr]
    return result


def signup_id(place: InProcessNode, handle: str) -> str:
    return str(place.query("SELECT id FROM signup_requests WHERE handle = ?", (handle,))[0][0])


def decide(
    place: InProcessNode, csrf: str, number: str, decision: str, **more: str
) -> httpx.Response:
    data = {"csrf": csrf, "signup": number, "decision": decision, **more}
    return place.client.post("/equipe/validation/adhesions", data=data, headers=HTML,
                             follow_redirects=False)  # fmt: skip


def test_a_request_is_kept_for_the_team(place: InProcessNode) -> None:
    signin = place.client.get("/connexion", headers=HTML)
    assert 'href="/adhesion"' in signin.text and "Demandez à rejoindre le lieu" in signin.text
    answer = ask(place, contact="bob@example.org")
    assert answer.status_code == 303 and answer.headers["location"] == "/adhesion?envoyee"
    assert requests(place) == [("bob", "pending")]
    assert "Demande envoyée" in place.client.get("/adhesion?envoyee", headers=HTML).text
    assert counts(place)[0] == 1


def test_without_the_form_token_nothing_is_kept(place: InProcessNode) -> None:
    place.client.get("/adhesion", headers=HTML)
    data = {"name": "Bob", "handle": "bob", "message": "bonjour"}
    assert place.client.post("/adhesion", data=data).status_code == 403
    assert place.client.post("/adhesion", data={**data, "csrf": "forged"}).status_code == 403
    assert requests(place) == []


def test_the_honeypot_keeps_nothing(place: InProcessNode) -> None:
    answer = ask(place, website="http://spam.example/")
    assert answer.status_code == 303
    assert requests(place) == []


def test_a_taken_or_invalid_handle_is_said_keeping_what_was_typed(place: InProcessNode) -> None:
    answer = ask(place, handle="alice", name="Alice Bis")
    assert answer.status_code == 400
    text = html.unescape(answer.text)
    assert "L'identifiant « alice » est déjà pris" in text and 'value="Alice Bis"' in text
    assert "J'aimerais venir à l'atelier vélo." in text
    answer = ask(place, handle="Bob Martin!")
    assert answer.status_code == 400 and "non valable" in html.unescape(answer.text)
    assert ask(place).status_code == 303
    assert "déjà pris ou demandé" in html.unescape(ask(place, name="Autre").text)
    assert ask(place, message="x" * 2001, handle="carl").status_code == 400
    assert requests(place) == [("bob", "pending")]


def test_requests_are_throttled_per_address(place: InProcessNode) -> None:
    for n in range(BURST):
        assert ask(place, handle=f"person{n}").status_code == 303
    answer = ask(place, handle="one-more")
    assert answer.status_code == 429 and int(answer.headers["retry-after"]) > 0
    assert len(requests(place)) == BURST


def test_the_team_accepts_and_hands_the_link_over(place: InProcessNode) -> None:
    ask(place, contact="06 12 34 56 78")
    csrf = sign_in_as(place, "tess", "team")
    queue = place.client.get("/equipe/validation", headers=HTML)
    text = html.unescape(queue.text)
    assert "Demandes d'adhésion (1)" in text and "06 12 34 56 78" in text and "@bob" in text
    answer = decide(place, csrf, signup_id(place, "bob"), "accepter")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    found = re.search(r'value="(http://127\.0\.0\.1:9/invitation/[^"]+)"', answer.text)
    assert found and "Lien envoyé par courriel" not in answer.text
    assert requests(place) == [("bob", "accepted")]
    assert place.query("SELECT contact, message FROM signup_requests") == [("", "")]
    assert counts(place)[0] == 0
    # The link is an invitation for the new member, who chooses a password there.
    place.client.cookies.clear()
    page = place.client.get(found.group(1).removeprefix(place.config.base_url), headers=HTML)
    assert page.status_code == 200 and "@bob@" in page.text
    # Deciding twice changes nothing.
    csrf = sign_in_as(place, "tess", "team")
    again = decide(place, csrf, signup_id(place, "bob"), "refuser")
    assert again.status_code == 400 and "déjà traitée" in html.unescape(again.text)


def test_the_team_refuses_with_a_reason(place: InProcessNode) -> None:
    ask(place)
    csrf = sign_in_as(place, "tess", "team")
    answer = decide(place, csrf, signup_id(place, "bob"), "refuser", reason="Complet.")
    assert answer.status_code == 303 and "adhesion-refusee" in answer.headers["location"]
    assert place.query("SELECT state, reason, decided_by FROM signup_requests") == [
        ("refused", "Complet.", "tess")]  # fmt: skip
    assert not place.query("SELECT 1 FROM local_actors WHERE handle = 'bob'")


def test_only_the_team_decides_and_with_its_token(place: InProcessNode) -> None:
    ask(place)
    number = signup_id(place, "bob")
    csrf = sign_in_as(place, "alice")
    assert decide(place, csrf, number, "accepter").status_code == 403
    place.client.cookies.clear()
    sign_in_as(place, "tess", "team")
    assert decide(place, "", number, "accepter").status_code == 403
    assert requests(place) == [("bob", "pending")]


def mailing(tmp_path: Path, port: int) -> Iterator[InProcessNode]:
    data = tmp_path / "coroutine"
    base_url = "http://127.0.0.1:9"
    assert cli(["init", "--data", str(data), "--base-url", base_url, "--name", "La Coroutine",
                "--handle", "coroutine"]) == 0  # fmt: skip
    settings = json.loads((data / "node.json").read_text())
    settings["smtp"] = {"host": "127.0.0.1", "port": port, "starttls": False,
                        "from": "lieu@coroutine.test"}  # fmt: skip
    (data / "node.json").write_text(json.dumps(settings))
    config = NodeConfig.load(data)
    assert config.mail == mail.Smtp("127.0.0.1", port, False, "", "", "lieu@coroutine.test")
    with TestClient(create_app(config), base_url=base_url) as client:
        yield InProcessNode(config, client)


@pytest.fixture
def server() -> Iterator[Server]:
    with smtp_server() as running:
        yield running


def test_the_link_is_sent_by_mail_when_smtp_is_configured(tmp_path: Path, server: Server) -> None:
    for place in mailing(tmp_path, server.port):
        ask(place, contact="bob@example.org")
        csrf = sign_in_as(place, "tess", "team")
        answer = decide(place, csrf, signup_id(place, "bob"), "accepter")
        assert answer.status_code == 200
        assert "Lien envoyé par courriel à bob@example.org" in html.unescape(answer.text)
        [message] = server.received
        assert message["To"] == "bob@example.org"
        found = re.search(r'value="(http://127\.0\.0\.1:9/invitation/[^"]+)"', answer.text)
        payload = message.get_payload(decode=True)
        assert found and isinstance(payload, bytes) and found.group(1) in payload.decode()


def test_a_failed_mail_keeps_the_link_on_the_page(tmp_path: Path) -> None:
    for place in mailing(tmp_path, free_port()):
        ask(place, contact="bob@example.org")
        csrf = sign_in_as(place, "tess", "team")
        answer = decide(place, csrf, signup_id(place, "bob"), "accepter")
        assert answer.status_code == 200
        assert "Le courriel n'est pas parti" in html.unescape(answer.text)
        assert re.search(r'value="http://127\.0\.0\.1:9/invitation/[^"]+"', answer.text)


def test_an_erased_member_leaves_no_request_behind(place: InProcessNode) -> None:
    ask(place)
    csrf = sign_in_as(place, "tess", "team")
    assert decide(place, csrf, signup_id(place, "bob"), "accepter").status_code == 200
    place.client.cookies.clear()
    csrf = sign_in_as(place, "bob")
    erased = place.client.post("/moi/donnees/effacer", data={"csrf": csrf, "handle": "@bob"},
                               follow_redirects=False)  # fmt: skip
    assert erased.status_code == 303
    assert requests(place) == []
