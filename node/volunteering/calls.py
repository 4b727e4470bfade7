"""Volunteer calls at their two ends: the calling place and the volunteer's home.

- A place publishes a `VolunteerCall` (name, text, skills of the nomenclature, start and end,
  `volunteersNeeded`), a public object sent to its followers like a need, readable on Mastodon
  as a `Note`. Every node that holds it keeps a `volunteer_calls` row.
- A member answers with an `Offer` whose object is the call, from their own outbox (a member
  of another place from their home node, which holds the call because it follows the place):
  both ends keep a `volunteer_offers` row, idempotent by the Offer's id. A deleted call (its
  object a Tombstone) is no longer listed.
- The place confirms the volunteer with an `Accept` of the Offer; the hours done are recorded
  later with another `Accept` of the same Offer carrying `hoursDone`. The volunteer's home
  takes an Accept only from the calling place.
- Suggestions (`people_for_call`, `calls_for_member`) run `matching`'s pure functions over
  what this node may use: its members' public and network fields (never private ones), and
  the documents it holds of members of the places it follows, as their home served them.
"""

from __future__ import annotations

import html
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from vocab import shapes, skills
from vocab.context import PUBLIC

from ..activity import id_of, on_origin, type_of
from ..actors import local
from ..agenda.event import parse_time, when_fr
from ..audience import is_public
from ..errors import (
    FetchError,
    ForbiddenError,
    InvalidActivity,
    InvalidParameter,
    NotFoundError,
    too_long,
)
from ..fetch import fetch_document
from ..origin import origin_of
from ..outbox.publish import emit
from ..routing import Route
from ..sqlite import Connection
from ..tables import (
    follows,
    local_actors,
    objects,
    place_details,
    profile_fields,
    remote_actors,
    residents,
    volunteer_calls,
    volunteer_offers,
)
from . import matching

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node
    from ..store import Store

log = logging.getLogger(__name__)
CALL = "VolunteerCall"
MAX_LISTED = 200  # calls on a page or in `call list`
MAX_CANDIDATES = 2000  # people read per origin for suggestions
MAX_HOURS = 1000.0  # hours recorded for one offer: more is a typing mistake
MAX_MESSAGE = 2000  # characters of a volunteer's message or a call's text
MAX_TITLE = 300  # as the shape says
MAX_PEOPLE = 1000  # people wanted by one call
MAX_CALL_URL = 2000  # characters of a call's address passed in a link
VISIBILITIES = ("public", "network", "private")


def skill_label(concept: str, lang: str = "fr") -> str:
    found = skills.get(concept)
    return found.label(lang) if found else concept


def _broader(concept: str) -> str | None:
    found = skills.get(concept)
    return found.broader if found else None


def _geo(document: Any) -> tuple[float, float] | None:
    """(latitude, longitude) of a place's document (`geo`) or of a `Place` location."""
    if not isinstance(document, dict):
        return None
    geo = document.get("geo", document)
    if isinstance(geo, dict):
        lat, lon = geo.get("latitude"), geo.get("longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            return (float(lat), float(lon))
    return None


# --- the call as a document (pure) ----------------------------------------------------------


def call_content(call: dict[str, Any], timezone: str) -> str:
    """What a Mastodon user reads of a call: its name, dates, skills, people, text."""
    lines = [f"<p><strong>Appel à bénévoles : {html.escape(str(call['name']))}</strong></p>"]
    facts = [when_fr({**call, "timezone": timezone}),
             f"{call['volunteersNeeded']} personne(s)"]  # fmt: skip
    names = [s.fr for s in (skills.get(v) for v in call.get("skill", [])) if s]
    if names:
        facts.append("compétences : " + ", ".join(names))
    lines.append(f"<p>{html.escape(' · '.join(facts))}</p>")
    if call.get("summary"):
        lines.append(f"<p>{html.escape(str(call['summary']))}</p>")
    return "".join(lines)


def _structured(obj: dict[str, Any]) -> dict[str, Any]:
    """The typed fields without the generated sentence, for the shape check."""
    return {k: v for k, v in obj.items() if k != "content"}


def _moment(text: str, timezone: str, label_fr: str, label_en: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidParameter(
            f"bad {label_en} {text[:40]!r}",
            fr=f"{label_fr} : indiquez une date et une heure, par ex. 2030-06-01T09:00.",
            en=f"{label_en}: give a date and time, e.g. 2030-06-01T09:00.",
        ) from exc
    # Without an offset, the team means the place's local time.
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def call_document(
    title: str,
    text: str,
    chosen: list[str],
    start: str,
    end: str,
    people: str,
    timezone: str,
) -> dict[str, Any]:
    """What the team typed, as the place posts it to its outbox (pure but for the
    nomenclature); InvalidParameter saying what to change."""
    title, text = title.strip(), text.strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidParameter(
            "title",
            fr=f"Donnez un titre à l'appel (de 1 à {MAX_TITLE} caractères).",
            en=f"Give the call a title (1 to {MAX_TITLE} characters).",
        )
    if len(text) > MAX_MESSAGE:
        raise too_long(MAX_MESSAGE, "Le texte", "The text")
    found = [s for s in (skills.get(c) for c in chosen) if s is not None]
    if not found or len(found) != len(chosen):
        raise InvalidParameter(
            "skills",
            fr="Choisissez au moins une compétence dans la nomenclature.",
            en="Choose at least one skill from the nomenclature.",
        )
    starts = _moment(start, timezone, "Début", "Start")
    ends = _moment(end, timezone, "Fin", "End")
    if ends <= starts:
        raise InvalidParameter(
            "end before start",
            fr="La fin de l'appel doit venir après son début.",
            en="The call's end must come after its start.",
        )
    if not people.strip().isdigit() or not 1 <= int(people) <= MAX_PEOPLE:
        raise InvalidParameter(
            "people",
            fr=f"Indiquez le nombre de personnes recherchées, de 1 à {MAX_PEOPLE}.",
            en=f"Give the number of people wanted, from 1 to {MAX_PEOPLE}.",
        )
    call: dict[str, Any] = {
        "type": CALL, "name": title, "skill": list(dict.fromkeys(s.iri for s in found)),
        "startTime": starts.isoformat(), "endTime": ends.isoformat(), "timezone": timezone,
        "volunteersNeeded": int(people), "to": [PUBLIC],
    }  # fmt: skip
    if text:
        call["summary"] = text
    return call


def call_of(row: Any) -> matching.Call:
    document = json.loads(row["document"])
    start, end = parse_time(document.get("startTime")), parse_time(document.get("endTime"))
    assert start is not None and end is not None  # kept only when its shape held
    return matching.Call(
        id=row["id"], name=row["name"], place=row["place"],
        skills=tuple(skills.expand(s) for s in document.get("skill", [])),
        start=start, end=end, geo=_geo(document.get("location")), needed=int(row["needed"]),
    )  # fmt: skip


async def _keep_call(db: Connection, obj: dict[str, Any], author: str) -> None:
    start, end = parse_time(obj.get("startTime")), parse_time(obj.get("endTime"))
    if start is None or end is None:
        return
    await volunteer_calls.keep(
        db, str(obj["id"]), author, str(obj.get("name", "")), json.dumps(obj, ensure_ascii=False),
        start.timestamp(), end.timestamp(), int(obj.get("volunteersNeeded", 1)),
    )  # fmt: skip


# --- activities -----------------------------------------------------------------------------


async def _validate_call(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    if actor.type != "Organization":
        raise ForbiddenError(
            f"{actor.id} is not a place",
            fr="Seul le lieu publie un appel à bénévoles.",
            en="Only the place publishes a volunteer call.",
        )
    violations = shapes.check(_structured(activity["object"]), CALL)
    if violations:  # as agenda.handlers.refuse_if_invalid (not imported: agenda needs us)
        raise InvalidActivity(
            f"{CALL} shape: " + "; ".join(v.en for v in violations),
            fr=shapes.describe(violations, CALL, "fr"),
            en=shapes.describe(violations, CALL, "en"),
        )


async def _published_call(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    obj = activity["object"]
    types = obj["type"] if isinstance(obj["type"], list) else [obj["type"]]
    obj["type"] = [CALL, *[t for t in types if t not in (CALL, f"tl:{CALL}", "Note")], "Note"]
    obj["skill"] = [skills.expand(s) for s in obj.get("skill", [])]
    obj["mediaType"] = "text/html"
    obj["content"] = call_content(obj, node.config.timezone)
    obj.setdefault("location", actor.id)
    if type_of(activity) == "Update":
        await objects.set_document(db, obj["id"], obj, updated_at=None)
    await _keep_call(db, obj, actor.id)


async def _received_call(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    obj = activity["object"]
    sender = str(id_of(activity["actor"]))
    violations = shapes.check(_structured(obj), CALL)
    if violations:
        reasons = "; ".join(v.en for v in violations)
        log.warning("dropping volunteer call %s from %s: %s", obj.get("id"), sender, reasons)
        await objects.drop_received(db, obj.get("id"))
        return
    if not node.config.is_local(sender):
        await _keep_call(db, obj, sender)


# --- a call of a place this node does not follow (answered from its page) -------------------


def unreadable_call(url: str) -> InvalidParameter:
    return InvalidParameter(
        f"{url[:100]!r} is no volunteer call",
        fr="Cet appel à bénévoles n'a pas pu être lu chez son lieu (adresse erronée, appel "
        "retiré ou lieu injoignable) : revenez à sa page et réessayez.",
        en="This volunteer call could not be read at its place (wrong address, call removed or "
        "place unreachable): go back to its page and try again.",
    )


def fetched_call(document: dict[str, Any], url: str) -> tuple[dict[str, Any], str]:
    """A call as its place served it, with its place, or InvalidParameter (pure but for the
    nomenclature): a public VolunteerCall of the shape, by an actor of its own origin."""
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    place = id_of(document.get("attributedTo"))
    if (
        not any(t in (CALL, f"tl:{CALL}") for t in types)
        or not is_public(document)
        or place is None
        or not on_origin(place, url)
        or shapes.check(_structured(document), CALL)
        or parse_time(document.get("startTime")) is None
        or parse_time(document.get("endTime")) is None
    ):
        raise unreadable_call(url)
    return document, place


async def call_at(node: Node, url: str) -> tuple[matching.Call, dict[str, Any]]:
    """The current call at `url`, and its document: the row this node holds, else read from
    its place (signed by ours, with the outgoing guard), whose actor is fetched too so that
    pages can name it. A link's copy is never trusted."""
    url = url.strip()
    if not url or len(url) > MAX_CALL_URL or urlsplit(url).scheme not in ("https", "http"):
        raise unreadable_call(url)
    row: Any = await volunteer_calls.get(node.store.reads, url)
    if row is None and not node.config.is_local(url):
        place = await local.by_handle(node.store, node.config.handle)
        try:
            document = await fetch_document(
                node.http, url, (place.key_id, place.keys.rsa_private), node.directory.knocks
            )
            document, author = fetched_call(document, url)
            await node.directory.get(author)
        except FetchError as error:
            raise unreadable_call(url) from error
        row = {"id": document["id"], "name": str(document.get("name", "")), "place": author,
               "document": json.dumps(document, ensure_ascii=False),
               "needed": int(document.get("volunteersNeeded", 1))}  # fmt: skip
    if row is None:
        raise _not_a_call(url)
    call = call_of(row)
    if call.end.timestamp() <= time.time():
        raise _not_a_call(url)
    return call, json.loads(row["document"])


async def hold(node: Node, url: str) -> None:
    """Keep the call at `url` before a member answers it, when this node does not hold it
    (its place is not followed: the member came from the call's page): the Offer's checks
    and the place's confirmation need the row, as for a call received."""
    if await volunteer_calls.get(node.store.reads, url.strip()) is not None:
        return
    call, document = await call_at(node, url)
    async with node.store.write() as db:
        await _keep_call(db, document, call.place)


def _not_a_call(call_id: object) -> NotFoundError:
    return NotFoundError(
        f"no current volunteer call {call_id}",
        fr="Cet appel à bénévoles n'existe pas ici ou il est terminé : choisissez un appel "
        "de la liste.",
        en="This volunteer call is unknown here or over: choose a call from the list.",
    )


async def _validate_offer(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    """A member's Offer of help: the call must be one this node holds and not over; it goes
    to the calling place. Other Offers (claims, proposals…) are not ours: left alone."""
    call_id = id_of(activity.get("object"))
    if isinstance(activity.get("object"), dict):
        return
    row = await volunteer_calls.get(node.store.reads, str(call_id))
    if row is None:
        if activity.get("tl:offerOfHelp"):
            raise _not_a_call(call_id)
        return
    if row["end_at"] <= time.time():
        raise _not_a_call(call_id)
    mine = await volunteer_offers.of_volunteer(node.store.reads, actor.id)
    if any(o["call"] == row["id"] for o in mine):
        raise InvalidParameter(
            "already offered",
            fr="Vous avez déjà proposé votre aide pour cet appel : le lieu vous répondra.",
            en="You already offered your help for this call: the place will answer.",
        )
    message = activity.get("content", "")
    if not isinstance(message, str) or len(message) > MAX_MESSAGE:
        raise too_long(MAX_MESSAGE, "Votre message", "Your message")
    to = activity.get("to")
    to = [] if to is None else to if isinstance(to, list) else [to]
    activity["to"] = list(dict.fromkeys([*to, row["place"]]))
    activity.pop("tl:offerOfHelp", None)


async def _published_offer(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    row = await volunteer_calls.get(db, str(id_of(activity.get("object"))))
    if row is not None and not isinstance(activity.get("object"), dict):
        await volunteer_offers.offered(db, activity["id"], row["id"], row["place"], actor.id,
                                       str(activity.get("content", ""))[:MAX_MESSAGE])  # fmt: skip


async def _received_offer(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """At the calling place: an offer for one of its calls (another Offer is not ours)."""
    if isinstance(activity.get("object"), dict):
        return
    row = await volunteer_calls.get(db, str(id_of(activity.get("object"))))
    if row is None or row["place"] != node.config.place_id:
        return
    content = activity.get("content")
    message = content[:MAX_MESSAGE] if isinstance(content, str) else ""
    volunteer = str(id_of(activity["actor"]))
    await volunteer_offers.offered(db, activity["id"], row["id"], row["place"], volunteer, message)


def hours_value(value: Any) -> float | None:
    """Hours as the place typed or sent them: a number from 0 to MAX_HOURS, else None."""
    try:
        hours = float(str(value).replace(",", "."))
    except ValueError:
        return None
    return hours if 0 <= hours <= MAX_HOURS else None


async def _accepted(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """At the volunteer's home (or the place itself): the calling place confirmed the offer,
    with the hours done when it recorded them. Only the calling place may."""
    offer_id = id_of(activity.get("object"))
    row = await volunteer_offers.get(db, str(offer_id))
    if row is None or row["place"] != id_of(activity["actor"]):
        return
    hours = hours_value(activity["hoursDone"]) if "hoursDone" in activity else None
    await volunteer_offers.confirm(db, row["id"], hours)


ACTIVITY_ROUTES = [
    *[
        Route(
            verb,
            CALL,
            on_validate=_validate_call,
            on_publish=_published_call,
            on_receive=_received_call,
        )
        for verb in ("Create", "Update")
    ],
    Route(
        "Offer",
        on_validate=_validate_offer,
        on_publish=_published_offer,
        on_receive=_received_offer,
    ),
    Route("Accept", "Offer", on_receive=_accepted),
]


# --- the place's side -----------------------------------------------------------------------


async def _offer_for_place(node: Node, offer_id: str) -> Any:
    row = await volunteer_offers.get(node.store.reads, offer_id)
    if row is None or row["place"] != node.config.place_id:
        raise NotFoundError(
            f"no offer {offer_id} for this place",
            fr="Aucune offre d'aide de ce nom pour les appels du lieu : copiez son adresse "
            "depuis `interlieux call list` ou la page /equipe/appels.",
            en="No such offer of help for the place's calls: copy its address from "
            "`interlieux call list` or the /equipe/appels page.",
        )
    return row


async def answer_offer(node: Node, offer_id: str, hours: float | None = None) -> dict[str, Any]:
    """The place confirms the volunteer (and records `hours` when given): its row, and an
    Accept of the Offer to the volunteer, whose home shows it on their page."""
    row = await _offer_for_place(node, offer_id)
    place = await local.by_handle(node.store, node.config.handle)
    offer = {"id": row["id"], "type": "Offer", "actor": row["volunteer"], "object": row["call"]}
    accept: dict[str, Any] = {"type": "Accept", "actor": place.id, "object": offer,
                              "to": [row["volunteer"]]}  # fmt: skip
    if hours is not None:
        accept["hoursDone"] = f"{hours:g}"
    async with node.store.write() as db:
        await volunteer_offers.confirm(db, row["id"], hours)
        sent = await emit(db, node, place, accept)
    return sent


def check_hours(text: str) -> float:
    hours = hours_value(text.strip())
    if hours is None:
        raise InvalidParameter(
            f"bad hours {text[:20]!r}",
            fr=f"Indiquez les heures faites en nombre, de 0 à {MAX_HOURS:g} (par ex. 3,5).",
            en=f"Give the hours done as a number from 0 to {MAX_HOURS:g} (e.g. 3.5).",
        )
    return hours


async def record_hours(node: Node, offer_id: str, hours: float) -> dict[str, Any]:
    row = await _offer_for_place(node, offer_id)
    if row["state"] != "confirmed":
        raise InvalidParameter(
            "not confirmed",
            fr="Confirmez d'abord cette personne, puis inscrivez ses heures.",
            en="Confirm this person first, then record their hours.",
        )
    return await answer_offer(node, offer_id, hours)


@dataclass(frozen=True)
class Suggestion:
    person: matching.Person
    match: matching.Match


async def _followed_places(store: Store, place_id: str) -> frozenset[str]:
    return frozenset(await follows.accepted_followees(store.reads, place_id))


async def _local_people(
    store: Store, place_id: str, geo: tuple[float, float] | None
) -> list[matching.Person]:
    """The place's own members, with their public and network fields only."""
    people = []
    for row in await local_actors.listing(store.reads):
        if row["type"] != "Person":
            continue
        shown = {
            f["field"]: json.loads(f["value"])
            for f in await profile_fields.of(store.reads, row["handle"])
            if f["visibility"] in ("public", "network")  # private fields are never used
        }
        people.append(matching.Person(
            id=row["id"], name=row["name"], skills=tuple(shown.get("skill") or ()),
            availability=shown.get("availability"), place=place_id, geo=geo,
        ))  # fmt: skip
    return people


def person_of(
    document: dict[str, Any], place: str, geo: tuple[float, float] | None
) -> matching.Person:
    """A remote member as their home served them to this node (public, or network fields
    when this node is a peer): nothing else is known, nothing else is used."""
    found = document.get("skill") or []
    found = found if isinstance(found, list) else [found]
    availability = document.get("availability")
    return matching.Person(
        id=str(document["id"]), name=str(document.get("name") or document["id"]),
        skills=tuple(skills.expand(str(id_of(s))) for s in found if id_of(s)),
        availability=availability if isinstance(availability, str) else None,
        place=str(id_of(document.get("residentOf")) or place), geo=geo,
    )  # fmt: skip


async def _remote_people(store: Store, followed: frozenset[str]) -> list[matching.Person]:
    """The people this node holds on the followed places' origins, each once: one node may
    host several followed places, so the people are read per origin, and each is placed at
    the followed place it says it belongs to (`residentOf`), else the origin's first one."""
    on_origin: dict[str, list[str]] = {}
    for place in sorted(followed):
        on_origin.setdefault(origin_of(place), []).append(place)
    people = []
    for origin, places in on_origin.items():
        geos = {p: _geo(await remote_actors.document(store.reads, p)) for p in places}
        for document in await remote_actors.documents_on(store.reads, origin, MAX_CANDIDATES):
            if type_of(document) == "Person" and isinstance(document.get("id"), str):
                home = id_of(document.get("residentOf"))
                place = home if home in geos else places[0]
                people.append(person_of(document, place, geos[place]))
    return people


async def people_for_call(node: Node, call_id: str) -> list[Suggestion]:
    """The people who fit one of the place's calls, best first: its members and the members
    of the places it follows that this node knows of."""
    row = await volunteer_calls.get(node.store.reads, call_id)
    if row is None:
        raise _not_a_call(call_id)
    place_id = node.config.place_id
    followed = await _followed_places(node.store, place_id)
    geo = _geo(await place_details.of(node.store.reads, node.config.handle))
    people = await _local_people(node.store, place_id, geo)
    people += await _remote_people(node.store, followed)
    call = call_of(row)
    ranked = matching.people_for(call, people, node.config.timezone, _broader, followed)
    return [Suggestion(p, m) for p, m in ranked]


async def calls_for_member(
    node: Node, actor: LocalActor, fields: dict[str, Any] | None = None
) -> tuple[list[tuple[matching.Call, matching.Match]], list[matching.Call]]:
    """(the current calls that fit the member, best first; the other current calls). The
    member's own fields (`member_fields`, unless the caller read them already) are read
    whatever their visibility: only they see this list."""
    if fields is None:
        fields = await member_fields(node, actor.handle)
    place_id = node.config.place_id
    home = await residents.place_of(node.store.reads, actor.id) or place_id
    geo = _geo(await place_details.of(node.store.reads, node.config.handle))
    person = matching.Person(actor.id, actor.name, tuple(fields.get("skill") or ()),
                             fields.get("availability"), home, geo)  # fmt: skip
    rows = await volunteer_calls.current(node.store.reads, time.time(), MAX_LISTED)
    calls = []
    for row in rows:
        call = call_of(row)
        if call.geo is None and call.place != place_id:
            call = matching.Call(**{**call.__dict__, "geo": _geo(
                await remote_actors.document(node.store.reads, call.place))})  # fmt: skip
        calls.append(call)
    followed = await _followed_places(node.store, place_id)
    fitting = matching.calls_for(person, calls, node.config.timezone, _broader, followed)
    chosen = {c.id for c, _ in fitting}
    return fitting, [c for c in calls if c.id not in chosen]


async def member_fields(node: Node, handle: str) -> dict[str, Any]:
    """The member's profile fields, every visibility: field -> value."""
    return {f["field"]: json.loads(f["value"])
            for f in await profile_fields.of(node.store.reads, handle)}  # fmt: skip


# --- the volunteer's page -------------------------------------------------------------------


def check_visibility(value: str) -> str:
    if value not in VISIBILITIES:
        raise InvalidParameter(
            f"unknown visibility {value[:20]!r}",
            fr="Choisissez qui voit vos heures : tout le monde, les lieux du réseau, ou vous "
            "seul·e.",
            en="Choose who sees your hours: everyone, the network's places, or only you.",
        )
    return value


async def show_hours(node: Node, handle: str, visibility: str) -> None:
    """The member chooses who sees their volunteer hours on their page."""
    async with node.store.write() as db:
        await volunteer_offers.set_shown(db, handle, check_visibility(visibility))


async def hours_shown_to(store: Store, actor: LocalActor, audience: str) -> float | None:
    """The member's volunteer hours if `audience` (public, network) may see them."""
    visibility = await volunteer_offers.shown(store.reads, actor.handle)
    if visibility == "private" or (visibility == "network" and audience == "public"):
        return None
    return await volunteer_offers.hours_of(store.reads, actor.id)
