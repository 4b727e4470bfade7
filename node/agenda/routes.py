"""The agenda's outside faces: its collection, participants, `/agenda.ics`, `/agenda.atom`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from feedgen.feed import FeedGenerator
from icalendar import Calendar
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..actors import local
from ..actors.routes import node_of, paged
from ..query.graph import is_public
from . import event as events
from . import handlers  # noqa: F401  (registers the agenda's dispatch hooks)

RECENT = timedelta(days=30)  # feeds list what is coming and what just happened


async def public_events(request: Request, recent_only: bool = True) -> list[dict[str, Any]]:
    """The node's own public events, by start time; past ones only if recent."""
    node = node_of(request)
    rows = await node.store.all(
        "SELECT document FROM objects WHERE local = 1 AND type = 'Event' AND deleted_at IS NULL"
    )
    horizon = datetime.now(UTC) - RECENT
    found = []
    for row in rows:
        document = json.loads(row[0])
        if not is_public(document):
            continue
        ends = events.parse_time(document.get("endTime") or document.get("startTime"))
        if recent_only and ends is not None and ends < horizon:
            continue
        found.append(document)
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda d: events.parse_time(d.get("startTime")) or far)


async def agenda_collection(request: Request) -> Response:
    node = node_of(request)
    where = (
        "FROM objects WHERE local = 1 AND type = 'Event' AND deleted_at IS NULL AND"
        " EXISTS (SELECT 1 FROM json_each(document, '$.to') WHERE value LIKE '%#Public')"
    )
    return await paged(
        request, f"{node.config.base_url}/agenda", f"SELECT COUNT(*) {where}",
        f"SELECT document {where} ORDER BY json_extract(document, '$.startTime') DESC", (),
    )  # fmt: skip


async def participants(request: Request) -> Response:
    node = node_of(request)
    oid = request.path_params["oid"]
    event_id = f"{node.config.base_url}/objects/{oid}"
    where = "FROM event_participants WHERE event_id = ?"
    return await paged(
        request, f"{node.config.base_url}/agenda/{oid}/participants",
        f"SELECT COUNT(*) {where}", f"SELECT actor {where} ORDER BY created_at", (event_id,),
    )  # fmt: skip


async def _place_name(request: Request) -> str:
    node = node_of(request)
    place = await local.by_handle(node.store, node.config.handle)
    return place.name


async def agenda_ics(request: Request) -> Response:
    node = node_of(request)
    calendar = Calendar()
    calendar.add("prodid", "-//Interlieux//agenda//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Agenda — {await _place_name(request)}")
    calendar.add("x-wr-timezone", events.DEFAULT_TIMEZONE)
    for document in await public_events(request):
        calendar.add_component(events.event_to_ical(document))
    return Response(
        calendar.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f'inline; filename="{node.config.handle}-agenda.ics"'},
    )


async def agenda_atom(request: Request) -> Response:
    node = node_of(request)
    base = node.config.base_url
    feed = FeedGenerator()
    feed.id(f"{base}/agenda")
    feed.title(f"Agenda — {await _place_name(request)}")
    feed.link(href=f"{base}/agenda.atom", rel="self")
    feed.link(href=node.config.place_id, rel="alternate")
    feed.language("fr")
    latest = datetime.fromtimestamp(0, UTC)
    for document in await public_events(request):
        entry = feed.add_entry(order="append")
        entry.id(document["id"])
        entry.title(document.get("name", ""))
        entry.link(href=document.get("url") or document["id"])
        entry.summary(document.get("summary") or events.summary_fr(document))
        if document.get("content"):
            entry.content(document["content"], type="html")
        updated = events.parse_time(document.get("updated") or document.get("published"))
        updated = updated or datetime.now(UTC)
        entry.published(events.parse_time(document.get("published")) or updated)
        entry.updated(updated)
        latest = max(latest, updated)
    feed.updated(latest)
    return Response(feed.atom_str(pretty=True), media_type="application/atom+xml; charset=utf-8")


ROUTES = [
    Route("/agenda", agenda_collection),
    Route("/agenda.ics", agenda_ics),
    Route("/agenda.atom", agenda_atom),
    Route("/agenda/{oid}/participants", participants),
]
