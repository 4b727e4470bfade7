"""Signing in at another place with one's home account, in Chromium across two real nodes:
Alice, a member of La Fabrik (A) with a passkey there, opens an event of PopCafé (B), signs in
on B with her A account (IndieAuth: her passkey at A, her consent at A), is signed in on B as
@alice@A, takes part — confirming at A — and the Join reaches B's inbox signed by A.

A runs on `http://localhost:PORT` (a passkey's relying party must be a name), B on
`http://127.0.0.1:PORT`: two sites, so each keeps its own cookies, as two places' domains do."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

from federation_tests.network import LocalPlace, event, wait_for

from .conftest import accessible, screenshot, soon


@dataclass
class TwoPlaces:
    home: LocalPlace  # A, where Alice has her account
    visited: LocalPlace  # B, whose event she joins
    event_id: str


@pytest.fixture(scope="module")
def two_places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoPlaces]:
    root: Path = tmp_path_factory.mktemp("indieauth")
    home = LocalPlace(root, "fabrik", "La Fabrik", host="localhost")
    home.serve_args = ["--host", "127.0.0.1"]
    visited = LocalPlace(root, "popcafe", "PopCafé")
    started: list[LocalPlace] = []
    try:
        for place in (home, visited):
            place.init()
            place.start()
            started.append(place)
        home.add_member("alice", "Alice")
        created = visited.post_outbox(
            event(visited, name="Atelier vélo", startTime=soon(6), endTime=soon(6, 17))
        )
        yield TwoPlaces(home, visited, created["object"]["id"])
    finally:
        for place in started:
            place.stop()


def test_alice_signs_in_at_b_with_her_a_passkey_and_joins_b_s_event(
    phone: Page, two_places: TwoPlaces
) -> None:
    home, visited = two_places.home, two_places.visited
    alice = home.actor_id("alice")
    address = f"@alice@{home.base_url.removeprefix('http://')}"
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("WebAuthn.enable")
    options = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
               "hasUserVerification": True, "isUserVerified": True}  # fmt: skip
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})

    # At home: Alice's invitation link, a passkey, then signed out.
    said = home.cli("member", "invite", "--data", str(home.data), "--handle", "alice").stdout
    phone.goto(said.strip().splitlines()[-1])
    phone.get_by_role("button", name="Créer une clé d'accès et me connecter").click()
    phone.wait_for_url(f"{home.base_url}/moi")
    phone.get_by_role("button", name="Se déconnecter").click()
    phone.wait_for_url(f"{home.base_url}/")

    # At B: the event, then "sign in with my place".
    phone.goto(two_places.event_id)
    assert phone.locator("h1").inner_text() == "Atelier vélo"
    phone.get_by_role("link", name="Se connecter pour participer").click()
    phone.wait_for_url(re.compile(re.escape(f"{visited.base_url}/connexion?next=")))
    phone.get_by_label("Votre adresse dans votre lieu").fill(address)
    accessible(phone)
    screenshot(phone, "indieauth-signin")
    phone.get_by_role("button", name="Continuer vers mon lieu").click()

    # At A: not signed in, so the sign-in page first, with the passkey; then the consent.
    phone.wait_for_url(re.compile(re.escape(f"{home.base_url}/connexion?next=")))
    phone.get_by_role("button", name="Se connecter avec une clé d'accès").click()
    phone.wait_for_url(re.compile(re.escape(f"{home.base_url}/auth?")))
    consent = phone.locator("main").inner_text()
    visited_host = visited.base_url.removeprefix("http://")
    assert f"Le lieu {visited_host} veut savoir que vous êtes {address}." in consent, consent
    accessible(phone)
    screenshot(phone, "indieauth-consent")
    phone.get_by_role("button", name="Accepter").click()

    # Back at B, on the event's page, signed in as @alice@A.
    phone.wait_for_url(two_places.event_id)
    header = " ".join(phone.locator("header.site").inner_text().split())
    assert f"Connecté·e en tant que {address}" in header, header
    rows = visited.query("SELECT actor, address FROM visitor_sessions WHERE closed_at IS NULL")
    assert [tuple(r) for r in rows] == [(alice, address)]
    accessible(phone)
    screenshot(phone, "indieauth-event-signed-in")

    # Participer: B sends her home, where she confirms; A publishes the Join from its outbox.
    phone.get_by_role("button", name="Participer", exact=True).click()
    phone.wait_for_url(re.compile(re.escape(f"{home.base_url}/moi/participer?")))
    assert "Atelier vélo" in phone.locator("main").inner_text()
    accessible(phone)
    screenshot(phone, "indieauth-participate")
    phone.get_by_role("button", name="Confirmer ma participation").click()
    phone.wait_for_url(f"{two_places.event_id}?participation=envoyee")
    # On its way, or already received: B's inbox worker may be quicker than the page.
    shown = phone.locator("main").inner_text()
    assert "Votre participation est envoyée" in shown or "Vous participez" in shown

    # B received the Join in its inbox, signed by A's key for Alice, and lists her.
    (joined,) = wait_for(
        lambda: visited.query(
            "SELECT join_id FROM event_participants WHERE event_id = ? AND actor = ?",
            (two_places.event_id, alice),
        ),
        what="Alice's Join at B",
    )
    join_id = joined["join_id"]
    assert join_id.startswith(f"{home.base_url}/activities/")
    (stored,) = visited.query("SELECT type, actor, local FROM activities WHERE id = ?", (join_id,))
    assert tuple(stored) == ("Join", alice, 0)
    assert visited.query(
        "SELECT 1 FROM inbox_items WHERE owner = ? AND activity_id = ?", (visited.handle, join_id)
    )
    # The key B verified the Join with: Alice's, fetched from her home node.
    (key,) = visited.query("SELECT key_id FROM remote_actors WHERE id = ?", (alice,))
    assert key["key_id"].startswith(f"{alice}#")
    # Published at home through Alice's outbox.
    assert home.query("SELECT 1 FROM activities WHERE id = ? AND local = 1", (join_id,))

    phone.reload()
    assert "Vous participez à cet événement." in phone.locator("main").inner_text()

    # Signing out at B ends the visitor's session only.
    phone.get_by_role("button", name="Se déconnecter").click()
    phone.wait_for_url(f"{visited.base_url}/")
    assert phone.get_by_role("link", name="Se connecter", exact=True).is_visible()
    assert visited.query("SELECT closed_at FROM visitor_sessions")[0]["closed_at"] is not None
