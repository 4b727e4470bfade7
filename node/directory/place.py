"""The place's details on its actor: address and geo (schema.org), opening hours, contact,
the machines and spaces it offers, and the links to its collections."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import aiosqlite

from vocab import shapes
from vocab.context import PUBLIC

from ..errors import InvalidActivity
from ..query import graph
from ..store import Store

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..app import Node

# What a place's team may set, and nothing else: the rest of the actor is the node's.
DETAIL_FIELDS = ("address", "geo", "openingHours", "email", "telephone", "url", "offers")


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
    return details


async def details(store: Store, handle: str) -> dict[str, Any]:
    row = await store.one("SELECT details FROM place_details WHERE handle = ?", (handle,))
    return json.loads(row[0]) if row else {}


async def save_details(db: aiosqlite.Connection, handle: str, new: dict[str, Any]) -> None:
    async with db.execute("SELECT details FROM place_details WHERE handle = ?", (handle,)) as cur:
        row = await cur.fetchone()
    merged = {**(json.loads(row[0]) if row else {}), **check_details(new)}
    await db.execute(
        "INSERT INTO place_details (handle, details, updated_at) VALUES (?,?,?)"
        " ON CONFLICT(handle) DO UPDATE SET details = excluded.details,"
        " updated_at = excluded.updated_at",
        (handle, json.dumps(merged, ensure_ascii=False), time.time()),
    )
    async with db.execute("SELECT id, name FROM local_actors WHERE handle = ?", (handle,)) as cur:
        actor = await cur.fetchone()
    if actor is not None:
        # The place, with its address, in the public graph: "places near Lille" is a pattern.
        document = {"id": actor[0], "type": "Organization", "name": actor[1], "to": [PUBLIC],
                    **merged}  # fmt: skip
        await graph.sync(db, actor[0], document, local=True)


async def home_location(store: Store, actor: LocalActor) -> dict[str, Any] | None:
    """The place as an event location (a `Place` with its postal address), if it has one."""
    place_handle = actor.handle if actor.type == "Organization" else None
    if place_handle is None:
        row = await store.one("SELECT handle FROM local_actors WHERE type = 'Organization'")
        place_handle = row[0] if row else None
    found = await details(store, place_handle) if place_handle else {}
    if "address" not in found:
        return None
    row = await store.one("SELECT name FROM local_actors WHERE handle = ?", (place_handle,))
    location: dict[str, Any] = {
        "type": "Place",
        "name": row[0] if row else place_handle,
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
    from .residents import public_profile

    base = node.config.base_url
    if actor.type == "Organization":
        document.update(await details(node.store, actor.handle))
        document.update(collection_links(base, actor))
    else:
        document.update(await public_profile(node.store, actor, network=network))
    return document
