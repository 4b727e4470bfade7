"""Events as values (pure): the French line Mastodon shows, and the converters to feeds.

Calendars follow RFC 5545: every time is written in a real IANA zone (the event's own
`timezone`, else the place's) with its VTIMEZONE, or in UTC. A fixed offset such as `+01:00`
is never written as a TZID: icalendar would name it `UTC+01:00`, which no client can resolve.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feedgen.feed import FeedGenerator
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as ICalEvent

from ..config import DEFAULT_TIMEZONE
from ..timestamps import wire_to_datetime

_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
_TAGS = re.compile(r"<[^>]+>")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return wire_to_datetime(value)
    except ValueError:
        return None


def _zone(event: dict[str, Any], default: str = DEFAULT_TIMEZONE) -> ZoneInfo:
    """The event's own zone (Mobilizon's `timezone`), else the place's; a peer's unknown
    zone name falls back too, so that one odd event does not break a whole calendar."""
    for name in (event.get("timezone"), default, DEFAULT_TIMEZONE):
        if isinstance(name, str) and name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo(DEFAULT_TIMEZONE)


def _hour(moment: datetime) -> str:
    return f"{moment.hour} h" if moment.minute == 0 else f"{moment.hour} h {moment.minute:02d}"


def when_fr(event: dict[str, Any]) -> str:
    """« jeudi 14 mars 2025, 18 h – 20 h », in the event's own time zone."""
    start = parse_time(event.get("startTime"))
    if start is None:
        return ""
    zone = _zone(event)
    start = start.astimezone(zone)
    text = f"{_DAYS[start.weekday()]} {start.day} {_MONTHS[start.month - 1]} {start.year}, "
    text += _hour(start)
    end = parse_time(event.get("endTime"))
    if end is not None:
        end = end.astimezone(zone)
        if end.date() == start.date():
            text += f" – {_hour(end)}"
        else:
            text += f" – {_DAYS[end.weekday()]} {end.day} {_MONTHS[end.month - 1]}, {_hour(end)}"
    return text


def where(event: dict[str, Any]) -> str:
    location = event.get("location")
    if not isinstance(location, dict):
        return ""
    address = location.get("address") if isinstance(location.get("address"), dict) else {}
    assert isinstance(address, dict)
    street = " ".join(
        str(address[k]).strip() for k in ("postalCode", "addressLocality") if address.get(k)
    )
    parts = [location.get("name"), address.get("streetAddress"), street]
    return ", ".join(str(p).strip() for p in parts if p and str(p).strip())


def summary_fr(event: dict[str, Any]) -> str:
    """What a Mastodon user reads: Mastodon shows an Event as its name, this line and its link."""
    parts = [when_fr(event), where(event)]
    capacity = event.get("maximumAttendeeCapacity")
    if isinstance(capacity, int) and capacity > 0:
        parts.append(f"{capacity} places")
    return " · ".join(p for p in parts if p)


def plain_text(content: Any) -> str:
    if not isinstance(content, str):
        return ""
    return html.unescape(_TAGS.sub(" ", content.replace("</p>", "\n"))).strip()


@dataclass(frozen=True)
class Organizer:
    """Who publishes an event in a shared calendar: the place's actor and its name."""

    id: str
    name: str


def event_to_ical(
    event: dict[str, Any], zone: str = DEFAULT_TIMEZONE, organizer: Organizer | None = None
) -> ICalEvent:
    """One VEVENT; times in the event's zone (or `zone`), so a VTIMEZONE can describe them.

    With an `organizer` (the shared agenda, where events come from several places), the
    place is the ORGANIZER and its name prefixes the summary, which is what clients show."""
    item = ICalEvent()
    tz = _zone(event, zone)
    item.add("uid", event["id"])
    name = str(event.get("name", ""))
    item.add("summary", f"[{organizer.name}] {name}" if organizer else name)
    start = parse_time(event.get("startTime"))
    if start is not None:
        item.add("dtstart", start.astimezone(tz))
    end = parse_time(event.get("endTime"))
    if end is not None:
        item.add("dtend", end.astimezone(tz))
    published = parse_time(event.get("published"))
    item.add("dtstamp", (published or datetime.now(UTC)).astimezone(UTC))
    updated = parse_time(event.get("updated"))
    if updated is not None:
        item.add("last-modified", updated.astimezone(UTC))
    if where(event):
        item.add("location", where(event))
    description = plain_text(event.get("content"))
    if description:
        item.add("description", description)
    item.add("url", event.get("url") or event["id"])
    if organizer is not None:
        address = vCalAddress(organizer.id)
        address.params["cn"] = vText(organizer.name)
        item.add("organizer", address)
    return item


def calendar_of(
    name: str,
    items: Iterable[tuple[dict[str, Any], Organizer | None]],
    zone: str = DEFAULT_TIMEZONE,
) -> Calendar:
    """A whole VCALENDAR, with the VTIMEZONE of every zone its events use."""
    calendar = Calendar()
    calendar.add("prodid", "-//Interlieux//agenda//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone)
    days: list[date] = []
    for event, organizer in items:
        calendar.add_component(event_to_ical(event, zone, organizer))
        for key in ("startTime", "endTime"):
            moment = parse_time(event.get(key))
            if moment is not None:
                days.append(moment.date())
    # The VTIMEZONE lists the zone's transitions over the span the events cover (a year
    # either side), not icalendar's default 1970-2038, which would miss later events.
    first = min(days, default=datetime.now(UTC).date()) - timedelta(days=366)
    last = max(days, default=datetime.now(UTC).date()) + timedelta(days=366)
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar


def atom_of(
    feed_id: str,
    title: str,
    self_url: str,
    alternate_url: str,
    items: Iterable[tuple[dict[str, Any], Organizer | None]],
) -> bytes:
    """An Atom feed in French, one entry per event; an organizer, in a shared feed, is named
    before the event's name and as its author."""
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.link(href=self_url, rel="self")
    feed.link(href=alternate_url, rel="alternate")
    feed.language("fr")
    latest = datetime.fromtimestamp(0, UTC)
    for event, organizer in items:
        entry = feed.add_entry(order="append")
        entry.id(event["id"])
        if organizer is None:
            entry.title(event.get("name", ""))
        else:
            entry.title(f"[{organizer.name}] {event.get('name', '')}")
            entry.author({"name": organizer.name, "uri": organizer.id})
        entry.link(href=event.get("url") or event["id"])
        entry.summary(event.get("summary") or summary_fr(event))
        if event.get("content"):
            entry.content(event["content"], type="html")
        updated = parse_time(event.get("updated") or event.get("published"))
        updated = updated or datetime.now(UTC)
        entry.published(parse_time(event.get("published")) or updated)
        entry.updated(updated)
        latest = max(latest, updated)
    feed.updated(latest)
    return bytes(feed.atom_str(pretty=True))
