"""Surveys in Chromium on a phone, at PopCafé: the team publishes a needs survey, answers it
(the form prefilled the next time), reads the results; publishes the census, answers it; the
public matrix /communs shows who uses what. axe and a screenshot on every page."""

from __future__ import annotations

from playwright.sync_api import Page

from federation_tests.network import LocalPlace

from .conftest import accessible, screenshot
from .test_team_pages import sign_in_team


def test_the_team_runs_a_survey_and_the_census(phone: Page, popcafe: LocalPlace) -> None:
    base = popcafe.base_url
    sign_in_team(phone, popcafe, "sonia", role="team")

    phone.goto(f"{base}/equipe/enquetes")
    assert phone.get_by_role("heading", level=1).inner_text() == "Enquêtes"
    phone.get_by_label("Titre").fill("Besoins du réseau 2026")
    phone.get_by_label("Clôture (heure du lieu ; pas pour un recensement)").fill("2099-06-30T18:00")
    phone.get_by_label("Questions, une par ligne").fill(
        "surface-m2 | number | Surface du lieu (m²)\n"
        "outils | multiple | Outils de gestion | Dolibarr ; Nextcloud ; Odoo\n"
        "besoin | text | Votre besoin principal"
    )
    phone.get_by_role("button", name="Publier").click()
    phone.get_by_role("status").wait_for()
    assert "Enquête publiée" in phone.get_by_role("status").inner_text()
    accessible(phone)
    screenshot(phone, "team-surveys")

    phone.get_by_role("link", name="Répondre : Besoins du réseau 2026").click()
    phone.get_by_label("Surface du lieu (m²)").fill("140")
    phone.get_by_label("Nextcloud").check()
    phone.get_by_label("Votre besoin principal").fill("Une billetterie partagée")
    accessible(phone)
    screenshot(phone, "team-survey-answer")
    phone.get_by_role("button", name="Envoyer la réponse").click()
    phone.get_by_role("status").wait_for()

    phone.get_by_role("link", name="Modifier la réponse : Besoins du réseau 2026").click()
    assert phone.get_by_label("Surface du lieu (m²)").input_value() == "140"  # prefilled
    assert phone.get_by_label("Nextcloud").is_checked()
    phone.goto(f"{base}/equipe/enquetes")
    phone.get_by_role("link", name="Résultats : Besoins du réseau 2026").click()
    assert "Une billetterie partagée" in phone.locator("main").inner_text()
    accessible(phone)
    screenshot(phone, "team-survey-results")

    phone.goto(f"{base}/equipe/enquetes")
    phone.get_by_label("Titre").fill("Recensement des communs")
    phone.get_by_label("Recensement des communs (permanent)").check()
    phone.get_by_label("Questions, une par ligne").fill(
        "decoupe-laser | equipment | Découpeuse laser\nnextcloud | software | Nextcloud"
    )
    phone.get_by_role("button", name="Publier").click()
    phone.get_by_role("status").wait_for()
    phone.get_by_role("link", name="Répondre : Recensement des communs").click()
    phone.get_by_role("group", name="Découpeuse laser").get_by_label("on l'utilise").check()
    phone.get_by_role("group", name="Nextcloud").get_by_label("ça nous intéresse").check()
    phone.get_by_role("button", name="Envoyer la réponse").click()
    phone.get_by_role("status").wait_for()

    phone.goto(f"{base}/communs")
    assert phone.get_by_role("heading", level=1).inner_text() == "Communs des lieux"
    table = phone.locator("table.matrix").inner_text()
    assert "Découpeuse laser" in table and "on l'utilise" in table and "PopCafé" in table
    accessible(phone)
    screenshot(phone, "commons-census")
