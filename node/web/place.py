"""The place's page: `/`, and its actor id when a browser asks for it.

Name, photo, address with a map link, opening hours, services and prices by autonomy level,
contact, the next events, the open needs, and the box to follow it from a fediverse account.
Metadata for link previews (OpenGraph) and search engines (schema.org JSON-LD), and the agenda's
feeds as alternates.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from ..actors.routes import node_of
from ..directory.hours import opening_hours_fr
from ..directory.place import details
from ..tables import local_actors, objects
from . import i18n
from .render import local_time, render, script_json

NEXT_EVENTS = 5
OPEN_NEEDS = 5

i18n.english(
    {
        "Adresse": "Address",
        "Voir sur la carte": "See on the map",
        "Horaires": "Opening hours",
        "Contact": "Contact",
        "Site web": "Website",
        "Services et tarifs": "Services and prices",
        "Niveau d'autonomie": "Autonomy level",
        "Tarif": "Price",
        "gratuit": "free",
        "Prochains événements": "Next events",
        "Aucun événement à venir pour l'instant.": "No upcoming event for now.",
        "Tout l'agenda": "The whole agenda",
        "Besoins ouverts": "Open needs",
        "Aucun besoin ouvert.": "No open need.",
        "Tous les besoins": "All needs",
        "Intégrer sur votre site": "Embed on your website",
        "Flux de l'agenda": "Agenda feeds",
        "par": "per",
    }
)


def map_link(geo: dict[str, Any] | None, address: dict[str, Any] | None) -> str | None:
    """An OpenStreetMap link to the place: its coordinates, else its address (pure)."""
    if geo and isinstance(geo.get("latitude"), int | float):
        lat, lon = geo["latitude"], geo["longitude"]
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    if address:
        keys = ("streetAddress", "postalCode", "addressLocality")
        text = ", ".join(str(address[k]) for k in keys if address.get(k))
        return f"https://www.openstreetmap.org/search?query={quote(text)}" if text else None
    return None


def price_text(pricing: dict[str, Any], lang: str) -> str:
    """`2,00 € par heure` (pure)."""
    try:
        amount = float(pricing.get("price", 0))
    except (TypeError, ValueError):
        return str(pricing.get("price", ""))
    if amount == 0:
        return i18n.say("gratuit", lang)
    number = f"{amount:.2f}"
    number = number.replace(".", ",") if lang == "fr" else number
    currency = "€" if pricing.get("priceCurrency", "EUR") == "EUR" else pricing["priceCurrency"]
    unit = pricing.get("unitText")
    return f"{number} {currency}" + (f" {i18n.say('par', lang)} {unit}" if unit else "")


def schema_org(name: str, place_id: str, found: dict[str, Any], summary: str) -> str:
    """The place as schema.org JSON-LD, for search engines (pure)."""
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "Organization",
                            "@id": place_id, "name": name, "url": place_id}  # fmt: skip
    if summary:
        data["description"] = summary
    for key in ("address", "geo", "telephone", "email", "openingHours"):
        if key in found:
            value = found[key]
            data[key] = ({("@type" if k == "type" else k): v for k, v in value.items()}
                         if isinstance(value, dict) else value)  # fmt: skip
    return script_json(data)


async def upcoming(request: Request, limit: int) -> list[dict[str, Any]]:
    """The place's next public events (begun and not over counts), soonest first, with their
    local start time."""
    node = node_of(request)
    now = datetime.now(UTC).isoformat()
    rows = await objects.public_events_on(node.store.reads, now, None, limit)
    return [
        {**doc, "start": local_time(doc.get("startTime"), node.config.timezone)}
        for doc in (json.loads(row["document"]) for row in rows)
    ]


async def open_needs(request: Request, limit: int) -> list[dict[str, Any]]:
    """The place's open public needs, soonest due first."""
    rows = await objects.open_public_needs(node_of(request).store.reads, ("open",), limit)
    return [json.loads(row["document"]) for row in rows]


async def page(request: Request) -> Response:
    node = node_of(request)
    row = await local_actors.by_handle(node.store.reads, node.config.handle)
    found = await details(node.store, node.config.handle)
    name = str(row["name"]) if row else node.config.handle
    summary = str(row["summary"]) if row else ""
    hours = found.get("openingHours")
    return await render(
        request, "place.html",
        name=name, summary=summary, found=found,
        hours=opening_hours_fr(hours) if isinstance(hours, str) else None,
        map=map_link(found.get("geo"), found.get("address")),
        photo=(found.get("icon") or {}).get("url"),
        events=await upcoming(request, NEXT_EVENTS),
        needs=await open_needs(request, OPEN_NEEDS),
        price_text=price_text,
        schema=schema_org(name, node.config.place_id, found, summary),
        uri=node.config.place_id,
    )  # fmt: skip
