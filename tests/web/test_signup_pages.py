"""Asking to join, in Chromium on a phone: from the sign-in page to `/adhesion`, a handle
already taken said in French with what was typed kept, then the request sent."""

from __future__ import annotations

from playwright.sync_api import Page

from federation_tests.network import LocalPlace

from .conftest import accessible, screenshot


def test_a_visitor_asks_to_join(phone: Page, popcafe: LocalPlace) -> None:
    popcafe.cli("member", "add", "--data", str(popcafe.data), "--handle", "taken-handle",
                "--name", "Déjà là")  # fmt: skip
    phone.goto(f"{popcafe.base_url}/connexion")
    phone.get_by_role("link", name="Demandez à rejoindre le lieu").click()
    phone.wait_for_url(f"{popcafe.base_url}/adhesion")
    assert phone.locator("h1").inner_text() == "Demander à rejoindre le lieu"
    accessible(phone)
    screenshot(phone, "signup")
    phone.get_by_label("Votre nom").fill("Zoé Lambert")
    phone.get_by_label("Identifiant souhaité").fill("taken-handle")
    phone.get_by_label("Comment vous joindre").fill("zoe@example.org")
    phone.get_by_label("Votre message à l'équipe").fill("Je répare des vélos le samedi.")
    phone.get_by_role("button", name="Envoyer ma demande").click()
    assert "déjà pris" in phone.get_by_role("alert").inner_text()
    assert phone.get_by_label("Votre nom").input_value() == "Zoé Lambert"
    accessible(phone)
    phone.get_by_label("Identifiant souhaité").fill("zoe-lambert")
    phone.get_by_role("button", name="Envoyer ma demande").click()
    phone.wait_for_url(f"{popcafe.base_url}/adhesion?envoyee")
    assert "Demande envoyée" in phone.get_by_role("status").inner_text()
