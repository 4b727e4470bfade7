"""Issue 14's acceptance for a member's life, in Chromium across two real nodes: La Fabrik (A,
on `localhost`, where passkeys work) and La Coroutine (B, its peer place). A's team invites
Alice from its members' page; she signs up with a passkey (no password), keeps her
availability for the network's places; B — signing its GET, and its own process fetching her —
sees it, an anonymous reader does not; she downloads her data, then erases her account, and B,
which held her actor, receives the Delete and drops it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from federation_tests.network import AS_JSON, LocalPlace, peer, wait_for
from federation_tests.test_profile_visibility import signed_get

from .conftest import PHONE, accessible, screenshot
from .test_team_pages import issue_badge, sign_in_team

CARD = "04B15C0FFEE042"
AVAILABILITY = "le vendredi après-midi"


@dataclass
class Peers:
    home: LocalPlace  # A: Alice's place
    peer: LocalPlace  # B: A's peer place


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peers]:
    root: Path = tmp_path_factory.mktemp("people")
    home = LocalPlace(root, "fabrik", "La Fabrik", host="localhost")
    home.serve_args = ["--host", "127.0.0.1"]
    other = LocalPlace(root, "coroutine", "La Coroutine")
    started: list[LocalPlace] = []
    try:
        for place in (home, other):
            place.init()
            place.start()
            started.append(place)
        peer(home, other)
        yield Peers(home, other)
    finally:
        for place in started:
            place.stop()


def invite_from_the_team_page(browser: Browser, home: LocalPlace) -> str:
    """Tess of A's team invites Alice from /equipe/membres and issues her a badge bound to a
    card; the invitation link the page shows, to hand over."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR", has_touch=True)
    try:
        team = context.new_page()
        sign_in_team(team, home, "tess", "team")
        team.goto(f"{home.base_url}/equipe/membres")
        team.get_by_label("Identifiant (lettres, chiffres, tirets)").fill("alice")
        team.get_by_label("Nom affiché").fill("Alice Martin")
        team.get_by_role("button", name="Créer le lien d'invitation").click()
        link = team.get_by_label("Lien à remettre", exact=True).input_value()
        issue_badge(team, home.base_url, "alice", card_uid=CARD)
        return link
    finally:
        context.close()


def test_alice_signs_up_shows_a_field_to_the_peer_only_downloads_and_erases(
    browser: Browser, phone: Page, peers: Peers
) -> None:
    home, other = peers.home, peers.peer
    alice = home.actor_id("alice")
    link = invite_from_the_team_page(browser, home)
    assert link.startswith(f"{home.base_url}/invitation/")

    # Alice's phone, with a passkey authenticator: she signs up with it, no password.
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("WebAuthn.enable")
    options = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
               "hasUserVerification": True, "isUserVerified": True}  # fmt: skip
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    phone.goto(link)
    phone.get_by_role("button", name="Créer une clé d'accès et me connecter").click()
    phone.wait_for_url(f"{home.base_url}/moi")
    [(password,)] = home.query("SELECT password_hash FROM accounts WHERE handle = 'alice'")
    assert password is None
    assert len(home.query("SELECT 1 FROM passkeys WHERE handle = 'alice'")) == 1
    # Her sessions on /moi (this one, the only one).
    sessions = phone.get_by_role("region", name="Mes sessions")
    assert "cet appareil" in sessions.inner_text()
    accessible(phone)
    screenshot(phone, "my-sessions")

    # Her availability, for the network's places only.
    phone.get_by_role("link", name="Mon profil").click()
    phone.wait_for_url(f"{home.base_url}/moi/profil")
    availability = phone.get_by_role("group", name="Disponibilités")
    availability.get_by_role("textbox").fill(AVAILABILITY)
    availability.get_by_role("radio", name="Les lieux du réseau").check()
    phone.get_by_role("button", name="Enregistrer mon profil").click()
    phone.wait_for_url(f"{home.base_url}/moi/profil?enregistre=*")
    network = phone.get_by_role("region", name="Les lieux du réseau")
    assert AVAILABILITY in network.inner_text()
    assert AVAILABILITY not in phone.get_by_role("region", name="Tout le monde").inner_text()

    # Her actor at A: a GET signed by the peer place B shows the field; an anonymous one not.
    assert signed_get(alice, other)["availability"] == AVAILABILITY
    anonymous = httpx.get(alice, headers={"accept": AS_JSON}, timeout=10)
    assert anonymous.status_code == 200 and "availability" not in anonymous.json()
    assert AVAILABILITY not in httpx.get(alice, headers={"accept": "text/html"}).text
    # B's own process fetches her (signed by B) when she follows B: it keeps the field.
    home.post_outbox({"type": "Follow", "object": other.actor_id()}, "alice")
    wait_for(lambda: alice in other.followers(), what="B accepting alice's follow")
    [(kept,)] = other.query("SELECT document FROM remote_actors WHERE id = ?", (alice,))
    assert json.loads(kept)["availability"] == AVAILABILITY

    # Her data: her actor, the field with its visibility, her badge, never the card's UID.
    phone.get_by_role("link", name="Mes données").click()
    phone.wait_for_url(f"{home.base_url}/moi/donnees")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Télécharger (JSON-LD)").click()
    text = Path(download.value.path()).read_text()
    mine = json.loads(text)
    assert mine["subject"] == alice and mine["actor"]["id"] == alice
    fields = {f["field"]: f for f in mine["profileFields"]}
    assert fields["availability"]["value"] == AVAILABILITY
    assert fields["availability"]["visibility"] == "network"
    assert mine["account"]["passwordSetAt"] is None
    assert CARD.lower() not in text.lower()

    # She erases her account through the page; B drops her actor when the Delete arrives.
    phone.get_by_label("Pour confirmer, tapez votre identifiant").fill("alice")
    phone.get_by_role("button", name="Effacer définitivement mon compte").click()
    phone.wait_for_url(f"{home.base_url}/compte-efface")
    [(delete_id,)] = home.query("SELECT delete_id FROM erasures WHERE handle = 'alice'")
    wait_for(
        lambda: not other.query("SELECT 1 FROM remote_actors WHERE id = ?", (alice,)),
        what="B dropping alice's actor",
    )
    applied = other.query("SELECT state FROM inbox_queue WHERE activity_id = ?", (delete_id,))
    assert [r[0] for r in applied] == ["applied"]
    assert httpx.get(alice, headers={"accept": AS_JSON}, timeout=10).status_code == 410
