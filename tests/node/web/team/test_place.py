"""The place's details and settings, `/equipe/lieu` (administrators): saved as `interlieux
place` and `badge policy` save them, the details sent to followers in an Update of the place's
actor; a field emptied is removed; the opening hours as a week's grid and the services as rows
of a table, published as schema.org's text and the `offers` structure they always were."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from node.errors import InvalidField
from node.web.team.place import (
    form_from_details,
    offer_rows,
    offers_from_rows,
    opening_hours,
    rows_of_offers,
    week_from_form,
)
from tests.node.agenda.test_joins import follow
from tests.node.conftest import InProcessNode, StandIn
from tests.node.web.session import HTML, run, sign_in_as

from .team import only_for

AS_JSON = {"accept": "application/activity+json"}
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr")


def day(code: str, morning: tuple[str, str] | None, afternoon: tuple[str, str] | None = None,
        closed: bool = False) -> dict[str, str]:  # fmt: skip
    """A day's row of the grid as a browser posts it."""
    fields = {f"hours-{code}-closed": "on"} if closed else {}
    for n, hours in ((1, morning), (2, afternoon)):
        fields[f"hours-{code}-{n}-opens"], fields[f"hours-{code}-{n}-closes"] = hours or ("", "")
    return fields


def row(n: int, kind: str = "", name: str = "", level: str = "", price: str = "",
        unit: str = "") -> dict[str, str]:  # fmt: skip
    """A service row as a browser posts it (the selects send "" when nothing is chosen)."""
    values = {"type": kind, "name": name, "level": level, "price": price, "unit": unit}
    return {f"offer-{n}-{field}": value for field, value in values.items()}


LUNCH = (("09:00", "12:30"), ("14:00", "18:00"))
WEEK = {
    **{k: v for code in WEEKDAYS for k, v in day(code, *LUNCH).items()},
    **day("Sa", ("10:00", "13:00")),
    **day("Su", None, closed=True),
}
ROWS = {
    **row(1, "Equipment", "Imprimante 3D", "découverte", "5", "heure"),
    **row(2, "Equipment", "Imprimante 3D", "autonome", "2,50", "heure"),
    **row(3),  # left empty: ignored
    **row(4, "Space", "Salle de réunion", "accompagné", "20"),
    **row(5),
}
DETAILS = {
    "name": "La Coroutine",
    "summary": "Un tiers-lieu à Lille.",
    "street": "12 rue des Arts",
    "postal_code": "59000",
    "city": "Lille",
    "country": "France",
    "email": "bonjour@coroutine.example",
    "telephone": "",
    "website": "https://coroutine.example",
    "currency": "EUR",
    **WEEK,
    **ROWS,
}
OFFERS = [
    {"type": "Equipment", "name": "Imprimante 3D", "pricing": [
        {"autonomyLevel": "découverte", "price": 5, "priceCurrency": "EUR", "unitText": "heure"},
        {"autonomyLevel": "autonome", "price": 2.5, "priceCurrency": "EUR", "unitText": "heure"}]},
    {"type": "Space", "name": "Salle de réunion", "pricing": [
        {"autonomyLevel": "accompagné", "price": 20, "priceCurrency": "EUR"}]},
]  # fmt: skip


def published(offers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Offers as the node stores them: each price typed `PriceSpecification`."""
    return [{**o, "pricing": [{"type": "PriceSpecification", **p} for p in o["pricing"]]}
            if o.get("pricing") else o for o in offers]  # fmt: skip


def details(place: InProcessNode) -> dict[str, Any]:
    rows = place.query("SELECT details FROM place_details WHERE handle = 'coroutine'")
    return json.loads(rows[0][0]) if rows else {}


class Form(HTMLParser):
    """The fields a browser would send for the form posted to `action`, as the page fills it
    (a checkbox only when ticked, a select's chosen option)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif not self.inside:
            return
        elif tag == "input" and a.get("type") not in ("submit", "button"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields[a["name"]] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select:
            if self.select not in self.fields or "selected" in a:
                self.fields[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_of(place: InProcessNode) -> dict[str, str]:
    reader = Form("/equipe/lieu")
    reader.feed(place.client.get("/equipe/lieu", headers=HTML).text)
    return reader.fields


# --- the grid and the rows (pure) ------------------------------------------------------------


def test_the_grid_reads_as_a_week() -> None:
    week = week_from_form(WEEK)
    assert week == {**dict.fromkeys(WEEKDAYS, LUNCH), "Sa": (("10:00", "13:00"),)}
    assert opening_hours(WEEK, None) == "Mo-Fr 09:00-12:30,14:00-18:00; Sa 10:00-13:00"
    # A day with no time typed is closed, ticked or not; an afternoon alone is a range.
    assert week_from_form({**day("Mo", None), **day("Tu", None, ("14:00", "18:00"))}) == {
        "Tu": (("14:00", "18:00"),)
    }
    assert opening_hours({}, None) == ""


@pytest.mark.parametrize(
    ("fields", "field", "said"),
    [
        (day("Tu", ("09:00", "08:00")), "hours-Tu-1-closes",
         "Mardi, matin : la fermeture (08:00) doit venir après l'ouverture (09:00)."),
        (day("We", ("09:00", "12:30"), ("12:00", "18:00")), "hours-We-2-opens",
         "Mercredi : l'après-midi (12:00–18:00) chevauche le matin (09:00–12:30). Faites "
         "commencer l'après-midi à 12:30 ou plus tard."),
        (day("Th", ("09:00", "")), "hours-Th-1-closes",
         "Jeudi, matin : indiquez aussi l'heure de fermeture (ou effacez l'autre heure)."),
        (day("Fr", None, ("", "18:00")), "hours-Fr-2-opens",
         "Vendredi, après-midi : indiquez aussi l'heure d'ouverture"),
        (day("Sa", ("25:00", "26:00")), "hours-Sa-1-opens",
         "Samedi, matin : « 25:00 » n'est pas une heure ; écrivez-la comme 09:00 ou 14:30."),
        (day("Su", ("10:00", "12:00"), closed=True), "hours-Su-closed",
         "Dimanche est coché « fermé » mais a des heures : décochez « fermé » ou effacez les "
         "heures."),
    ],
)  # fmt: skip
def test_a_wrong_day_names_the_time_to_correct(
    fields: dict[str, str], field: str, said: str
) -> None:
    with pytest.raises(InvalidField) as caught:
        week_from_form({**WEEK, **fields})
    assert caught.value.field == field
    assert said in caught.value.fr
    assert caught.value.en and caught.value.en != caught.value.fr


def test_rows_are_offers_one_per_machine_or_space() -> None:
    assert offers_from_rows(offer_rows(ROWS), "EUR", None) == OFFERS
    # Rows in any number, any order of fields; the empty ones are ignored.
    rows = offer_rows({**row(12, "Space", " Atelier ", "autonome", "0", " jour "), **row(7)})
    assert rows == [(7, dict.fromkeys(("type", "name", "level", "price", "unit"), "")),
                    (12, {"type": "Space", "name": "Atelier", "level": "autonome",
                          "price": "0", "unit": "jour"})]  # fmt: skip
    assert offers_from_rows(rows, "CHF", []) == [
        {"type": "Space", "name": "Atelier", "pricing": [
            {"autonomyLevel": "autonome", "price": 0, "priceCurrency": "CHF", "unitText": "jour"}]}
    ]  # fmt: skip
    assert offers_from_rows(offer_rows({**row(1), **row(2)}), "EUR", None) == []


def test_what_the_rows_do_not_show_is_kept() -> None:
    before = published([
        {"type": "Equipment", "name": "Imprimante 3D", "content": "Une Prusa MK4.",
         "category": "fabrication", "pricing": [{"autonomyLevel": "découverte", "price": 8,
                                                 "priceCurrency": "EUR"}]},
        {"type": "Space", "name": "Jardin", "content": "Ouvert l'été."},  # no price: not a row
    ])  # fmt: skip
    offers = offers_from_rows(offer_rows(ROWS), "EUR", before)
    assert offers[0]["content"] == "Une Prusa MK4." and offers[0]["category"] == "fabrication"
    assert offers[0]["pricing"] == OFFERS[0]["pricing"]  # the prices are the rows'
    assert offers[1] == OFFERS[1]
    assert offers[2] == {"type": "Space", "name": "Jardin", "content": "Ouvert l'été."}


@pytest.mark.parametrize(
    ("fields", "field", "said"),
    [
        (row(2, "Equipment", "Imprimante 3D", "autonome", ""), "offer-2-price",
         "Tarif 2 (« Imprimante 3D ») : indiquez le prix, par ex. 5 ou 2,50 (0 si c'est "
         "gratuit)."),
        (row(2, "Equipment", "Imprimante 3D", "autonome", "cinq euros"), "offer-2-price",
         "Tarif 2 (« Imprimante 3D ») : « cinq euros » n'est pas un prix"),
        (row(2, "Equipment", "Imprimante 3D", "autonome", "-2"), "offer-2-price",
         "« -2 » n'est pas un prix"),
        (row(2, "Equipment", "Imprimante 3D", "autonome", "2,555"), "offer-2-price",
         "« 2,555 » n'est pas un prix"),
        (row(3, "", "", "", "4"), "offer-3-name",
         "Tarif 3 : donnez le nom du service (ou videz la ligne pour l'ignorer)."),
        (row(3, "", "Découpeuse laser", "autonome", "4"), "offer-3-type",
         "Tarif 3 (« Découpeuse laser ») : choisissez le type : machine ou espace."),
        (row(3, "Equipment", "Découpeuse laser", "", "4"), "offer-3-level",
         "Tarif 3 (« Découpeuse laser ») : choisissez le niveau d'autonomie."),
        (row(3, "Equipment", "Découpeuse laser", "autonome", "4", "u" * 51), "offer-3-unit",
         "l'unité dépasse 50 caractères"),
    ],
)  # fmt: skip
def test_a_wrong_row_is_named(fields: dict[str, str], field: str, said: str) -> None:
    with pytest.raises(InvalidField) as caught:
        offers_from_rows(offer_rows({**ROWS, **fields}), "EUR", None)
    assert caught.value.field == field
    assert said in caught.value.fr, caught.value.fr


def test_the_form_prefilled_from_the_details_gives_them_back() -> None:
    saved = {"openingHours": "Mo-Fr 09:00-12:30,14:00-18:00; Sa 10:00-13:00",
             "offers": published(OFFERS)}  # fmt: skip
    form = form_from_details("La Coroutine", "", saved)
    assert form["hours-Mo-1-opens"] == "09:00" and form["hours-Fr-2-closes"] == "18:00"
    assert form["hours-Su-closed"] == "on" and "hours-Sa-closed" not in form
    assert form["offer-2-price"] == "2,50" and form["offer-1-price"] == "5"
    assert [n for n, _ in offer_rows(form)] == [1, 2, 3, 4, 5, 6]  # three to add
    assert opening_hours(form, saved["openingHours"]) == saved["openingHours"]
    assert offers_from_rows(offer_rows(form), form["currency"], saved["offers"]) == OFFERS
    assert rows_of_offers([{"type": "Space", "name": "Salle", "pricing": [
        {"autonomyLevel": "tous", "price": "0.10", "priceCurrency": "CHF"}]}]) == (
        [{"type": "Space", "name": "Salle", "level": "tous", "price": "0,10", "unit": ""}], "CHF"
    )  # fmt: skip


# --- the page --------------------------------------------------------------------------------


def test_the_place_page_is_for_administrators(place: InProcessNode) -> None:
    only_for(place, ["/equipe/lieu"], "admin", "team")


def test_the_page_is_prefilled_from_what_the_place_publishes(
    place: InProcessNode, tmp_path: Path
) -> None:
    offers = tmp_path / "offers.json"
    offers.write_text(json.dumps([*OFFERS[:1], {**OFFERS[1], "pricing": [
        {"autonomyLevel": "tous", "price": "20.00", "priceCurrency": "EUR"}]}]))  # fmt: skip
    run("place", "--data", str(place.config.data_dir), "--offers", str(offers),
        "--opening-hours", "Mo-Fr 09:00-12:30,14:00-18:00; Sa 10:00-13:00")  # fmt: skip
    sign_in_as(place, "adele", "admin")
    page = place.client.get("/equipe/lieu", headers=HTML).text
    fields = form_of(place)
    assert {k: v for k, v in fields.items() if k.startswith("hours-")} == {
        **{k: v for k, v in WEEK.items() if v}, "hours-Sa-2-opens": "", "hours-Sa-2-closes": "",
        "hours-Su-1-opens": "", "hours-Su-1-closes": "",
        "hours-Su-2-opens": "", "hours-Su-2-closes": "",
    }  # fmt: skip
    assert {k: v for k, v in fields.items() if k.startswith("offer-")} == {
        **row(1, "Equipment", "Imprimante 3D", "découverte", "5", "heure"),
        **row(2, "Equipment", "Imprimante 3D", "autonome", "2,50", "heure"),
        **row(3, "Space", "Salle de réunion", "tous", "20"),
        **row(4), **row(5), **row(6),
    }  # fmt: skip
    # Every time has its label; the levels are the vocabulary's, and the place's own.
    assert '<label for="hours-Mo-2-opens">de</label>' in page
    assert '<label for="hours-Mo-2-closes">à</label>' in page
    assert 'type="time" id="hours-Mo-2-opens"' in page
    levels = page.split('id="offer-4-level"')[1].split("</select>")[0]
    assert all(f'value="{v}"' in levels for v in ("découverte", "accompagné", "autonome", "tous"))
    assert levels.count("<option") == 5
    # The old text fields are gone; the script that adds rows is the page's own file.
    assert 'name="opening_hours"' not in page and 'name="offers"' not in page
    assert "schema.org" not in page and "<script>" not in page
    assert '<script src="/static/team-place.js" defer></script>' in page
    assert "data-add-row hidden" in page  # shown by the script only
    script = place.client.get("/static/team-place.js")
    assert script.status_code == 200 and "data-add-row" in script.text


def test_details_saved_and_sent_to_followers(place: InProcessNode, stand_in: StandIn) -> None:
    follow(stand_in, place)
    csrf = sign_in_as(place, "adele", "admin")
    answer = place.client.post(
        "/equipe/lieu",
        data={**DETAILS, "csrf": csrf, "name": "La Coroutine (Lille)"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/equipe/lieu?fait=details"
    saved = details(place)
    assert saved["address"] == {
        "type": "PostalAddress",
        "streetAddress": "12 rue des Arts",
        "postalCode": "59000",
        "addressLocality": "Lille",
        "addressCountry": "France",
    }
    assert saved["openingHours"] == "Mo-Fr 09:00-12:30,14:00-18:00; Sa 10:00-13:00"
    assert "telephone" not in saved
    assert saved["offers"] == published(OFFERS)
    update = stand_in.wait_received(
        lambda b: b["type"] == "Update" and b["object"].get("id") == place.actor_id()
    )
    assert update["object"]["name"] == "La Coroutine (Lille)"
    assert update["object"]["summary"] == "Un tiers-lieu à Lille."
    assert update["object"]["openingHours"] == saved["openingHours"]
    assert update["object"]["offers"] == saved["offers"]
    actor = place.client.get("/actors/coroutine", headers=AS_JSON).json()
    assert actor["name"] == "La Coroutine (Lille)" and len(actor["offers"]) == 2
    page = html.unescape(place.client.get("/equipe/lieu?fait=details", headers=HTML).text)
    assert "Informations enregistrées" in page
    assert form_of(place)["offer-2-price"] == "2,50"
    # The public page reads them in French.
    public = html.unescape(place.client.get("/", headers=HTML).text)
    assert "lun.–ven. 09:00–12:30, 14:00–18:00 ; sam. 10:00–13:00" in public
    assert "2,50 € par heure" in public and "20,00 €" in public

    # A field emptied in the form is removed; what the form does not show stays.
    run("place", "--data", str(place.config.data_dir), "--latitude", "50.63", "--longitude", "3.06")
    emptied = {**DETAILS, **{k: "" for k in ROWS}, **{k: "" for k in WEEK}, "email": ""}
    place.client.post("/equipe/lieu", data={**emptied, "csrf": csrf})
    saved = details(place)
    assert "email" not in saved and "offers" not in saved and "openingHours" not in saved
    assert saved["geo"] == {"type": "GeoCoordinates", "latitude": 50.63, "longitude": 3.06}


def test_the_form_sent_back_as_prefilled_changes_nothing_but_the_texts_form(
    place: InProcessNode, tmp_path: Path
) -> None:
    offers = tmp_path / "offers.json"
    offers.write_text(json.dumps([
        {**OFFERS[0], "content": "Une Prusa MK4."},
        {"type": "Space", "name": "Jardin", "content": "Ouvert l'été."},
    ]))  # fmt: skip
    run("place", "--data", str(place.config.data_dir), "--offers", str(offers),
        "--opening-hours", "Sa 10:00-13:00;Mo-Fr 14:00-18:00,9:00-12:30")  # fmt: skip
    sign_in_as(place, "adele", "admin")
    before = details(place)
    answer = place.client.post("/equipe/lieu", data=form_of(place), follow_redirects=False)
    assert answer.status_code == 303
    after = details(place)
    assert after["offers"] == before["offers"]  # the description, the unpriced space: kept
    assert after["openingHours"] == "Mo-Fr 09:00-12:30,14:00-18:00; Sa 10:00-13:00"


def test_a_long_presentation_and_many_prices_fit_in_one_form(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "adele", "admin")
    levels = ("découverte", "accompagné", "autonome")
    many: dict[str, str] = {}
    for n in range(36):  # twelve machines, three prices each
        many |= row(n + 1, "Equipment", f"Machine numéro {n // 3}", levels[n % 3], "12,50", "jour")
    # The whole form fits the pages' bound on a posted form (`gate.MAX_FORM`).
    summary = ("« Éco-lieu » : séjours, ateliers, échanges, idées à réaliser. " * 40)[:2000]
    answer = place.client.post(
        "/equipe/lieu",
        data={**DETAILS, **many, "summary": summary, "csrf": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    saved = details(place)["offers"]
    assert len(saved) == 12 and all(len(o["pricing"]) == 3 for o in saved)


def test_hours_the_grid_cannot_hold_stay_until_the_grid_changes(place: InProcessNode) -> None:
    run("place", "--data", str(place.config.data_dir),
        "--opening-hours", "Mo-Fr 09:00-18:00; PH 10:00-12:00")  # fmt: skip
    sign_in_as(place, "adele", "admin")
    page = html.unescape(place.client.get("/equipe/lieu", headers=HTML).text)
    assert "ne tient pas dans cette grille" in page and "<code>PH 10:00-12:00</code>" in page
    fields = form_of(place)
    assert fields["hours-Mo-1-opens"] == "09:00" and fields["hours-Sa-closed"] == "on"
    place.client.post("/equipe/lieu", data=fields)
    assert details(place)["openingHours"] == "Mo-Fr 09:00-18:00; PH 10:00-12:00"
    del fields["hours-Sa-closed"]
    fields |= day("Sa", ("10:00", "13:00"))
    place.client.post("/equipe/lieu", data=fields)
    assert details(place)["openingHours"] == "Mo-Fr 09:00-18:00; Sa 10:00-13:00"
    assert "ne tient pas" not in place.client.get("/equipe/lieu", headers=HTML).text


def test_wrong_details_are_said_and_nothing_changes(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "adele", "admin")
    for fields, field, said in (
        (day("Tu", ("09:00", "08:00")), "hours-Tu-1-closes",
         "Mardi, matin : la fermeture (08:00) doit venir après l'ouverture (09:00)."),
        (day("We", ("09:00", "12:30"), ("12:00", "18:00")), "hours-We-2-opens",
         "Mercredi : l'après-midi (12:00–18:00) chevauche le matin (09:00–12:30)."),
        (row(2, "Equipment", "Imprimante 3D", "autonome", "cinq euros"), "offer-2-price",
         "Tarif 2 (« Imprimante 3D ») : « cinq euros » n'est pas un prix"),
        (row(5, "", "", "", "4"), "offer-5-name", "Tarif 5 : donnez le nom du service"),
        ({"currency": "EURO"}, "currency", "La devise « EURO »"),
        ({"name": ""}, None, "Le nom du lieu est obligatoire"),
        ({"website": "coroutine.example"}, None, "adresse complète"),
        ({"city": "", "street": "12 rue des Arts"}, None, "addressLocality"),
    ):  # fmt: skip
        answer = place.client.post("/equipe/lieu", data={**DETAILS, **fields, "csrf": csrf})
        assert answer.status_code == 400, fields
        text = html.unescape(answer.text)
        assert said in text, (fields, text)
        # Everything comes back as typed, the wrong value too.
        assert 'value="bonjour@coroutine.example"' in answer.text
        assert 'value="Imprimante 3D"' in answer.text and 'value="12:30"' in answer.text
        for name, value in fields.items():
            if value and not name.endswith(("-type", "-level")):
                assert f'value="{value}"' in answer.text, name
        if field:  # the message leads to the input, which says it is wrong
            assert f'<a href="#{field}">' in answer.text
            tag = answer.text.split(f'id="{field}"')[1].split(">")[0]
            assert 'aria-invalid="true" aria-describedby="form-error"' in tag
    assert details(place) == {}
    assert place.query("SELECT name FROM local_actors WHERE handle = 'coroutine'") == [
        ("La Coroutine",)
    ]


def test_the_form_without_its_token_is_refused(place: InProcessNode) -> None:
    sign_in_as(place, "adele", "admin")
    for token in ({}, {"csrf": "pas-le-bon"}):
        answer = place.client.post("/equipe/lieu", data={**DETAILS, **token})
        assert answer.status_code == 403
        assert "Ce formulaire a expiré" in html.unescape(answer.text)
    assert details(place) == {}


def test_settings_door_policy_embedding_sites_and_map(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "adele", "admin")
    assert (
        place.client.post("/equipe/lieu/reglages", data={"card_required": "on"}).status_code == 403
    )
    assert place.query("SELECT * FROM door_policy") == []
    done = place.client.post(
        "/equipe/lieu/reglages",
        data={"csrf": csrf, "card_required": "on", "map": "on",
              "sites": "https://mon-site.fr\nhttps://Autre.example/\n"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.headers["location"] == "/equipe/lieu?fait=reglages"
    assert place.query("SELECT card_required, stale_own_members FROM door_policy") == [(1, 0)]
    assert place.query("SELECT origin FROM embed_sites ORDER BY origin") == [
        ("https://autre.example",), ("https://mon-site.fr",)
    ]  # fmt: skip
    assert place.query("SELECT value FROM place_settings WHERE name = 'map'") == [("oui",)]
    page = place.client.get("/equipe/lieu", headers=HTML).text
    assert 'name="card_required" checked' in page and 'name="map" checked' in page
    bad = place.client.post(
        "/equipe/lieu/reglages", data={"csrf": csrf, "sites": "https://a.example/chemin"}
    )
    assert bad.status_code == 400 and "chemin" in bad.text
    assert place.query("SELECT card_required FROM door_policy") == [(1,)]
    assert len(place.query("SELECT origin FROM embed_sites")) == 2
    # Everything off again: any site may embed the widgets.
    place.client.post("/equipe/lieu/reglages", data={"csrf": csrf})
    assert place.query("SELECT card_required FROM door_policy") == [(0,)]
    assert place.query("SELECT origin FROM embed_sites") == []
    assert place.query("SELECT value FROM place_settings WHERE name = 'map'") == [("non",)]
