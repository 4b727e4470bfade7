"""Calendars are RFC 5545: times in a real zone with its VTIMEZONE, read back by icalendar."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar

from node.agenda.event import Organizer, calendar_of
from tests.node.agenda.test_events import event, post
from tests.node.conftest import InProcessNode


def an_event(**extra: Any) -> dict[str, Any]:
    return {
        "id": "https://coroutine.example/objects/1",
        "type": "Event",
        "name": "Repair café",
        "startTime": "2030-03-14T14:00:00+01:00",
        "endTime": "2030-03-14T17:30:00+01:00",
        **extra,
    }


def decoded(calendar: Calendar) -> list[Any]:
    return list(Calendar.from_ical(calendar.to_ical()).walk("VEVENT"))


def test_an_offset_time_is_written_in_the_place_zone_and_decodes_to_the_same_instant() -> None:
    calendar = calendar_of("Agenda", [(an_event(), None)], "Europe/Paris")
    text = calendar.to_ical().decode()
    assert "DTSTART;TZID=Europe/Paris:20300314T140000" in text
    assert "UTC+01" not in text  # the made-up TZID icalendar writes for a fixed offset
    parsed = Calendar.from_ical(calendar.to_ical())
    assert parsed.get_missing_tzids() == set()  # every TZID has its VTIMEZONE
    (item,) = parsed.walk("VEVENT")
    start = item.decoded("dtstart")
    assert start.tzinfo is not None
    assert start.astimezone(UTC) == datetime(2030, 3, 14, 13, 0, tzinfo=UTC)
    assert item.decoded("dtend").astimezone(UTC) == datetime(2030, 3, 14, 16, 30, tzinfo=UTC)


def test_the_event_own_zone_wins_and_an_unknown_one_falls_back_to_the_place() -> None:
    cayenne = an_event(timezone="America/Cayenne")
    odd = an_event(id="https://coroutine.example/objects/2", timezone="Mars/Olympus")
    calendar = calendar_of("Agenda", [(cayenne, None), (odd, None)], "Europe/Paris")
    text = calendar.to_ical().decode()
    assert "TZID:America/Cayenne" in text and "TZID:Europe/Paris" in text
    assert "Mars" not in text
    for item in decoded(calendar):
        assert item.decoded("dtstart").astimezone(UTC) == datetime(2030, 3, 14, 13, tzinfo=UTC)


def test_a_utc_time_stays_the_same_instant() -> None:
    (item,) = decoded(calendar_of("Agenda", [(an_event(startTime="2030-07-01T08:00:00Z"), None)]))
    assert item.decoded("dtstart").astimezone(UTC) == datetime(2030, 7, 1, 8, tzinfo=UTC)


def test_a_shared_calendar_names_each_event_place() -> None:
    place = Organizer("https://popcafe.example/actors/popcafe", "PopCafé")
    (item,) = decoded(calendar_of("Réseau", [(an_event(), place)]))
    assert str(item["summary"]) == "[PopCafé] Repair café"
    assert str(item["organizer"]) == "https://popcafe.example/actors/popcafe"
    assert item["organizer"].params["CN"] == "PopCafé"


def test_agenda_ics_parses_and_its_times_are_the_events(place: InProcessNode) -> None:
    created = post(place, event(startTime="2030-03-14T14:00:00+01:00"))
    event_id = created.json()["object"]["id"]
    for path in ("/agenda.ics", f"/agenda/{event_id.rsplit('/', 1)[-1]}.ics"):
        answer = place.client.get(path)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(
            "text/calendar"
        )
        parsed = Calendar.from_ical(answer.content)
        assert parsed.get_missing_tzids() == set()
        (item,) = parsed.walk("VEVENT")
        assert str(item["uid"]) == event_id
        start = item.decoded("dtstart")
        assert start.tzinfo is not None
        assert start.astimezone(UTC) == datetime(2030, 3, 14, 13, 0, tzinfo=UTC)
    assert place.client.get("/agenda/nothing-here.ics").status_code == 404
