"""The agenda's outside faces: its collection, participants, `/agenda.ics`, `/agenda.atom`,
one event's `.ics`, the host's answers to pending Joins, and the shared agenda (network.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import tokens
from ..actors import local
from ..actors.local import LocalActor
from ..actors.routes import node_of, paged_by
from ..audience import is_public
from ..errors import InvalidActivity, NotFoundError
from ..incoming import MAX_CLIENT_JSON, read_json
from ..outbox.publish import publish
from ..tables import event_participants, event_requests, objects
from . import event as events
from . import handlers, network

RECENT = timedelta(days=30)  # feeds list what is coming and what just happened


async def public_events(request: Request, recent_only: bool = True) -> list[dict[str, Any]]:
    """The node's own public events, by start time; past ones only if recent."""
    node = node_of(request)
    horizon = datetime.now(UTC) - RECENT
    found = []
    for document in await objects.live_local(node.store.reads, "Event"):
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
    reads = node.store.reads
    return await paged_by(
        request, f"{node.config.base_url}/agenda", partial(objects.count_public, reads, "Event"),
        partial(objects.public_events_page, reads),
    )  # fmt: skip


async def participants(request: Request) -> Response:
    node = node_of(request)
    oid = request.path_params["oid"]
    event_id = f"{node.config.base_url}/objects/{oid}"
    reads = node.store.reads
    return await paged_by(
        request, f"{node.config.base_url}/agenda/{oid}/participants",
        partial(event_participants.count, reads, event_id),
        partial(event_participants.page, reads, event_id),
    )  # fmt: skip


async def _place_name(request: Request) -> str:
    node = node_of(request)
    place = await local.by_handle(node.store, node.config.handle)
    return place.name


async def agenda_ics(request: Request) -> Response:
    node = node_of(request)
    calendar = events.calendar_of(
        f"Agenda — {await _place_name(request)}",
        [(document, None) for document in await public_events(request)],
        node.config.timezone,
    )
    return Response(
        calendar.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f'inline; filename="{node.config.handle}-agenda.ics"'},
    )


async def event_ics(request: Request) -> Response:
    """One public event as a calendar file, for an "add to my calendar" link."""
    node = node_of(request)
    oid = request.path_params["oid"]
    document = await objects.document(node.store.reads, f"{node.config.base_url}/objects/{oid}")
    if document is None or document.get("type") != "Event" or not is_public(document):
        raise NotFoundError(
            f"no public event {oid}",
            fr="Aucun événement public à cette adresse.",
            en="No public event at this address.",
        )
    calendar = events.calendar_of(
        str(document.get("name", "")), [(document, None)], node.config.timezone
    )
    return Response(
        calendar.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f'inline; filename="{oid}.ics"'},
    )


async def _host_event(request: Request) -> tuple[LocalActor, dict[str, Any]]:
    """The event at {oid} and its host, if the bearer token is the host's (the team's)."""
    node = node_of(request)
    event_id = f"{node.config.base_url}/objects/{request.path_params['oid']}"
    document = await objects.local_event(node.store.reads, event_id)
    if document is None:
        raise NotFoundError(
            f"no event {event_id}",
            fr="Aucun événement à cette adresse.",
            en="No event at this address.",
        )
    host = await local.by_id(node.store, str(document.get("attributedTo")))
    await tokens.require(
        node.store, request.headers.get("authorization"), host.handle if host else None,
        fr="Seule l'équipe qui organise l'événement (avec son jeton) répond aux demandes.",
        en="Only the event's host (with its token) answers its requests.",
    )  # fmt: skip
    assert host is not None  # `require` lets no token through for an event with no host here
    return host, document


async def join_requests(request: Request) -> Response:
    """The Joins waiting for the host's answer (host's bearer token)."""
    node = node_of(request)
    _, document = await _host_event(request)
    return JSONResponse(
        {"event": document["id"], "pending": await handlers.pending_requests(node, document["id"])}
    )


async def answer_join(request: Request) -> Response:
    """POST {"actor": …} or {"join": …}, and optionally {"reason": …}, to /accept or /reject:
    the host's Accept or Reject, posted to its outbox as a client would."""
    node = node_of(request)
    host, document = await _host_event(request)
    try:
        body = await read_json(request, MAX_CLIENT_JSON)
    except InvalidActivity:
        body = {}
    if not isinstance(body, dict):
        body = {}
    join_id = body.get("join")
    if join_id is None and isinstance(body.get("actor"), str):
        join_id = await event_requests.join_of(node.store.reads, document["id"], body["actor"])
    if not isinstance(join_id, str):
        raise InvalidActivity(
            "say which Join to answer",
            fr='Indiquez la demande : {"actor": "adresse du participant"} ou {"join": "id"}.',
            en='Say which request: {"actor": "participant URL"} or {"join": "id"}.',
        )
    answer: dict[str, Any] = {
        "type": "Accept" if request.url.path.endswith("/accept") else "Reject",
        "object": join_id,
    }
    if isinstance(body.get("reason"), str) and body["reason"]:
        answer["content"] = body["reason"]
    activity = await publish(node, host, answer)
    return JSONResponse({"answer": activity["id"], "type": activity["type"]}, status_code=201)


async def agenda_atom(request: Request) -> Response:
    node = node_of(request)
    base = node.config.base_url
    feed = events.atom_of(
        f"{base}/agenda", f"Agenda — {await _place_name(request)}", f"{base}/agenda.atom",
        node.config.place_id, [(document, None) for document in await public_events(request)],
    )  # fmt: skip
    return Response(feed, media_type="application/atom+xml; charset=utf-8")


ROUTES = [
    Route("/agenda", agenda_collection),
    Route("/agenda.ics", agenda_ics),
    Route("/agenda.atom", agenda_atom),
    Route("/agenda/{oid}.ics", event_ics),
    Route("/agenda/{oid}/participants", participants),
    Route("/agenda/{oid}/requests", join_requests),
    Route("/agenda/{oid}/accept", answer_join, methods=["POST"]),
    Route("/agenda/{oid}/reject", answer_join, methods=["POST"]),
    *network.ROUTES,
]
