"""Signing in, in Chromium on a phone: the team's CLI invites Alice at PopCafé, she opens the
link, chooses her password, lands on her page signed in, signs out, and signs in again."""

from __future__ import annotations

from playwright.sync_api import Page

from federation_tests.network import LocalPlace

from .conftest import PASSWORD, accessible, screenshot


def test_an_invited_member_signs_up_signs_out_and_signs_in_again(
    phone: Page, popcafe: LocalPlace
) -> None:
    said = popcafe.cli("member", "invite", "--data", str(popcafe.data), "--handle", "alice",
                       "--name", "Alice", "--role", "door").stdout  # fmt: skip
    link = said.strip().splitlines()[-1]
    assert link.startswith(f"{popcafe.base_url}/invitation/")
    address = f"@alice@{popcafe.base_url.removeprefix('http://')}"

    phone.goto(link)
    assert phone.locator("h1").inner_text() == "Choisissez votre mot de passe"
    assert address in phone.locator("main").inner_text()
    accessible(phone)
    screenshot(phone, "invitation")
    phone.get_by_label("Nouveau mot de passe").fill(PASSWORD)
    phone.get_by_label("Le même, une seconde fois").fill(PASSWORD)
    phone.get_by_role("button", name="Enregistrer et me connecter").click()

    phone.wait_for_url(f"{popcafe.base_url}/moi")
    main = phone.locator("main").inner_text()
    assert f"Connecté·e en tant que {address}" in main
    assert "accueil à la porte" in main and "membre" in main
    accessible(phone)
    screenshot(phone, "me")

    phone.get_by_role("button", name="Se déconnecter").click()
    phone.wait_for_url(f"{popcafe.base_url}/")
    phone.get_by_role("link", name="Se connecter").click()
    phone.wait_for_url(f"{popcafe.base_url}/connexion")
    phone.get_by_label("Identifiant").fill("alice")
    phone.get_by_label("Mot de passe").fill("pas le bon")
    phone.get_by_role("button", name="Se connecter", exact=True).click()
    assert "Identifiant ou mot de passe incorrect" in phone.get_by_role("alert").inner_text()
    accessible(phone)
    screenshot(phone, "signin")
    phone.get_by_label("Mot de passe").fill(PASSWORD)
    phone.get_by_role("button", name="Se connecter", exact=True).click()
    phone.wait_for_url(f"{popcafe.base_url}/moi")
    assert address in phone.locator("main").inner_text()
    assert phone.get_by_role("link", name="@alice").is_visible()

    phone.goto(link)  # the link served once
    assert "n'est plus valable" in phone.locator("main").inner_text()
