"""Volunteer calls in Chromium, on a phone: PopCafé's team publishes a call for soudure on a
Saturday from /equipe/appels and sees Lina, who keeps soudure and « le samedi » for the
network, among the suggestions; Lina, on /moi/appels, finds the call among those that fit
her and offers her help; the team confirms her and records her hours, which she sees."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Browser, Page

from federation_tests.network import LocalPlace

from .conftest import PHONE, accessible, screenshot, sign_up


def saturday() -> str:
    day = date.today() + timedelta(days=7)
    return (day + timedelta(days=(5 - day.weekday()) % 7)).isoformat()


def test_the_team_calls_lina_offers_the_team_confirms(
    phone: Page, browser: Browser, popcafe: LocalPlace
) -> None:
    data = str(popcafe.data)
    popcafe.add_member("lina", "Lina Roux")
    popcafe.cli("profile", "--data", data, "--handle", "lina", "--skill", "sk:soudure",
                "--availability", "le samedi", "--visibility", "skill=network",
                "--visibility", "availability=network")  # fmt: skip

    sign_up(phone, popcafe, "vera", "--name", "Véra", "--role", "team")
    phone.get_by_role("link", name="Équipe du lieu").click()
    phone.get_by_role("link", name="Appels à bénévoles").click()
    phone.wait_for_url(f"{popcafe.base_url}/equipe/appels")
    phone.get_by_label("Titre").fill("Atelier soudure")
    phone.get_by_label("Ce qu'il y a à faire").fill("Souder les cadres des vélos cargo.")
    phone.get_by_role("checkbox", name="Soudure").check()
    phone.get_by_label("Début", exact=True).fill(f"{saturday()}T09:00")
    phone.get_by_label("Fin", exact=True).fill(f"{saturday()}T17:00")
    phone.get_by_label("Nombre de personnes").fill("2")
    phone.get_by_role("button", name="Publier l'appel").click()
    assert phone.get_by_role("status").inner_text().startswith("Appel publié")
    # Other modules may have published calls at PopCafé: this call's own card.
    call = phone.locator("li.call").filter(
        has=phone.get_by_role("heading", name="Atelier soudure", exact=True)
    )
    suggestions = call.locator(".suggestions").inner_text()
    assert "Lina Roux" in suggestions
    accessible(phone)
    screenshot(phone, "team-calls")

    context = browser.new_context(viewport=PHONE, locale="fr-FR", has_touch=True)
    try:
        lina = context.new_page()
        popcafe.cli("member", "invite", "--data", data, "--handle", "lina")
        sign_up(lina, popcafe, "lina")
        lina.get_by_role("link", name="Appels à bénévoles").click()
        lina.wait_for_url(f"{popcafe.base_url}/moi/appels")
        assert "Atelier soudure" in lina.locator("#fitting").inner_text()
        assert "samedi" in lina.locator("main").inner_text()
        message = lina.get_by_label("Message au lieu (facultatif) : Atelier soudure")
        message.fill("Je viens avec mon poste.")
        lina.get_by_role("button", name="Proposer mon aide : Atelier soudure").click()
        assert "il vous confirmera" in lina.get_by_role("status").inner_text()
        accessible(lina)
        screenshot(lina, "my-calls")

        phone.reload()
        phone.get_by_role("button", name="Confirmer : Lina Roux").click()
        assert "confirmé" in phone.get_by_role("status").inner_text()
        phone.get_by_label("Heures faites (Lina Roux)").fill("7")
        call.get_by_role("button", name="Inscrire les heures").click()
        assert "Heures inscrites" in phone.get_by_role("status").inner_text()
        accessible(phone)

        lina.reload()
        assert lina.locator("#hours-done").inner_text() == "7"
    finally:
        context.close()
