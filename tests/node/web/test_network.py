"""The network page: the places our place follows, nearest first with their distance, readable
without JavaScript; the map's data safe from a peer's text; distances by haversine."""

from __future__ import annotations

import html
import json
import re

import pytest

from node.cli import main as cli
from node.web.network import (
    Place,
    coordinates,
    haversine_km,
    kilometres,
    map_data,
    place_of,
    with_distances,
)
from tests.node.conftest import InProcessNode, StandIn

LILLE = (50.6292, 3.0573)
ROUBAIX = (50.6942, 3.1746)
PARIS = (48.8566, 2.3522)


def test_haversine_gives_the_distances_a_map_shows() -> None:
    assert haversine_km(*LILLE, *LILLE) == 0
    assert haversine_km(*LILLE, *ROUBAIX) == pytest.approx(10.98, abs=0.05)
    assert haversine_km(*LILLE, *PARIS) == pytest.approx(204, abs=2)
    assert haversine_km(*ROUBAIX, *LILLE) == haversine_km(*LILLE, *ROUBAIX)


def test_a_peers_coordinates_are_taken_only_when_they_are_numbers_on_earth() -> None:
    assert coordinates({"latitude": 50.6, "longitude": 3}) == (50.6, 3.0)
    for geo in ({"latitude": "50.6", "longitude": 3}, {"latitude": True, "longitude": 3},
                {"latitude": 91, "longitude": 3}, {"latitude": 50, "longitude": float("nan")},
                {"latitude": 50}, "50.6,3", None):  # fmt: skip
        assert coordinates(geo) is None
    shown = place_of({"id": "https://x.example/actors/x", "name": "X",
                      "url": "javascript:alert(1)", "address": "not an address"})  # fmt: skip
    assert shown.website is None and shown.city is None and not shown.located
    profile = place_of({"id": "https://x.example/actors/x", "url": "https://x.example/actors/x"})
    assert profile.website is None  # the actor's own page, not a website
    website = place_of({"id": "https://x.example/a/x", "url": "https://x.fr"}).website
    assert website == "https://x.fr"


def test_places_come_nearest_first_and_the_unlocated_last() -> None:
    here = Place("https://lille.example/actors/p", "PopCafé", latitude=LILLE[0],
                 longitude=LILLE[1])  # fmt: skip
    paris = Place("https://paris.example/actors/p", "Paris", latitude=PARIS[0],
                  longitude=PARIS[1])  # fmt: skip
    roubaix = Place("https://roubaix.example/actors/f", "Fabrik", latitude=ROUBAIX[0],
                    longitude=ROUBAIX[1])  # fmt: skip
    nowhere = Place("https://a.example/actors/a", "Atelier sans adresse")
    ordered = with_distances(here, [nowhere, paris, roubaix])
    assert [p.name for p in ordered] == ["Fabrik", "Paris", "Atelier sans adresse"]
    assert [kilometres(p.distance_km, "fr") for p in ordered[:2]] == ["11,0", "204"]
    assert ordered[2].distance_km is None
    # Without coordinates of our own, no distance at all.
    assert all(p.distance_km is None for p in with_distances(Place("h", "Ici"), [roubaix]))


def test_the_maps_data_cannot_close_its_script_element() -> None:
    here = Place("https://l.example/a/p", "Ici", latitude=1.0, longitude=2.0)
    hostile = Place("https://h.example/a/h", "</script><script>alert(1)</script>&",
                    latitude=3.0, longitude=4.0)  # fmt: skip
    text = map_data(here, [hostile, Place("https://n.example/a/n", "Sans coordonnées")])
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == [
        {"name": "Ici", "url": "https://l.example/a/p", "lat": 1.0, "lon": 2.0, "here": True},
        {"name": "</script><script>alert(1)</script>&", "url": "https://h.example/a/h",
         "lat": 3.0, "lon": 4.0, "here": False},
    ]  # fmt: skip


def follow(place: InProcessNode, stand_in: StandIn, path: str, **document: object) -> str:
    """Our place follows an actor of the stand-in, which accepts."""
    actor = stand_in.add_actor(path, **document)
    followed = place.client.post(
        "/actors/coroutine/outbox", json={"type": "Follow", "object": actor},
        headers={"authorization": f"Bearer {place.token('coroutine')}"},
    )  # fmt: skip
    follow_id = followed.json()["id"]
    stand_in.wait_received(lambda b: b["type"] == "Follow" and b["object"] == actor)
    accept = {"id": f"{actor}/accept/1", "type": "Accept", "actor": actor, "object": follow_id}
    assert place.post_signed("/inbox", accept, stand_in.key, f"{actor}#main-key").status_code == 202
    place.wait("SELECT 1 FROM follows WHERE followee = ? AND state = 'accepted'", (actor,))
    return actor


def located(city: str, at: tuple[float, float]) -> dict[str, object]:
    return {"type": "Organization",
            "address": {"type": "PostalAddress", "streetAddress": "1 rue X", "postalCode": "59100",
                        "addressLocality": city},
            "geo": {"type": "GeoCoordinates", "latitude": at[0], "longitude": at[1]}}  # fmt: skip


def test_the_page_lists_the_followed_places_with_their_distance_without_javascript(
    place: InProcessNode, stand_in: StandIn
) -> None:
    empty = place.client.get("/network")
    assert empty.status_code == 200 and "Ce lieu ne suit encore aucun autre lieu." in empty.text
    assert "leaflet.js" not in empty.text  # no map to draw: nothing to load

    data = str(place.config.data_dir)
    assert cli(["place", "--data", data, "--city", "Lille", "--latitude", str(LILLE[0]),
                "--longitude", str(LILLE[1])]) == 0  # fmt: skip
    fabrik = follow(place, stand_in, "/actors/fabrik", name="La Fabrik",
                    url="https://lafabrik.example", **located("Roubaix", ROUBAIX))  # fmt: skip
    follow(place, stand_in, "/actors/paris", name="Le Lieu de Paris", **located("Paris", PARIS))
    follow(place, stand_in, "/actors/camille", name="Camille")  # a person, not a place

    answer = place.client.get("/network", headers={"accept": "text/html"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    page = answer.text
    main = html.unescape(re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1]))
    words = " ".join(main.split())
    assert "La Fabrik 1 rue X, 59100 Roubaix à 11,0 km" in words
    assert words.index("La Fabrik") < words.index("Le Lieu de Paris")
    assert "à 204 km" in words and "Camille" not in words
    assert f'<a href="{fabrik}">La Fabrik</a>' in page
    assert page.count("Site web du lieu") == 1 and 'href="https://lafabrik.example"' in page
    # No map until the place chooses one: its tiles would have visitors call OpenStreetMap.
    assert "<script" not in page.split("<main", 1)[0] and 'id="network-map"' not in page
    assert cli(["place", "--data", data, "--map", "oui"]) == 0
    page = place.client.get("/network", headers={"accept": "text/html"}).text
    # The map: Leaflet and the page's script from this node only, deferred, with the places.
    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"[^>]*>", page)
    assert scripts == ["/static/vendor/leaflet/leaflet.js", "/static/network.js"]
    assert all(" defer " in tag for tag in re.findall(r"<script[^>]*src=[^>]*>", page))
    block = re.search(r'<script type="application/json" id="network-places">(.*?)</script>', page)
    assert block is not None
    assert [p["name"] for p in json.loads(block.group(1))] == [
        "La Coroutine", "La Fabrik", "Le Lieu de Paris"]  # fmt: skip
    assert 'id="network-map"' in page and "hidden" in page.split('id="network-map"')[1][:80]
    # In English when asked; the vendored files are served.
    english = place.client.get("/network", headers={"accept-language": "en"}).text
    assert "11.0 km away" in english
    vendored = ("leaflet.js", "leaflet.css", "images/marker-icon.png", "LICENSE")
    for path in [*(f"/static/vendor/leaflet/{name}" for name in vendored), "/static/network.js"]:
        assert place.client.get(path).status_code == 200, path
