"""The place's details in Chromium on a phone, at La Fabrik: an administrator fills in the
week's opening hours (a lunch break on weekdays, Saturday morning, Sunday closed) and two
prices, one in an empty row and one in a row the page's script adds; a closing time before the
opening is said and kept; once saved, the public page reads the hours in French and shows the
prices. Axe and a phone-sized screenshot on each state of the page."""

from __future__ import annotations

import httpx
from playwright.sync_api import Locator, Page

from federation_tests.network import LocalPlace, Places

from .conftest import PHONE, TeamBrowser, accessible, screenshot

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi")


def day(page: Page, name: str) -> Locator:
    return page.get_by_role("group", name=name, exact=True)


def fill_range(page: Page, name: str, part: str, opens: str, closes: str) -> None:
    """A day's morning or afternoon, as a person fills it: by the labels they read."""
    times = day(page, name).get_by_role("group", name=part, exact=True)
    times.get_by_label("de", exact=True).fill(opens)
    times.get_by_label("à", exact=True).fill(closes)


def fits_the_phone(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling to reach a field."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_the_team_fills_in_the_week_and_a_price(team_browser: TeamBrowser, places: Places) -> None:
    fabrik: LocalPlace = places["fabrik"]
    base = fabrik.base_url
    phone = team_browser(fabrik, "renee", "admin")
    phone.goto(f"{base}/equipe/lieu")
    # Nothing published yet: every day is closed, and the rows are empty.
    for name in (*WEEKDAYS, "samedi", "dimanche"):
        assert day(phone, name).get_by_label("fermé").is_checked(), name
    assert phone.get_by_label("Ville").input_value() == "Roubaix"
    fits_the_phone(phone)
    accessible(phone)
    screenshot(phone, "team-place-empty")

    for name in WEEKDAYS:
        fill_range(phone, name, "matin", "09:00", "12:30")
        fill_range(phone, name, "après-midi", "14:00", "18:00")
        assert not day(phone, name).get_by_label("fermé").is_checked()  # typing unticks it
    fill_range(phone, "samedi", "matin", "10:00", "13:00")
    # Tuesday's afternoon typed the wrong way round, to see what the page says.
    fill_range(phone, "mardi", "après-midi", "18:00", "14:00")

    first = phone.get_by_role("group", name="Tarif 1", exact=True)
    first.get_by_label("Type", exact=True).select_option(label="Machine ou outil")
    first.get_by_label("Nom", exact=True).fill("Découpeuse laser")
    first.get_by_label("Niveau d'autonomie").select_option("accompagné")
    first.get_by_label("Prix", exact=True).fill("12,50")
    first.get_by_label("Unité (heure, jour…)").fill("heure")
    phone.get_by_role("button", name="Ajouter une ligne").click()
    added = phone.get_by_role("group", name="Tarif 4", exact=True)
    assert added.get_by_label("Type", exact=True).evaluate("e => e === document.activeElement")
    added.get_by_label("Type", exact=True).select_option(label="Espace")
    added.get_by_label("Nom", exact=True).fill("Atelier bois")
    added.get_by_label("Niveau d'autonomie").select_option("autonome")
    added.get_by_label("Prix", exact=True).fill("0")
    added.get_by_label("Unité (heure, jour…)").fill("jour")
    phone.get_by_role("button", name="Enregistrer et publier").click()

    alert = phone.get_by_role("alert")
    assert alert.inner_text() == (
        "Mardi, après-midi : la fermeture (14:00) doit venir après l'ouverture (18:00). "
        "Corrigez l'une des deux heures."
    )
    # Nothing typed is lost, the added row either; the message leads to the time to correct.
    assert phone.get_by_role("group", name="Tarif 4").get_by_label(
        "Nom", exact=True
    ).input_value() == ("Atelier bois")
    fits_the_phone(phone)
    accessible(phone)
    screenshot(phone, "team-place-error")
    alert.get_by_role("link").click()
    tuesday = day(phone, "mardi").get_by_role("group", name="après-midi")
    wrong = tuesday.get_by_label("à", exact=True)
    assert wrong.evaluate("e => e === document.activeElement")
    assert wrong.get_attribute("aria-invalid") == "true"
    wrong.fill("19:00")
    tuesday.get_by_label("de", exact=True).fill("14:00")
    phone.get_by_role("button", name="Enregistrer et publier").click()
    phone.wait_for_url(f"{base}/equipe/lieu?fait=details")
    assert "Informations enregistrées" in phone.get_by_role("status").inner_text()
    # The page shows what is saved: the grid and the rows as they were filled.
    assert day(phone, "dimanche").get_by_label("fermé").is_checked()
    saturday = day(phone, "samedi").get_by_role("group", name="matin")
    assert saturday.get_by_label("à", exact=True).input_value() == "13:00"
    second = phone.get_by_role("group", name="Tarif 2", exact=True)
    assert second.get_by_label("Nom", exact=True).input_value() == "Atelier bois"
    assert second.get_by_label("Prix", exact=True).input_value() == "0"
    accessible(phone)
    screenshot(phone, "team-place-saved")

    actor = httpx.get(fabrik.actor_id(), headers={"accept": "application/activity+json"}).json()
    assert actor["openingHours"] == (
        "Mo 09:00-12:30,14:00-18:00; Tu 09:00-12:30,14:00-19:00; "
        "We-Fr 09:00-12:30,14:00-18:00; Sa 10:00-13:00"
    )
    phone.goto(f"{base}/")
    main = phone.locator("main").inner_text()
    assert "lun. 09:00–12:30, 14:00–18:00 ; mar. 09:00–12:30, 14:00–19:00" in main
    assert "mer.–ven. 09:00–12:30, 14:00–18:00 ; sam. 10:00–13:00" in main
    assert "Découpeuse laser" in main and "12,50 € par heure" in main
    assert "Atelier bois" in main and "gratuit" in main
    fits_the_phone(phone)
    accessible(phone)
    screenshot(phone, "place-hours-prices")
