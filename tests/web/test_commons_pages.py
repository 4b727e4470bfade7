"""Needs and pledges in Chromium, on a phone: PopCafé's open need and the need of La Fabrik
(a place PopCafé follows), who answered, a need's page, and the pledges' totals."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page

from federation_tests.network import AS_JSON, PUBLIC, LocalPlace, Places

from .conftest import accessible, screenshot


@pytest.fixture(scope="module")
def pledged(places: Places) -> str:
    """PopCafé pledges 120 € to its own need for volunteers (its welcome desk)."""
    popcafe = places["popcafe"]
    need = popcafe.collection(f"{popcafe.base_url}/needs")[0]
    popcafe.post_outbox(
        {"type": "Pledge", "name": "Repas des bénévoles", "amount": "120", "currency": "EUR",
         "funds": need["id"], "due": need["due"], "to": [PUBLIC]}
    )  # fmt: skip
    return str(need["id"])


def test_the_needs_page_lists_the_places_and_the_networks_open_needs(
    phone: Page, popcafe: LocalPlace, pledged: str
) -> None:
    phone.goto(f"{popcafe.base_url}/needs")
    assert phone.locator("h1").inner_text() == "Besoins"
    ours = phone.get_by_role("region", name="Besoins du lieu")
    network = phone.get_by_role("region", name="Besoins du réseau")
    assert ours.locator("h3").all_inner_texts() == ["Bénévoles pour l'accueil"]
    assert network.locator("h3").all_inner_texts() == ["Soudure d'un vélo cargo"]
    welcome = ours.inner_text()
    assert "Bénévoles" in welcome and "Accueil" in welcome  # kind, skill label
    assert re.search(r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d+ \w+ 20\d\d",
                     welcome)  # fmt: skip
    assert "PopCafé — engagement de 120,00\u00a0€" in welcome  # who answered
    assert "La Fabrik" in network.inner_text() and "Soudure" in network.inner_text()
    accessible(phone)
    screenshot(phone, "needs")
    phone.get_by_role("link", name="Bénévoles pour l'accueil").click()
    phone.wait_for_url(pledged)
    assert phone.locator("h1").inner_text() == "Bénévoles pour l'accueil"
    assert phone.locator('meta[property="og:url"]').get_attribute("content") == pledged
    accessible(phone)


def test_the_pledges_page_totals_per_project(
    phone: Page, popcafe: LocalPlace, pledged: str
) -> None:
    phone.goto(f"{popcafe.base_url}/pledges")
    row = phone.get_by_role("row").filter(has_text="Bénévoles pour l'accueil")
    assert "120,00\u00a0€" in row.inner_text()
    accessible(phone)
    screenshot(phone, "pledges")
    document = httpx.get(f"{popcafe.base_url}/pledges", headers={"accept": AS_JSON}).json()
    assert document["totalItems"] == 1
