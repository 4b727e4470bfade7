"""The résidentothèque in Chromium, on a phone: the filter by skill keeps the matching
resident, private fields stay off the page, and a resident's page shows their public profile."""

from __future__ import annotations

from playwright.sync_api import Page

from federation_tests.network import LocalPlace

from .conftest import accessible, screenshot


def test_the_residents_filter_by_skill_shows_only_the_matching_resident(
    phone: Page, popcafe: LocalPlace
) -> None:
    phone.goto(f"{popcafe.base_url}/residents")
    assert phone.locator("h1").inner_text() == "Résidentothèque"
    cards = phone.locator("main .cards h2")
    assert cards.all_inner_texts() == ["Chloé Petit", "Zoé"]
    main = phone.locator("main").inner_text()
    assert "Médiation numérique" in main and "Menuiserie" in main
    assert "le mercredi (public)" in main and "le mercredi (private)" not in main
    phone.get_by_label("Compétence", exact=True).select_option(label="Menuiserie")
    phone.get_by_role("button", name="Filtrer").click()
    phone.wait_for_url("**/residents?skill=sk%3Amenuiserie*")
    assert cards.all_inner_texts() == ["Zoé"]
    assert phone.get_by_role("status").inner_text() == "1 résident / 2"
    accessible(phone)
    screenshot(phone, "residents")


def test_a_residents_page_from_the_residentotheque(phone: Page, popcafe: LocalPlace) -> None:
    phone.goto(f"{popcafe.base_url}/residents?skill=sk:mediation-numerique")
    phone.get_by_role("link", name="Chloé Petit").click()
    phone.wait_for_url(popcafe.actor_id("chloe"))
    assert phone.locator("h1").inner_text() == "Chloé Petit"
    main = phone.locator("main").inner_text()
    assert "Médiation numérique" in main and "le mercredi (public)" in main
    assert (
        phone.get_by_role("link", name="PopCafé", exact=True).last.get_attribute("href")
        == popcafe.actor_id()
    )
    assert phone.locator('meta[property="og:url"]').get_attribute("content") == popcafe.actor_id(
        "chloe"
    )
    accessible(phone)
    screenshot(phone, "resident")
