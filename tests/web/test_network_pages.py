"""The network page and the query page in Chromium, on a phone: PopCafé (Lille) lists La Fabrik
(Roubaix) with its distance even when the map's tiles cannot load, and without JavaScript at
all; a person asks for residents who can weld and finds La Fabrik's Alice, and downloads the
answer as CSV."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from federation_tests.network import LocalPlace, wait_for

from .conftest import PHONE, REPO, accessible, screenshot

WELDERS = """PREFIX tl: <https://w3id.org/interlieux/ns#>
SELECT ?p WHERE { ?p tl:skill sk:soudure ; tl:residentOf ?place }"""


def test_without_the_places_choice_no_map_and_no_call_elsewhere(
    phone: Page, popcafe: LocalPlace
) -> None:
    called: list[str] = []
    phone.route("https://**", lambda route: (called.append(route.request.url), route.abort()))
    phone.goto(f"{popcafe.base_url}/network")
    expect(phone.locator(".network-places li", has_text="La Fabrik")).to_contain_text("à 11,0 km")
    assert phone.locator("#network-map").count() == 0
    assert called == []  # the visitor's browser called no other host


@pytest.fixture
def map_on(popcafe: LocalPlace) -> None:
    popcafe.cli("place", "--data", str(popcafe.data), "--map", "oui")


@pytest.mark.usefixtures("map_on")
def test_the_network_lists_la_fabrik_with_its_distance_when_tiles_cannot_load(
    phone: Page, popcafe: LocalPlace
) -> None:
    tiles: list[str] = []

    def refuse(route: Route) -> None:
        tiles.append(route.request.url)
        route.abort()

    # Tile servers are out of reach here anyway; refusing them says so for certain.
    phone.route("https://tile.openstreetmap.org/**", refuse)
    phone.goto(f"{popcafe.base_url}/network")
    assert phone.locator("h1").inner_text() == "Le réseau"
    fabrik = phone.locator(".network-places li", has_text="La Fabrik")
    expect(fabrik).to_contain_text("59100 Roubaix")
    expect(fabrik).to_contain_text("à 11,0 km")  # Lille → Roubaix as the crow flies
    # The map tried its tiles, could not, and left the list with a word why.
    expect(phone.get_by_text("La carte n'a pas pu se charger")).to_be_visible()
    expect(phone.locator("#network-map")).to_be_hidden()
    assert tiles
    accessible(phone)
    screenshot(phone, "network")


@pytest.mark.usefixtures("map_on")
def test_with_tiles_the_map_shows_the_places(phone: Page, popcafe: LocalPlace) -> None:
    # Any PNG stands for a tile: the test checks the map is drawn, not what OSM draws.
    tile = (REPO / "node/web/static/vendor/leaflet/images/layers.png").read_bytes()
    phone.route("https://tile.openstreetmap.org/**",
                lambda route: route.fulfill(body=tile, content_type="image/png"))  # fmt: skip
    phone.goto(f"{popcafe.base_url}/network")
    expect(phone.locator("#network-map")).to_be_visible()
    expect(phone.get_by_role("button", name="La Fabrik")).to_be_visible()  # its marker
    expect(phone.locator(".leaflet-tile-loaded").first).to_be_visible()
    expect(phone.get_by_text("La carte n'a pas pu se charger")).to_be_hidden()
    expect(phone.locator(".network-places li", has_text="La Fabrik")).to_be_visible()
    accessible(phone)


def test_the_network_reads_without_javascript(browser: Browser, popcafe: LocalPlace) -> None:
    context = browser.new_context(viewport=PHONE, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{popcafe.base_url}/network")
        expect(page.locator(".network-places li", has_text="La Fabrik")).to_contain_text(
            "à 11,0 km"
        )
        expect(page.locator("#network-map")).to_be_hidden()
        expect(page.get_by_text("La carte n'a pas pu se charger")).to_be_hidden()
    finally:
        context.close()


def test_residents_who_can_weld_are_found_across_the_network_and_come_as_csv(
    phone: Page, popcafe: LocalPlace
) -> None:
    wait_for(lambda: popcafe.sparql(WELDERS), what="fabrik's welder in popcafe's graph")
    phone.goto(f"{popcafe.base_url}/questions")
    title = phone.get_by_role("heading", name="Résidents avec une compétence")
    question = phone.locator("section", has=title)
    question.get_by_label("Compétence").select_option(label="Soudure")
    question.get_by_role("button", name="Chercher").click()
    table = question.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(["Résident·e", "Lieu", "Ville"])
    alice = table.get_by_role("row", name="Alice Martin")
    expect(alice).to_contain_text("La Fabrik")
    expect(alice).to_contain_text("Roubaix")
    question.get_by_text("Voir la requête SPARQL").click()
    expect(question.locator("pre")).to_contain_text("tl:skill sk:soudure")
    accessible(phone)
    screenshot(phone, "questions")

    href = question.get_by_role("link", name="Télécharger en CSV").get_attribute("href")
    assert href is not None
    answer = httpx.get(f"{popcafe.base_url}{href}")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["nom"], r["nomLieu"], r["ville"]) for r in rows] == [
        ("Alice Martin", "La Fabrik", "Roubaix")
    ]
