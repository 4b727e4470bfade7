"""The agenda and an event's page in Chromium, on a phone: from the place's page to an event and
into the visitor's calendar, the agenda narrowed by category, the network's agenda leading to
each place's own event page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from playwright.sync_api import Page

from federation_tests.network import LocalPlace, Places
from node.web.render import local_time, moment

from .conftest import accessible, screenshot, soon


def in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def test_from_the_place_page_to_an_event_and_into_my_calendar(
    phone: Page, popcafe: LocalPlace
) -> None:
    phone.goto(f"{popcafe.base_url}/")
    phone.get_by_role("link", name="Repair café").click()
    phone.wait_for_url(f"{popcafe.base_url}/objects/*")
    event_id = phone.url
    assert phone.locator("h1").inner_text() == "Repair café"
    main = phone.locator("main").inner_text()
    starts = moment(local_time(soon(4, 10), "Europe/Paris"))  # the place's clock, in French
    assert starts in main, main
    assert "8 places restantes sur 8" in main and "Réparation" in main
    assert "Apportez vos objets en panne" in main
    assert phone.get_by_role("link", name="Voir sur la carte").count() == 1
    assert phone.get_by_role("button", name="Participer").is_visible()
    accessible(phone)
    screenshot(phone, "event")

    with phone.expect_download() as download:
        phone.get_by_role("link", name="Ajouter à mon agenda").click()
    path = download.value.path()
    with open(path, "rb") as saved:
        calendar = Calendar.from_ical(saved.read())
    (item,) = calendar.walk("VEVENT")
    assert str(item["uid"]) == event_id and str(item["summary"]) == "Repair café"
    assert calendar.get_missing_tzids() == set()


def test_the_agenda_filtered_by_category_narrows_the_list(phone: Page, popcafe: LocalPlace) -> None:
    phone.goto(f"{popcafe.base_url}/agenda?view=month&from={in_days(4)}")
    listed = phone.locator(".agenda-event .name")
    assert {"Repair café", "Soirée jeux"} <= set(listed.all_inner_texts())
    accessible(phone)
    screenshot(phone, "agenda")
    phone.get_by_label("Catégorie").select_option(label="Jeux")
    phone.get_by_role("button", name="Filtrer").click()
    phone.wait_for_url("**category=games**")
    assert listed.all_inner_texts() == ["Soirée jeux"]
    # The filter stays when the visitor moves to the next month and back.
    phone.get_by_role("link", name="Mois suivant").click()
    phone.get_by_role("link", name="Mois précédent").click()
    assert listed.all_inner_texts() == ["Soirée jeux"]


def test_the_network_agenda_leads_to_the_other_place_event_page(
    phone: Page, places: Places
) -> None:
    popcafe, fabrik = places["popcafe"], places["fabrik"]
    phone.goto(f"{popcafe.base_url}/network/agenda?view=week&from={in_days(5)}")
    assert phone.locator("h1").inner_text() == "Agenda du réseau"
    accessible(phone)
    phone.get_by_label("Lieu").select_option(label="La Fabrik")
    phone.get_by_role("button", name="Filtrer").click()
    listed = phone.locator(".agenda-event .name")
    assert listed.all_inner_texts() == ["Initiation à la soudure"]
    phone.get_by_role("link", name="Initiation à la soudure").click()
    phone.wait_for_url(f"{fabrik.base_url}/objects/*")  # its own node's page
    assert phone.locator("h1").inner_text() == "Initiation à la soudure"
