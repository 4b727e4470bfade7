"""The member's own data in Chromium, on a phone: Noor, invited at PopCafé, sees her badge's
QR code, her visit and her credit, publishes a note and answers the place's need, downloads
her data, then erases her account."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page

from federation_tests.network import LocalPlace

from .conftest import accessible, choose_password, screenshot

CARD = "04C0FFEE123480"


def test_badge_history_publish_download_and_erase(phone: Page, popcafe: LocalPlace) -> None:
    data = str(popcafe.data)
    said = popcafe.cli("member", "invite", "--data", data, "--handle", "noor",
                       "--name", "Noor").stdout  # fmt: skip
    link = said.strip().splitlines()[-1]
    badge = popcafe.cli("badge", "issue", "--data", data, "--member", "noor",
                        "--card-uid", CARD).stdout.strip().splitlines()[-1]  # fmt: skip
    popcafe.cli("checkin", "--data", data, "--grant", badge, "--card-uid", CARD, "--door", "hall")
    popcafe.cli("credit", "sell", "--data", data, "--account", "noor-pass", "--member", "noor",
                "--amount", "30.00")  # fmt: skip

    choose_password(phone, popcafe, link)

    phone.get_by_role("link", name="Mon badge").click()
    phone.wait_for_url(f"{popcafe.base_url}/moi/badge")
    qr = phone.get_by_role("img", name="QR code de mon badge inter-lieux")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 150  # type: ignore[index]
    # The text holds runs of spaces (base45): shown and copied as they are, never collapsed.
    text = phone.locator("[data-badge-text]")
    assert text.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    assert text.inner_text() == badge
    assert CARD.lower() not in phone.content().lower()
    accessible(phone)
    screenshot(phone, "my-badge")

    phone.get_by_role("link", name="Mes passages").click()
    assert "hall" in phone.get_by_role("table").inner_text()
    accessible(phone)
    screenshot(phone, "my-visits")

    phone.get_by_role("link", name="Mon crédit").click()
    assert "30,00 EUR" in phone.locator("[data-remaining]").inner_text()
    accessible(phone)
    screenshot(phone, "my-credit")

    phone.get_by_role("link", name="Mes événements").click()
    assert "aucun événement" in phone.locator("main").inner_text()
    accessible(phone)
    screenshot(phone, "my-events")

    phone.get_by_role("link", name="Publier").click()
    phone.get_by_label("Texte").fill("Je passe jeudi au PopCafé.")
    phone.get_by_role("button", name="Publier la note").click()
    assert phone.get_by_role("status").inner_text().startswith("C'est publié")
    phone.get_by_label("Votre réponse").fill("Disponible samedi matin.")
    phone.get_by_role("button", name="Envoyer la réponse").click()
    assert phone.get_by_role("link", name="voir la publication").is_visible()
    accessible(phone)
    screenshot(phone, "my-publish")
    noor = popcafe.actor_id("noor")
    answered = popcafe.query("SELECT document FROM objects WHERE attributed_to = ?", (noor,))
    assert any("inReplyTo" in json.loads(r[0]) for r in answered)

    phone.get_by_role("link", name="Mes données").click()
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Télécharger (JSON-LD)").click()
    mine = json.loads(Path(download.value.path()).read_text())
    assert mine["subject"] == noor and mine["visits"][0]["door"] == "hall"
    assert CARD.lower() not in json.dumps(mine).lower()
    accessible(phone)
    screenshot(phone, "my-data")

    phone.get_by_label("Pour confirmer, tapez votre identifiant").fill("noo")
    phone.get_by_role("button", name="Effacer définitivement mon compte").click()
    assert "tapez votre identifiant" in phone.get_by_role("alert").inner_text()
    accessible(phone)
    phone.get_by_label("Pour confirmer, tapez votre identifiant").fill("noor")
    phone.get_by_role("button", name="Effacer définitivement mon compte").click()
    phone.wait_for_url(f"{popcafe.base_url}/compte-efface")
    assert phone.locator("h1").inner_text() == "Compte effacé"
    accessible(phone)
    screenshot(phone, "my-account-erased")
    phone.goto(f"{popcafe.base_url}/moi")
    phone.wait_for_url(f"{popcafe.base_url}/connexion?next=%2Fmoi")
    assert not popcafe.query("SELECT 1 FROM accounts WHERE handle = 'noor'")
