"""The network's page (`/network`): the places this node follows, as a list with their
distance from this place, and on a map.

The list is the page: it reads with no JavaScript and no map tiles. The map (Leaflet, vendored
in `static/vendor/leaflet/`, with OpenStreetMap tiles) is added by `static/network.js` from the
places written in a `<script type="application/json">` block, and takes itself away when the
tiles cannot load. Distances are great-circle distances (haversine) from the place's own `geo`.

The places are those our place follows and that accepted (`follows`), read from their actor
documents as last fetched (`remote_actors`): name, address, `geo`, web address. A followed
place's document is a peer's text: every value is checked before it is shown or put on the map.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..actors.routes import node_of
from ..context import Node
from ..directory.place import details
from ..tables import follows, local_actors, place_settings, remote_actors
from . import i18n
from .render import render, script_json

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG): the haversine's sphere

i18n.english(
    {
        "Le réseau": "The network",
        "Les lieux que {name} suit, du plus proche au plus lointain.": (
            "The places {name} follows, nearest first."
        ),
        "Carte des lieux": "Map of the places",
        "La carte n'a pas pu se charger : la liste ci-dessous donne tous les lieux.": (
            "The map could not load: the list below gives every place."
        ),
        "Lieux suivis": "Followed places",
        "Ce lieu ne suit encore aucun autre lieu.": "This place follows no other place yet.",
        "à {km} km": "{km} km away",
        "distance inconnue": "distance unknown",
        "Ce lieu": "This place",
        "Site web du lieu": "The place's website",
        "L'agenda du réseau": "The network's agenda",
        "Les distances sont à vol d'oiseau, depuis {name}.": (
            "Distances are as the crow flies, from {name}."
        ),
        "{name} n'a pas indiqué ses coordonnées : les distances ne sont pas calculées.": (
            "{name} has not given its coordinates: distances are not computed."
        ),
    }
)


@dataclass(frozen=True)
class Place:
    """A place as the network page shows it."""

    id: str
    name: str
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    website: str | None = None
    distance_km: float | None = None

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in km between two points in decimal degrees (pure)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def coordinates(geo: Any) -> tuple[float, float] | None:
    """Latitude and longitude from a schema.org `geo`, if they are numbers on Earth (pure)."""
    if not isinstance(geo, dict):
        return None
    lat, lon = geo.get("latitude"), geo.get("longitude")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None
    if isinstance(lat, bool) or isinstance(lon, bool):
        return None
    latitude, longitude = float(lat), float(lon)
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _web(value: Any) -> str | None:
    # Only http(s): a peer's `javascript:` address never becomes a link.
    text = _text(value)
    return text if text and text.lower().startswith(("https://", "http://")) else None


def place_of(document: dict[str, Any], details_: dict[str, Any] | None = None) -> Place:
    """A place from its actor document (a followed place's, or ours with its details) (pure)."""
    found = {**document, **(details_ or {})}
    given = found.get("address")
    address: dict[str, Any] = given if isinstance(given, dict) else {}
    located = coordinates(found.get("geo"))
    actor_id = str(found.get("id", ""))
    # An actor's `url` is its own profile unless the place gave its website there.
    website = _web(found.get("url"))
    return Place(
        id=actor_id,
        name=_text(found.get("name")) or _text(found.get("preferredUsername")) or actor_id,
        street=_text(address.get("streetAddress")),
        postal_code=_text(address.get("postalCode")),
        city=_text(address.get("addressLocality")),
        latitude=located[0] if located else None,
        longitude=located[1] if located else None,
        website=website if website != actor_id else None,
    )


def with_distances(here: Place, places: list[Place]) -> list[Place]:
    """The places with their distance from `here`, nearest first, the unlocated last (pure)."""
    measured = []
    for place in places:
        distance = None
        if here.located and place.located:
            assert here.latitude is not None and here.longitude is not None
            assert place.latitude is not None and place.longitude is not None
            distance = haversine_km(here.latitude, here.longitude, place.latitude, place.longitude)
        measured.append(Place(**{**asdict(place), "distance_km": distance}))
    return sorted(measured, key=lambda p: (p.distance_km is None, p.distance_km or 0, p.name))


def kilometres(distance: float, lang: str) -> str:
    """`10,9` (fr) / `10.9` (en); whole kilometres past 100 (pure)."""
    text = f"{distance:.0f}" if distance >= 100 else f"{distance:.1f}"
    return text.replace(".", ",") if lang == "fr" else text


def map_data(here: Place, places: list[Place]) -> str:
    """The located places for the map, as JSON safe inside a `<script>` element (pure)."""
    data = [
        {"name": p.name, "url": p.id, "lat": p.latitude, "lon": p.longitude, "here": p is here}
        for p in [here, *places]
        if p.located
    ]
    return script_json(data)


async def this_place(node: Node) -> Place:
    """Our own place, with its details."""
    row = await local_actors.by_handle(node.store.reads, node.config.handle)
    name = str(row["name"]) if row else node.config.handle
    found = await details(node.store, node.config.handle)
    return place_of({"id": node.config.place_id, "name": name}, found)


async def followed_places(node: Node) -> list[Place]:
    """The places our place follows (accepted), as their documents last said."""
    reads = node.store.reads
    found = []
    for followee in await follows.accepted_followees(reads, node.config.place_id):
        document = await remote_actors.document(reads, followee)
        if document is None:
            continue
        kinds = document.get("type")
        if "Organization" not in (kinds if isinstance(kinds, list) else [kinds]):
            continue  # a person our place follows is not a place of the network
        found.append(place_of({**document, "id": followee}))
    return found


async def page(request: Request) -> Response:
    node = node_of(request)
    here = await this_place(node)
    places = with_distances(here, await followed_places(node))
    # Visitors' browsers call no other host unless the place chose the map (its tiles).
    shown = await place_settings.value(node.store.reads, place_settings.MAP) == "oui"
    return await render(
        request, "network.html",
        here=here, places=places, map_data=map_data(here, places), kilometres=kilometres,
        map_on=shown and bool(places),
    )  # fmt: skip
