"""Passkeys in Chromium on a phone, with its virtual authenticator (DevTools WebAuthn domain):
the team invites Alice, she creates a passkey on the invitation page instead of a password,
lands on her page, signs out, and signs in again with the passkey alone.

The node runs on `http://localhost:PORT`: a secure context for the browser, and a relying
party id that is a name, not an IP address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from federation_tests.network import LocalPlace

from .conftest import accessible, screenshot


@pytest.fixture(scope="module")
def atelier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlace]:
    root: Path = tmp_path_factory.mktemp("passkeys")
    place = LocalPlace(root, "atelier", "L'Atelier", host="localhost")
    place.serve_args = ["--host", "127.0.0.1"]
    place.init()
    place.add_member("alice", "Alice")
    place.start()
    try:
        yield place
    finally:
        place.stop()


def test_an_invited_member_signs_up_with_a_passkey_and_signs_in_with_it(
    phone: Page, atelier: LocalPlace
) -> None:
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("WebAuthn.enable")
    options = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
               "hasUserVerification": True, "isUserVerified": True}  # fmt: skip
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    said = atelier.cli("member", "invite", "--data", str(atelier.data), "--handle", "alice").stdout
    link = said.strip().splitlines()[-1]
    assert link.startswith("http://localhost:")
    address = f"@alice@{atelier.base_url.removeprefix('http://')}"

    phone.goto(link)
    create = phone.get_by_role("button", name="Créer une clé d'accès et me connecter")
    assert create.is_visible()  # shown by passkeys.js: this browser has passkeys
    accessible(phone)
    create.click()
    phone.wait_for_url(f"{atelier.base_url}/moi")
    main = phone.locator("main").inner_text()
    assert f"Connecté·e en tant que {address}" in main
    assert "Mes clés d'accès" in main and "Supprimer" in main
    held = {"authenticatorId": authenticator["authenticatorId"]}
    credentials = cdp.send("WebAuthn.getCredentials", held)
    assert len(credentials["credentials"]) == 1
    assert credentials["credentials"][0]["isResidentCredential"]
    accessible(phone)
    screenshot(phone, "passkey-me")

    phone.get_by_role("button", name="Se déconnecter").click()
    phone.wait_for_url(f"{atelier.base_url}/")
    phone.get_by_role("link", name="Se connecter").click()
    phone.wait_for_url(f"{atelier.base_url}/connexion")
    accessible(phone)
    screenshot(phone, "passkey")
    phone.get_by_role("button", name="Se connecter avec une clé d'accès").click()
    phone.wait_for_url(f"{atelier.base_url}/moi")
    assert address in phone.locator("main").inner_text()
    assert "utilisée le" in phone.locator("main").inner_text()

    phone.goto(link)  # the link served once
    assert "n'est plus valable" in phone.locator("main").inner_text()
