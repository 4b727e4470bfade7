"""The shared agenda: the place's own events and those of the places it follows.

Events of followed places are the copies their deliveries (and the backfill of their outbox)
left in `objects`; a peer's event is shown only while our place follows its author and only if
it is public, so that unfollowing a place takes its events out and nothing addressed to
followers alone is republished to the world. Each event names its place: `attributedTo` in
JSON, ORGANIZER and a `[Place]` prefix in iCalendar, the author in Atom.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vocab.context import DOCUMENT_CONTEXT

from ..actors import local
from ..actors.names import display_name
from ..actors.routes import as_response, node_of
from ..audience import is_public
from ..tables import objects
from . import event as events

if TYPE_CHECKING:
    from ..context import Node

RECENT_DAYS = 30  # as the place's own feeds: what is coming and what just happened
MAX_EVENTS = 500  # a feed, not an archive


async def shared_events(
    node: Node,
    ends_after: datetime | None = None,
    starts_before: datetime | None = None,
    limit: int = MAX_EVENTS,
) -> list[tuple[dict[str, Any], events.Organizer]]:
    """Public events of this node and of the places its place follows, by start time: those not
    over at `ends_after` (by default RECENT_DAYS ago) and begun before `starts_before` (when
    given), at most `limit` (`objects.public_events_on`: events begun up to
    EVENT_LOOK_BACK_DAYS before `ends_after`)."""
    since = ends_after or datetime.now(UTC) - timedelta(days=RECENT_DAYS)
    rows = await objects.public_events_on(
        node.store.reads, since.isoformat(),
        starts_before.isoformat() if starts_before else None, limit, node.config.place_id,
    )  # fmt: skip
    names: dict[str, str] = {}
    found: list[tuple[dict[str, Any], events.Organizer]] = []
    for row in rows:
        document = json.loads(row["document"])
        if not is_public(document):
            continue
        document.pop("@context", None)
        author = str(row["attributed_to"] or document.get("attributedTo") or "")
        document["attributedTo"] = author
        if author not in names:
            names[author] = await display_name(node.store.reads, author)
        found.append((document, events.Organizer(author, names[author])))
    return found


async def shared_choices(node: Node) -> list[tuple[dict[str, Any], events.Organizer]]:
    """The category and place of each event `shared_events` lists by default, each pair once,
    as (a document holding the category alone, its place): the agenda's filters."""
    since = datetime.now(UTC) - timedelta(days=RECENT_DAYS)
    rows = await objects.public_event_authors_and_categories(
        node.store.reads, since.isoformat(), MAX_EVENTS, node.config.place_id
    )
    names: dict[str, str] = {}
    found: list[tuple[dict[str, Any], events.Organizer]] = []
    for row in rows:
        author = str(row["attributed_to"] or "")
        if author not in names:
            names[author] = await display_name(node.store.reads, author)
        category = {} if row["category"] is None else {"category": row["category"]}
        found.append((category, events.Organizer(author, names[author])))
    return found


async def _title(node: Node) -> str:
    place = await local.by_handle(node.store, node.config.handle)
    return f"Agenda partagé — {place.name} et les lieux suivis"


async def network_agenda(request: Request) -> Response:
    node = node_of(request)
    shared = await shared_events(node)
    return as_response(
        request,
        {
            "@context": DOCUMENT_CONTEXT,
            "id": f"{node.config.base_url}/network/agenda",
            "type": "OrderedCollection",
            "name": await _title(node),
            "attributedTo": node.config.place_id,
            "totalItems": len(shared),
            "orderedItems": [document for document, _ in shared],
        },
    )


async def network_ics(request: Request) -> Response:
    node = node_of(request)
    calendar = events.calendar_of(
        await _title(node), await shared_events(node), node.config.timezone
    )
    return Response(
        calendar.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f'inline; filename="{node.config.handle}-reseau.ics"'},
    )


async def network_atom(request: Request) -> Response:
    node = node_of(request)
    base = node.config.base_url
    feed = events.atom_of(
        f"{base}/network/agenda", await _title(node), f"{base}/network/agenda.atom",
        f"{base}/network/agenda", await shared_events(node),
    )  # fmt: skip
    return Response(feed, media_type="application/atom+xml; charset=utf-8")


ROUTES = [
    Route("/network/agenda", network_agenda),
    Route("/network/agenda.ics", network_ics),
    Route("/network/agenda.atom", network_atom),
]
