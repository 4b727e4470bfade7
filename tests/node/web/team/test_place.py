"""The place's details and settings, `/equipe/lieu` (administrators): saved as `interlieux
place` and `badge policy` save them, the details sent to followers in an Update of the place's
actor; a field emptied is removed; the services typed one price a line."""

from __future__ import annotations

import html
import json

from tests.node.agenda.test_joins import follow
from tests.node.conftest import InProcessNode, StandIn
from tests.node.web.session import HTML, sign_in_as

from .team import only_for

AS_JSON = {"accept": "application/activity+json"}
DETAILS = {
    "name": "La Coroutine",
    "summary": "Un tiers-lieu à Lille.",
    "street": "12 rue des Arts",
    "postal_code": "59000",
    "city": "Lille",
    "country": "France",
    "opening_hours": "Mo-Fr 09:00-18:00",
    "email": "bonjour@coroutine.example",
    "telephone": "",
    "website": "https://coroutine.example",
    "offers": "Machine ; Imprimante 3D ; découverte ; 5 ; l'heure\n"
    "Machine ; Imprimante 3D ; autonome ; 2,50 ; l'heure\n\nEspace ; Salle de réunion ; tous ; 20",
    "currency": "EUR",
}


def details(place: InProcessNode) -> dict[str, object]:
    rows = place.query("SELECT details FROM place_details WHERE handle = 'coroutine'")
    return json.loads(rows[0][0]) if rows else {}


def test_the_place_page_is_for_administrators(place: InProcessNode) -> None:
    only_for(place, ["/equipe/lieu"], "admin", "team")


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
    assert saved["openingHours"] == "Mo-Fr 09:00-18:00" and "telephone" not in saved
    assert saved["offers"] == [
        {"type": "Equipment", "name": "Imprimante 3D", "pricing": [
            {"type": "PriceSpecification", "autonomyLevel": "découverte", "price": 5,
             "priceCurrency": "EUR", "unitText": "l'heure"},
            {"type": "PriceSpecification", "autonomyLevel": "autonome", "price": 2.5,
             "priceCurrency": "EUR", "unitText": "l'heure"}]},
        {"type": "Space", "name": "Salle de réunion", "pricing": [
            {"type": "PriceSpecification", "autonomyLevel": "tous", "price": 20,
             "priceCurrency": "EUR"}]},
    ]  # fmt: skip
    update = stand_in.wait_received(
        lambda b: b["type"] == "Update" and b["object"].get("id") == place.actor_id()
    )
    assert update["object"]["name"] == "La Coroutine (Lille)"
    assert update["object"]["summary"] == "Un tiers-lieu à Lille."
    assert update["object"]["address"]["addressLocality"] == "Lille"
    actor = place.client.get("/actors/coroutine", headers=AS_JSON).json()
    assert actor["name"] == "La Coroutine (Lille)" and len(actor["offers"]) == 2
    page = html.unescape(place.client.get("/equipe/lieu?fait=details", headers=HTML).text)
    assert "Informations enregistrées" in page
    assert "Machine ; Imprimante 3D ; autonome ; 2.5 ; l'heure" in page

    # A field emptied in the form is removed; what the form does not show stays.
    from tests.node.web.session import run

    run("place", "--data", str(place.config.data_dir), "--latitude", "50.63", "--longitude", "3.06")
    place.client.post("/equipe/lieu", data={**DETAILS, "csrf": csrf, "email": "", "offers": ""})
    saved = details(place)
    assert "email" not in saved and "offers" not in saved
    assert saved["geo"] == {"type": "GeoCoordinates", "latitude": 50.63, "longitude": 3.06}


def test_wrong_details_are_said_and_nothing_changes(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "adele", "admin")
    assert place.client.post("/equipe/lieu", data=DETAILS).status_code == 403
    assert details(place) == {}
    for fields, said in (
        ({"offers": "Machine ; Imprimante 3D ; découverte ; cinq euros"}, "Ligne 1 des services"),
        ({"offers": "Vélo ; Cargo ; tous ; 5"}, "Ligne 1 des services"),
        ({"name": ""}, "Le nom du lieu est obligatoire"),
        ({"website": "coroutine.example"}, "adresse complète"),
        ({"city": "", "street": "12 rue des Arts"}, "addressLocality"),
    ):
        answer = place.client.post("/equipe/lieu", data={**DETAILS, **fields, "csrf": csrf})
        assert answer.status_code == 400, fields
        assert said in html.unescape(answer.text), (fields, answer.text)
        assert 'value="bonjour@coroutine.example"' in answer.text  # kept as typed
    assert details(place) == {}
    assert place.query("SELECT name FROM local_actors WHERE handle = 'coroutine'") == [
        ("La Coroutine",)
    ]


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
