"""The agenda's pages: the place's events and the network's, by week or by month, filtered by
category (and, on the network's, by place); and each event's page at its id.

A period is read from `?view=week|month&from=YYYY-MM-DD` (the week from its Monday, the month
from its first day) and laid out in the place's time zone, one heading per day. An event's page
shows what a visitor needs to come: when, where (with a map), how many places are left, a box to
take part from a fediverse account, and the one event's `.ics`. The event's `content` is HTML
written by a client or a peer: the page shows its text only, never its markup.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..actors import local
from ..actors.routes import node_of
from ..agenda import event as events
from ..agenda import network
from ..audience import is_public
from ..errors import InterlieuxError
from ..origin import origin_of
from ..outbox.publish import publish
from ..tables import event_participants, event_requests, objects
from . import i18n
from .gate import checked_form, refused
from .place import map_link
from .render import DAYS, MONTHS, language, local_time, render, script_json
from .visitor import RemoteVisitor, Visitor, visiting

VIEWS = ("week", "month")
DEFAULT_VIEW = "month"  # a place holds a few events a week: a month shows what is coming
FIRST_YEAR, LAST_YEAR = 1970, 9000  # the dates a period may start from; others are today
DESCRIPTION_PREVIEW = 200  # characters of the description in a link preview
PERIOD_EVENTS = 1000  # events a week or a month shows at most (a place holds a few a week)

# Mobilizon's event categories (its `category`, upper case there, lower case in older events),
# and the ones tiers-lieux use most, in French; another text is shown as the peer wrote it.
CATEGORIES = {
    "arts": "Arts",
    "auto_boat_air": "Auto, bateau, avion",
    "book_clubs": "Clubs de lecture",
    "business": "Entrepreneuriat",
    "causes": "Causes",
    "comedy": "Humour",
    "community": "Vie locale",
    "crafts": "Artisanat",
    "family_education": "Famille et éducation",
    "fashion_beauty": "Mode et beauté",
    "film_media": "Cinéma et médias",
    "food_drink": "Cuisine et boissons",
    "games": "Jeux",
    "health": "Santé",
    "language_culture": "Langues et cultures",
    "learning": "Apprentissage",
    "lgbtq": "LGBTQ+",
    "meeting": "Réunion",
    "movements_politics": "Mouvements et politique",
    "music": "Musique",
    "networking": "Rencontres professionnelles",
    "outdoors_adventure": "Plein air",
    "party": "Fête",
    "performing_visual_arts": "Spectacle et arts visuels",
    "pets": "Animaux",
    "photography": "Photographie",
    "repair": "Réparation",
    "science_tech": "Sciences et techniques",
    "spirituality_religion_beliefs": "Spiritualité",
    "sports": "Sports",
    "theatre": "Théâtre",
    "workshop": "Atelier",
}

i18n.english(
    {
        "Arts": "Arts",
        "Auto, bateau, avion": "Cars, boats, planes",
        "Clubs de lecture": "Book clubs",
        "Entrepreneuriat": "Business",
        "Causes": "Causes",
        "Humour": "Comedy",
        "Vie locale": "Community",
        "Artisanat": "Crafts",
        "Famille et éducation": "Family and education",
        "Mode et beauté": "Fashion and beauty",
        "Cinéma et médias": "Film and media",
        "Cuisine et boissons": "Food and drink",
        "Jeux": "Games",
        "Santé": "Health",
        "Langues et cultures": "Languages and cultures",
        "Apprentissage": "Learning",
        "LGBTQ+": "LGBTQ+",
        "Réunion": "Meeting",
        "Mouvements et politique": "Movements and politics",
        "Musique": "Music",
        "Rencontres professionnelles": "Networking",
        "Plein air": "Outdoors",
        "Fête": "Party",
        "Spectacle et arts visuels": "Performing and visual arts",
        "Animaux": "Pets",
        "Photographie": "Photography",
        "Réparation": "Repair",
        "Sciences et techniques": "Science and technology",
        "Spiritualité": "Spirituality",
        "Sports": "Sports",
        "Théâtre": "Theatre",
        "Atelier": "Workshop",
        "Agenda du lieu": "The place's agenda",
        "Agenda du réseau": "The network's agenda",
        "Ce lieu": "This place",
        "Le réseau": "The network",
        "Quel agenda": "Which agenda",
        "Catégorie": "Category",
        "Toutes les catégories": "All categories",
        "Lieu": "Place",
        "Tous les lieux": "All places",
        "Filtrer": "Filter",
        "Afficher": "Show",
        "Semaine": "Week",
        "Mois": "Month",
        "Périodes": "Periods",
        "Semaine précédente": "Previous week",
        "Semaine suivante": "Next week",
        "Mois précédent": "Previous month",
        "Mois suivant": "Next month",
        "Aujourd'hui": "Today",
        "Aucun événement sur cette période.": "No event in this period.",
        "Complet": "Full",
        "S'abonner à cet agenda": "Subscribe to this agenda",
        "Quand": "When",
        "Où": "Where",
        "Places": "Places",
        "Organisé par": "Organised by",
        "Description": "Description",
        "Ajouter à mon agenda": "Add to my calendar",
        "Participer": "Take part",
        "Cet événement est complet.": "This event is full.",
        "Cet événement est passé.": "This event is over.",
        "L'équipe du lieu confirme chaque participation.": (
            "The place's team confirms each participant."
        ),
        "Sur invitation seulement.": "By invitation only.",
        "Tout l'agenda": "The whole agenda",
        "Vous participez à cet événement.": "You are taking part in this event.",
        "Votre demande de participation attend la réponse de l'équipe du lieu.": (
            "Your request to take part awaits the place's team's answer."
        ),
        "Votre participation est envoyée : elle s'affichera ici dès que le lieu l'aura reçue.": (
            "Your participation was sent: it will show here as soon as the place has received it."
        ),
        "Votre lieu vous demandera de confirmer.": "Your place will ask you to confirm.",
        "Se connecter pour participer": "Sign in to take part",
    }
)


@dataclass(frozen=True)
class Period:
    """The days an agenda page shows: from `first` to the day before `end`."""

    view: str
    first: date
    end: date

    @property
    def previous(self) -> date:
        if self.view == "week":
            return self.first - timedelta(days=7)
        return (self.first - timedelta(days=1)).replace(day=1)


def period(view: str | None, start: str | None, today: date) -> Period:
    """The week (from Monday) or the month holding `start`, else today; an unknown view or an
    unreadable date is the default rather than an error, as a hand-typed link may be (pure)."""
    chosen = view if view in VIEWS else DEFAULT_VIEW
    try:
        day = date.fromisoformat(start) if start else today
    except ValueError:
        day = today
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        day = today  # year 1 or 9999 would run past what dates can hold, a step away
    if chosen == "week":
        first = day - timedelta(days=day.weekday())
        return Period(chosen, first, first + timedelta(days=7))
    first = day.replace(day=1)
    end = (first + timedelta(days=32)).replace(day=1)
    return Period(chosen, first, end)


def period_title(shown: Period, lang: str) -> str:
    """`Semaine du 30 novembre au 6 décembre 2026`, `Décembre 2026` (pure)."""
    months = MONTHS[lang]
    if shown.view == "month":
        return f"{months[shown.first.month - 1].capitalize()} {shown.first.year}"
    last = shown.end - timedelta(days=1)
    start = f"{shown.first.day} {months[shown.first.month - 1]}"
    if shown.first.year != last.year:
        start += f" {shown.first.year}"
    stop = f"{last.day} {months[last.month - 1]} {last.year}"
    return f"Week of {start} – {stop}" if lang == "en" else f"Semaine du {start} au {stop}"


def clock(moment: datetime, lang: str) -> str:
    """`18 h 00` / `18:00` (pure)."""
    return f"{moment:%H:%M}" if lang == "en" else f"{moment.hour} h {moment.minute:02d}"


def span(start: datetime | None, end: datetime | None, lang: str, with_day: bool = True) -> str:
    """`jeudi 14 mars 2030 à 18 h 00 – 20 h 00`, or the hours alone (pure); an end on another
    day names that day."""
    if start is None:
        return ""
    text = (f"{DAYS[lang][start.weekday()]} {start.day} {MONTHS[lang][start.month - 1]} "
            f"{start.year}{', ' if lang == 'en' else ' à '}") if with_day else ""  # fmt: skip
    text += clock(start, lang)
    if end is None or end <= start:
        return text
    if end.date() == start.date():
        return f"{text} – {clock(end, lang)}"
    other = f"{DAYS[lang][end.weekday()]} {end.day} {MONTHS[lang][end.month - 1]}"
    return f"{text} – {other}{', ' if lang == 'en' else ' à '}{clock(end, lang)}"


def category_key(event: dict[str, Any]) -> str | None:
    """The event's category as a filter value: `WORKSHOP` and `workshop` are one (pure)."""
    value = event.get("category")
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().casefold().replace(" ", "_").replace("-", "_")


def category_label(event: dict[str, Any]) -> str | None:
    """The category in French, or as written when it is not one of Mobilizon's (pure)."""
    key = category_key(event)
    if key is None:
        return None
    return CATEGORIES.get(key) or str(event["category"]).strip()


def places_left(remaining: int | None, capacity: int | None, lang: str) -> str | None:
    """`3 places restantes sur 12` (pure); None when the event has no limit."""
    if capacity is None or remaining is None:
        return None
    if remaining <= 0:
        return i18n.say("Complet", lang)
    plural = "s" if remaining > 1 else ""
    if lang == "en":
        return f"{remaining} place{plural} left of {capacity}"
    return f"{remaining} place{plural} restante{plural} sur {capacity}"


_HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(p|div|li|h[1-6]|blockquote|pre|ul|ol)\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>?")


def paragraphs(content: Any) -> list[str]:
    """The text of an event's HTML description, paragraph by paragraph (pure).

    Markup from a peer or a client is never inserted into the page: tags go, what scripts and
    styles hold goes with them, entities become characters that the template escapes again."""
    if not isinstance(content, str):
        return []
    text = _HIDDEN.sub(" ", content)
    text = _BREAK.sub("\n", text)
    text = _BLOCK_END.sub("\n\n", text)
    text = html.unescape(_TAG.sub(" ", text))
    found = []
    for block in re.split(r"\n\s*\n", text):
        lines = [" ".join(line.split()) for line in block.splitlines()]
        kept = "\n".join(line for line in lines if line)
        if kept:
            found.append(kept)
    return found


def schema_org(event: dict[str, Any], organizer: events.Organizer | None, description: str) -> str:
    """The event as schema.org JSON-LD, safe inside a `<script>` element (pure)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Event", "@id": event["id"],
        "name": str(event.get("name", "")), "url": event.get("url") or event["id"],
        "startDate": event.get("startTime"),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "eventStatus": "https://schema.org/EventScheduled",
    }  # fmt: skip
    if event.get("endTime"):
        data["endDate"] = event["endTime"]
    if description:
        data["description"] = description
    location = event.get("location")
    if isinstance(location, dict):
        place: dict[str, Any] = {"@type": "Place"}
        if location.get("name"):
            place["name"] = location["name"]
        address = location.get("address")
        if isinstance(address, dict):
            keys = ("streetAddress", "postalCode", "addressLocality", "addressCountry")
            place["address"] = {"@type": "PostalAddress",
                                **{k: address[k] for k in keys if address.get(k)}}  # fmt: skip
        geo = location.get("geo")
        if isinstance(geo, dict) and "latitude" in geo and "longitude" in geo:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": geo["latitude"],
                            "longitude": geo["longitude"]}  # fmt: skip
        data["location"] = place
    if organizer is not None:
        data["organizer"] = {"@type": "Organization", "name": organizer.name,
                             "url": organizer.id}  # fmt: skip
    for key in ("maximumAttendeeCapacity", "remainingAttendeeCapacity"):
        if isinstance(event.get(key), int) and event.get("maximumAttendeeCapacity"):
            data[key] = event[key]
    return script_json(data)


def preview(text: str) -> str:
    """The start of a description for a link preview, cut between words (pure)."""
    if len(text) <= DESCRIPTION_PREVIEW:
        return text
    return text[:DESCRIPTION_PREVIEW].rsplit(" ", 1)[0] + " …"


def _web_link(value: Any) -> str | None:
    """A peer's id as a link, only if it is one (no `javascript:` from a peer's document)."""
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def _capacity(event: dict[str, Any]) -> tuple[int | None, int | None]:
    capacity = event.get("maximumAttendeeCapacity")
    if not isinstance(capacity, int) or capacity <= 0:
        return None, None
    remaining = event.get("remainingAttendeeCapacity")
    return (remaining if isinstance(remaining, int) else capacity), capacity


Items = list[tuple[dict[str, Any], events.Organizer | None]]  # events, each with its place


@dataclass(frozen=True)
class Listed:
    """One event as an agenda page lists it."""

    href: str | None
    name: str
    start_time: str
    start: datetime
    hours: str
    place: str | None
    place_id: str | None
    category: str | None
    category_label: str | None
    full: bool


def bounds(shown: Period, timezone: str) -> tuple[datetime, datetime]:
    """The period's first and end instants in the place's time zone (pure)."""
    zone = ZoneInfo(timezone)
    opens = datetime(shown.first.year, shown.first.month, shown.first.day, tzinfo=zone)
    return opens, datetime(shown.end.year, shown.end.month, shown.end.day, tzinfo=zone)


def listed(
    items: list[tuple[dict[str, Any], events.Organizer | None]],
    shown: Period,
    timezone: str,
    lang: str,
) -> list[tuple[date, list[Listed]]]:
    """The events that take place in the period, by local day, soonest first (pure): an event
    begun before the period and still running is listed on its first day."""
    opens, closes = bounds(shown, timezone)
    days: dict[date, list[Listed]] = {}
    for event, organizer in items:
        start = local_time(events.parse_time(event.get("startTime")), timezone)
        if start is None or start.tzinfo is None:
            continue
        end = local_time(events.parse_time(event.get("endTime")), timezone)
        if start >= closes or (end or start) < opens:
            continue
        remaining, _ = _capacity(event)
        day = max(start.date(), shown.first)
        days.setdefault(day, []).append(
            Listed(
                href=_web_link(event.get("id")),
                name=str(event.get("name", "")),
                start_time=str(event.get("startTime")),
                start=start,
                hours=span(start, end, lang, with_day=False),
                place=organizer.name if organizer else None,
                place_id=organizer.id if organizer else None,
                category=category_key(event),
                category_label=category_label(event),
                full=remaining == 0,
            )
        )
    return [(day, sorted(days[day], key=lambda e: e.start)) for day in sorted(days)]


def _query(**params: str | None) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v})


def _shown(request: Request) -> Period:
    timezone = node_of(request).config.timezone
    today = datetime.now(ZoneInfo(timezone)).date()
    return period(request.query_params.get("view"), request.query_params.get("from"), today)


async def _agenda(
    request: Request,
    items: list[tuple[dict[str, Any], events.Organizer | None]],
    shared: bool,
    choices: list[tuple[dict[str, Any], events.Organizer | None]] | None = None,
) -> Response:
    """The agenda's page of `items`; its filters offer the categories and places of `choices`
    (the items when not given)."""
    node = node_of(request)
    lang = language(request)
    timezone = node.config.timezone
    asked = request.query_params
    shown = _shown(request)
    choices = items if choices is None else choices
    categories = sorted(
        {key: label for e, _ in choices
         if (key := category_key(e)) and (label := category_label(e))}.items(),
        key=lambda pair: i18n.say(pair[1], lang).casefold(),
    )  # fmt: skip
    places = sorted({o.id: o.name for _, o in choices if o}.items(),
                    key=lambda p: p[1].casefold())  # fmt: skip
    category = asked.get("category") or None
    place = (asked.get("place") or None) if shared else None
    chosen = [
        (e, o) for e, o in items
        if (category is None or category_key(e) == category)
        and (place is None or (o is not None and o.id == place))
    ]  # fmt: skip
    base = "/network/agenda" if shared else "/agenda"

    def link(view: str, first: date | None) -> str:
        return _query(view=view, category=category, place=place,
                      **{"from": first.isoformat() if first else None})  # fmt: skip

    return await render(
        request, "agenda.html",
        shared=shared, base=base,
        heading="Agenda du réseau" if shared else "Agenda du lieu",
        period=shown, title=period_title(shown, lang),
        days=listed(chosen, shown, timezone, lang),
        categories=categories, places=places, category=category, place=place,
        previous=link(shown.view, shown.previous), next=link(shown.view, shown.end),
        today=link(shown.view, None),
        week=link("week", shown.first), month=link("month", shown.first),
    )  # fmt: skip


async def page(request: Request) -> Response:
    """`/agenda` in a browser: the place's public events of the period, at most
    PERIOD_EVENTS; its filter offers every category of the place's public events."""
    node = node_of(request)
    reads = node.store.reads
    opens, closes = bounds(_shown(request), node.config.timezone)
    rows = await objects.public_events_on(
        reads, opens.isoformat(), closes.isoformat(), PERIOD_EVENTS
    )
    found: Items = [(json.loads(row["document"]), None) for row in rows]
    # The categories alone, read apart from the events (the filter lists them all).
    categories: Items = [({"category": c}, None)
                         for c in await objects.public_event_categories(reads)]  # fmt: skip
    return await _agenda(request, found, False, categories)


async def network_page(request: Request) -> Response:
    """`/network/agenda` in a browser: the place's events of the period and those of the places
    it follows; its filters offer the places and categories of the shared agenda's feed."""
    node = node_of(request)
    opens, closes = bounds(_shown(request), node.config.timezone)
    shared = await network.shared_events(node, opens, closes, PERIOD_EVENTS)
    choices = await network.shared_choices(node)
    return await _agenda(request, [(e, o) for e, o in shared], True, [(e, o) for e, o in choices])


async def event_page(request: Request, event: dict[str, Any]) -> Response:
    """An event's id in a browser (`objects.KINDS`): a public event of this node."""
    node = node_of(request)
    lang = language(request)
    timezone = node.config.timezone
    start = local_time(events.parse_time(event.get("startTime")), timezone)
    end = local_time(events.parse_time(event.get("endTime")), timezone)
    host = await local.by_id(node.store, str(event.get("attributedTo")))
    organizer = events.Organizer(host.id, host.name) if host else None
    remaining, capacity = _capacity(event)
    if capacity is not None:
        # The participants the node keeps, not a count a client's Update may have left stale.
        taken = await event_participants.count(node.store.reads, event["id"])
        remaining = max(capacity - taken, 0)
    text = paragraphs(event.get("content"))
    description = " ".join(" ".join(text).split())
    location = event.get("location") if isinstance(event.get("location"), dict) else {}
    assert isinstance(location, dict)
    address = location.get("address") if isinstance(location.get("address"), dict) else None
    ends = events.parse_time(event.get("endTime") or event.get("startTime"))
    shown = {**event, "remainingAttendeeCapacity": remaining} if capacity else event
    oid = event["id"].rsplit("/", 1)[-1]
    who = await visiting(request)
    actor = _actor_of(request, who) if who is not None else None
    taking_part = actor is not None and await event_participants.takes_part(
        node.store.reads, event["id"], actor
    )
    # A restricted event's Join waits for the team: said, rather than offering it again.
    waiting = False
    if actor is not None and not taking_part:
        waiting = await event_requests.join_of(node.store.reads, event["id"], actor) is not None
    return await render(
        request, "event.html", who=who, taking_part=taking_part, waiting=waiting,
        sent=request.query_params.get("participation") == "envoyee",
        event=event, name=str(event.get("name", "")),
        when=span(start, end, lang), location=location, address=address,
        map=map_link(location.get("geo"), address),
        category=category_label(event), places=places_left(remaining, capacity, lang),
        full=remaining == 0, over=ends is not None and ends < datetime.now(UTC),
        join_mode=event.get("joinMode", "free"), organizer=organizer, paragraphs=text,
        preview=preview(description) or event.get("summary") or events.summary_fr(event),
        schema=schema_org(shown, organizer, description),
        ics=f"/agenda/{oid}.ics", uri=event["id"], action="Participer",
        modified=events.parse_time(event.get("updated") or event.get("published")),
    )  # fmt: skip


# --- taking part, signed in (IndieAuth for a member of another place) -------------------------


def _actor_of(request: Request, who: Visitor) -> str:
    """A visitor's actor id: a member's here, a remote visitor's as their home vouched for."""
    if isinstance(who, RemoteVisitor):
        return who.actor
    return node_of(request).config.actor_id(who.handle)


def participation_url(actor: str, event_id: str) -> str:
    """Where a remote visitor confirms at home: their node's `/moi/participer` (pure)."""
    return f"{origin_of(actor)}/moi/participer?{urlencode({'event': event_id})}"


async def participate(request: Request) -> Response:
    """POST /participer (event, csrf): a member of this place joins through this node's
    outbox; a remote visitor goes to their home node, which sends the Join signed by it."""
    node = node_of(request)
    who = await visiting(request)
    if who is None:
        return RedirectResponse("/connexion", 303)
    try:
        form = await checked_form(request, who.csrf)
    except InterlieuxError as error:
        return await refused(request, error)
    event = await objects.local_event(node.store.reads, form.get("event"))
    if event is None or not is_public(event):
        return await render(request, "missing.html", status=404)
    page = urlsplit(event["id"]).path
    if isinstance(who, RemoteVisitor):
        return RedirectResponse(participation_url(who.actor, event["id"]), 303)
    actor = await local.by_handle(node.store, who.handle)
    try:
        await publish(node, actor, {"type": "Join", "object": event["id"]})
    except InterlieuxError as error:
        return await refused(request, error)
    return RedirectResponse(f"{page}?participation=envoyee", 303)
