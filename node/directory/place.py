"""The place's details on its actor: address and geo (schema.org), opening hours, contact,
website, icon, the machines and spaces it offers, and the links to its collections.

The details federate: a change is sent to followers as an `Update` of the place's actor, and
the actor carries them twice — as schema.org terms for linked-data readers, and as Mastodon's
profile fields (`PropertyValue` attachments), which is what a fediverse user actually sees.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from vocab import shapes
from vocab.context import PUBLIC

from ..errors import InvalidActivity
from ..outbox.publish import publish_outgoing
from ..query import graph
from ..routing import Route
from ..sqlite import Connection
from ..store import Store
from ..tables import local_actors, place_details
from ..volunteering import calls as volunteering
from .hours import opening_hours_fr
from .residents import public_profile

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node

# What a place's team may set, and nothing else: the rest of the actor is the node's.
DETAIL_FIELDS = (
    "address", "geo", "openingHours", "email", "telephone", "url", "icon", "offers",
)  # fmt: skip
# The autonomy levels the vocabulary names (`autonomyLevel` in vocab/terms.json), from the most
# accompanied to the most autonomous: the team's form offers them, with any other level the
# place's offers already use.
AUTONOMY_LEVELS = ("découverte", "accompagné", "autonome")
# Mastodon shows at most four profile fields: these are the four a visitor needs first.
_FIELD_NAMES = {"address": "Adresse", "hours": "Horaires", "website": "Site web",
                "contact": "Contact"}  # fmt: skip


def check_details(details: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(details) - set(DETAIL_FIELDS))
    if unknown:
        raise InvalidActivity(
            f"unknown place fields {unknown}",
            fr=f"Champs inconnus : {', '.join(unknown)}. Champs possibles : "
            f"{', '.join(DETAIL_FIELDS)}.",
            en=f"Unknown fields: {', '.join(unknown)}. Possible: {', '.join(DETAIL_FIELDS)}.",
        )
    if "address" in details:
        violations = shapes.check(details["address"], "PostalAddress", prefix="address.")
        if violations:
            raise InvalidActivity(
                "address: " + "; ".join(v.en for v in violations),
                fr=shapes.describe(violations, "PostalAddress", "fr"),
                en=shapes.describe(violations, "PostalAddress", "en"),
            )
        details["address"] = {"type": "PostalAddress", **details["address"]}
    if "geo" in details:
        geo = details["geo"]
        if not isinstance(geo, dict) or not all(
            isinstance(geo.get(k), int | float) for k in ("latitude", "longitude")
        ):
            raise InvalidActivity(
                "geo needs latitude and longitude",
                fr="« geo » attend latitude et longitude en nombres, ex. "
                '{"latitude": 50.63, "longitude": 3.06}.',
                en="'geo' expects numeric latitude and longitude, e.g. {\"latitude\": 50.63, "
                '"longitude": 3.06}.',
            )
        details["geo"] = {"type": "GeoCoordinates", **geo}
    if "url" in details and not _is_web_address(details["url"]):
        raise InvalidActivity(
            "url is not a web address",
            fr="Le site web doit être une adresse complète, ex. https://mon-lieu.fr.",
            en="The website must be a full address, e.g. https://my-place.example.",
        )
    if "icon" in details:
        icon = details["icon"]
        if not isinstance(icon, dict) or not _is_web_address(icon.get("url")):
            raise InvalidActivity(
                "icon needs a url",
                fr="L'image du lieu doit avoir une adresse web (« url »).",
                en="The place's image needs a web address ('url').",
            )
        details["icon"] = {"type": "Image", **icon}
    if "offers" in details:
        details["offers"] = check_offers(details["offers"])
    return details


def check_offers(offers: Any) -> list[dict[str, Any]]:
    """The machines and spaces a place offers, each against the `Offer` shape."""
    if not isinstance(offers, list):
        raise InvalidActivity(
            "offers must be a list",
            fr='« offers » doit être une liste, ex. [{"type": "Equipment", "name": '
            '"Imprimante 3D", "pricing": [...]}].',
            en="'offers' must be a list of machines and spaces.",
        )
    violations = [
        v for i, offer in enumerate(offers) for v in shapes.check(offer, "Offer", f"offers[{i}].")
    ]
    if violations:
        raise InvalidActivity(
            "offers: " + "; ".join(v.en for v in violations),
            fr=shapes.describe(violations, "Offer", "fr"),
            en=shapes.describe(violations, "Offer", "en"),
        )
    return [
        {**offer, "pricing": [{"type": "PriceSpecification", **p} for p in offer["pricing"]]}
        if offer.get("pricing") else offer
        for offer in offers
    ]  # fmt: skip


def _is_web_address(value: Any) -> bool:
    return isinstance(value, str) and re.match(r"^https?://[^\s/]+", value) is not None


def profile_fields(details: dict[str, Any]) -> list[dict[str, str]]:
    """The details as Mastodon profile fields (pure): HTML values, escaped, in French."""
    fields: list[dict[str, str]] = []

    def add(key: str, value_html: str) -> None:
        fields.append({"type": "PropertyValue", "name": _FIELD_NAMES[key], "value": value_html})

    address = details.get("address") or {}
    line = ", ".join(
        part for part in (
            address.get("streetAddress"),
            " ".join(p for p in (address.get("postalCode"), address.get("addressLocality")) if p),
        ) if part
    )  # fmt: skip
    if line:
        add("address", html.escape(line))
    if details.get("openingHours"):
        add("hours", html.escape(opening_hours_fr(str(details["openingHours"]))))
    if details.get("url"):
        url = html.escape(str(details["url"]), quote=True)
        shown = html.escape(re.sub(r"^https?://", "", str(details["url"])).rstrip("/"))
        add("website", f'<a href="{url}" rel="me nofollow noopener noreferrer" '
                       f'target="_blank">{shown}</a>')  # fmt: skip
    contact = [str(details[k]) for k in ("email", "telephone") if details.get(k)]
    if contact:
        add("contact", html.escape(" · ".join(contact)))
    return fields


async def details(store: Store, handle: str) -> dict[str, Any]:
    return await place_details.of(store.reads, handle)


async def save_details(db: Connection, handle: str, new: dict[str, Any]) -> None:
    merged = {**await place_details.of(db, handle), **check_details(new)}
    await place_details.put(db, handle, merged)
    actor = await local_actors.by_handle(db, handle)
    if actor is not None:
        # The place, with its address, in the public graph: "places near Lille" is a pattern.
        document = {"id": actor["id"], "type": "Organization", "name": actor["name"],
                    "to": [PUBLIC], **merged}  # fmt: skip
        await graph.sync(db, actor["id"], document, local=True)


async def home_location(store: Store, actor: LocalActor) -> dict[str, Any] | None:
    """The place as an event location (a `Place` with its postal address), if it has one."""
    place_handle = actor.handle if actor.type == "Organization" else None
    if place_handle is None:
        place_handle = await local_actors.place_handle(store.reads)
    found = await details(store, place_handle) if place_handle else {}
    if not place_handle or "address" not in found:
        return None
    row = await local_actors.by_handle(store.reads, place_handle)
    location: dict[str, Any] = {
        "type": "Place",
        "name": row["name"] if row else place_handle,
        "address": found["address"],
    }
    if "geo" in found:
        location["latitude"] = found["geo"]["latitude"]
        location["longitude"] = found["geo"]["longitude"]
    return location


def collection_links(base_url: str, actor: LocalActor) -> dict[str, str]:
    if actor.type != "Organization":
        return {}
    return {
        "agenda": f"{base_url}/agenda",
        "residents": f"{base_url}/residents",
        "needs": f"{base_url}/needs",
        "pledges": f"{base_url}/pledges",
    }


async def actor_extras(
    node: Node, actor: LocalActor, document: dict[str, Any], network: bool = False
) -> dict[str, Any]:
    """The actor document with the place's details, or a resident's profile: its public
    fields, and its `network` fields too when a place of the network asks (`network`)."""
    base = node.config.base_url
    if actor.type == "Organization":
        found = await details(node.store, actor.handle)
        document.update(found)
        fields = profile_fields(found)
        if fields:
            document["attachment"] = fields
        document.update(collection_links(base, actor))
    else:
        document.update(await public_profile(node.store, actor, network=network))
        # Volunteer hours: public only if the member chose it; the network's by default.
        hours = await volunteering.hours_shown_to(
            node.store, actor, "network" if network else "public"
        )
        if hours:
            document["hoursDone"] = f"{hours:g}"
    return document


async def _actor_update(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    """An actor's Update of itself carries what its document shows to the public: the place's
    details and profile fields, a member's public profile fields (never the network ones)."""
    obj = activity.get("object")
    if isinstance(obj, dict) and obj.get("id") == actor.id:
        activity["object"] = await actor_extras(node, actor, obj)


async def announce_change(node: Node, actor: LocalActor) -> int:
    """Send followers an Update of the actor as it now stands; the number of inboxes queued."""
    out = await publish_outgoing(
        node, actor, {"type": "Update", "object": actor.id, "to": [PUBLIC]}
    )
    return len(out.inboxes)


ACTIVITY_ROUTES = [
    Route("Update", "Organization", on_publish=_actor_update),
    Route("Update", "Person", on_publish=_actor_update),
]
