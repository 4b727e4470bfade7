"""Interest in a project and « Répondre depuis mon lieu » in Chromium, on a phone, with axe.

At PopCafé: Nadia submits « Jardin partagé », Oscar of the team publishes it; Paul says his
interest on the project's page, ticking « Me présenter aux autres personnes intéressées »;
Rose does from « Projets du lieu » on /moi/projets: each sees the other; the team's page says
two people and names them. Then a call of PopCafé's, opened by a stranger: a wrong address is
said on the form; Sami of La Fabrik types his and answers from his own place's page."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Browser, Page

from federation_tests.network import LocalPlace, Places, wait_for

from .conftest import PHONE, TeamBrowser, accessible, screenshot, sign_up


def member_page(browser: Browser, place: LocalPlace, handle: str, name: str) -> Page:
    page = browser.new_context(viewport=PHONE, locale="fr-FR", has_touch=True).new_page()
    sign_up(page, place, handle, "--name", name)
    return page


def test_two_members_opt_in_and_meet_the_team_counts(
    phone: Page, browser: Browser, popcafe: LocalPlace, team_browser: TeamBrowser
) -> None:
    nadia = member_page(browser, popcafe, "nadia", "Nadia Benali")
    paul = member_page(browser, popcafe, "paul", "Paul Girard")
    rose = member_page(browser, popcafe, "rose", "Rose Lambert")
    try:
        nadia.get_by_role("link", name="Mes projets").click()
        nadia.get_by_label("Titre").fill("Jardin partagé")
        nadia.get_by_label("Description").fill("Un potager sur le toit, le mercredi.")
        nadia.get_by_role("button", name="Envoyer à l'équipe du lieu").click()
        assert "l'équipe du lieu va l'examiner" in nadia.get_by_role("status").inner_text()

        oscar = team_browser(popcafe, "oscar", "team")
        oscar.goto(f"{popcafe.base_url}/equipe/validation")
        oscar.get_by_role("button", name="Accepter et publier Jardin partagé").click()
        assert "Projet publié" in oscar.get_by_role("status").inner_text()
        (row,) = popcafe.query("SELECT object_id FROM projects WHERE title = 'Jardin partagé'")
        project = row["object_id"]

        # Paul, on the project's page.
        paul.goto(project)
        assert paul.locator("h1").inner_text() == "Jardin partagé"
        accessible(paul)
        paul.get_by_label("Me présenter aux autres personnes intéressées").check()
        paul.get_by_role("button", name="Ça m'intéresse").click()
        paul.wait_for_url(f"{popcafe.base_url}/moi/projets?fait=interet#interets")
        assert "le lieu du projet le saura" in paul.get_by_role("status").inner_text()
        followed = paul.locator("#interets")
        assert "Personne d'autre pour l'instant." in followed.inner_text()

        # Rose, from « Projets du lieu ».
        rose.get_by_role("link", name="Mes projets").click()
        offered = rose.locator(".offered li", has_text="Jardin partagé")
        offered.get_by_label("Me présenter aux autres personnes intéressées").check()
        offered.get_by_role("button", name="Ça m'intéresse : Jardin partagé").click()
        rose.wait_for_url(f"{popcafe.base_url}/moi/projets?fait=interet#interets")
        met = rose.locator("#interets .introduced")
        assert met.get_by_role("link", name="Paul Girard").get_attribute("href") == (
            popcafe.actor_id("paul")
        )
        accessible(rose)
        screenshot(rose, "my-projects-introduced")

        paul.reload()
        assert "Rose Lambert" in paul.locator("#interets .introduced").inner_text()
        accessible(paul)

        oscar.get_by_role("link", name="Projets", exact=True).click()
        oscar.wait_for_url(f"{popcafe.base_url}/equipe/projets")
        item = oscar.locator(".projects > li", has_text="Jardin partagé")
        assert item.locator(".interested").inner_text() == "2"
        assert "Paul Girard" in item.inner_text() and "Rose Lambert" in item.inner_text()
        accessible(oscar)
        screenshot(oscar, "team-projects")

        phone.goto(project)  # a stranger: asked to sign in
        assert phone.get_by_role("link", name="Se connecter pour dire mon intérêt").is_visible()
        accessible(phone)
        screenshot(phone, "project-page")
    finally:
        for page in (nadia, paul, rose):
            page.context.close()


def test_a_member_of_another_place_answers_a_call_from_his_own(
    phone: Page, browser: Browser, places: Places
) -> None:
    popcafe, fabrik = places["popcafe"], places["fabrik"]
    day = date.today() + timedelta(days=7)
    day += timedelta(days=(5 - day.weekday()) % 7)
    out = popcafe.cli("call", "create", "--data", str(popcafe.data), "--title",
                      "Chantier du toit", "--text", "Monter les bacs du potager", "--skill",
                      "sk:menuiserie", "--people", "3", "--start", f"{day}T09:00",
                      "--end", f"{day}T17:00").stdout  # fmt: skip
    call = out.strip().splitlines()[-1]

    sign_up(phone, fabrik, "sami", "--name", "Sami Haddad")
    phone.goto(call)
    assert phone.locator("h1").inner_text() == "Chantier du toit"
    accessible(phone)
    phone.get_by_label("Votre adresse dans votre lieu").fill("sami sans lieu")
    phone.get_by_role("button", name="Répondre depuis mon lieu").click()
    assert "adresse complète" in phone.get_by_role("alert").inner_text()
    accessible(phone)
    screenshot(phone, "call-page-wrong-address")
    address = f"@sami@{fabrik.base_url.removeprefix('http://')}"
    phone.get_by_label("Votre adresse dans votre lieu").fill(address)
    phone.get_by_role("button", name="Répondre depuis mon lieu").click()
    phone.wait_for_url(f"{fabrik.base_url}/moi/appels?*")
    answer = phone.locator("#repondre")
    assert "Chantier du toit" in answer.inner_text()
    accessible(phone)
    screenshot(phone, "my-calls-answer-from-elsewhere")
    answer.get_by_label("Message au lieu (facultatif)").fill("J'ai une visseuse.")
    answer.get_by_role("button", name="Proposer mon aide : Chantier du toit").click()
    assert "il vous confirmera" in phone.get_by_role("status").inner_text()
    sami = fabrik.actor_id("sami")
    offered = "SELECT 1 FROM volunteer_offers WHERE volunteer = ?"
    wait_for(lambda: popcafe.query(offered, (sami,)), what="Sami's offer at PopCafé")
