"""Events as values (pure): the French line Mastodon shows, and the converters to feeds."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Event as ICalEvent

DEFAULT_TIMEZONE = "Europe/Paris"
_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
_TAGS = re.compile(r"<[^>]+>")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _zone(event: dict[str, Any]) -> ZoneInfo:
    try:
        return ZoneInfo(str(event.get("timezone") or DEFAULT_TIMEZONE))
    except (ZoneInfoNotFoundError, ValueError):
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


def event_to_ical(event: dict[str, Any]) -> ICalEvent:
    item = ICalEvent()
    item.add("uid", event["id"])
    item.add("summary", event.get("name", ""))
    start = parse_time(event.get("startTime"))
    if start is not None:
        item.add("dtstart", start)
    end = parse_time(event.get("endTime"))
    if end is not None:
        item.add("dtend", end)
    published = parse_time(event.get("published"))
    item.add("dtstamp", published or datetime.now(UTC))
    if where(event):
        item.add("location", where(event))
    description = plain_text(event.get("content"))
    if description:
        item.add("description", description)
    item.add("url", event.get("url") or event["id"])
    return item
