"""A place's opening hours: schema.org's `openingHours` text, as the actor publishes it
(`Mo-Fr 09:00-12:30,14:00-18:00; Sa 10:00-13:00`), and the week it stands for, as the team's
grid shows it (pure).

A `Week` gives each open day up to two ranges, the morning and the afternoon (a place that
closes for lunch), each `(opens, closes)` as `HH:MM`; a day it leaves out is closed. `parse`
reads the text the node has always accepted: day ranges (`Mo-Fr`), day lists (`Mo,We`), several
ranges a day, a day named twice. `write` gives the one compact text of a week: days in order,
consecutive days with the same ranges merged, so `write(parse(x).week)` is `x` normalised.

The CLI and client-to-server publishing still take any text, and a text may say what the grid
cannot (public holidays `PH`, a third range, hours past midnight): `parse` returns those parts
as `unread` instead of dropping them, so the page can tell the team and keep the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import InvalidField

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")  # schema.org's codes, Monday first
DAY_NAMES = {"Mo": "lundi", "Tu": "mardi", "We": "mercredi", "Th": "jeudi", "Fr": "vendredi",
             "Sa": "samedi", "Su": "dimanche"}  # fmt: skip
DAY_NAMES_EN = {"Mo": "Monday", "Tu": "Tuesday", "We": "Wednesday", "Th": "Thursday",
                 "Fr": "Friday", "Sa": "Saturday", "Su": "Sunday"}  # fmt: skip
# The ranges of a day, as the grid names them: a second range is the afternoon after a break.
PARTS = ("matin", "après-midi")
_PARTS_WITH_ARTICLE = ("le matin", "l'après-midi")
PARTS_EN = ("morning", "afternoon")

Range = tuple[str, str]  # (opens, closes), "HH:MM"
Hours = tuple[Range, ...]  # a day's ranges, in order; empty: closed
Week = Mapping[str, Hours]  # open days only, by code

# What a French reader sees for schema.org's codes (the public page, Mastodon's fields).
_SHORT_FR = {"Mo": "lun.", "Tu": "mar.", "We": "mer.", "Th": "jeu.", "Fr": "ven.", "Sa": "sam.",
             "Su": "dim.", "PH": "jours fériés"}  # fmt: skip

_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_DAY_SPAN = rf"{_DAY}(?:\s*-\s*{_DAY})?"
_CLOCK = r"\d{1,2}:\d{2}"
_RANGE = re.compile(rf"({_CLOCK})\s*-\s*({_CLOCK})")
_ENTRY = re.compile(
    rf"(?P<days>{_DAY_SPAN}(?:\s*,\s*{_DAY_SPAN})*)\s+"
    rf"(?P<ranges>{_CLOCK}\s*-\s*{_CLOCK}(?:\s*[,\s]\s*{_CLOCK}\s*-\s*{_CLOCK})*)",
    re.IGNORECASE,
)
# A time as a person types it where the browser has no time picker: 9:30, 09:30, 9h30, 9h.
_TYPED_TIME = re.compile(r"(\d{1,2})\s*[:hH]\s*(\d{2})?")


@dataclass(frozen=True)
class Reading:
    """What `parse` understood (`week`) and the parts of the text it could not put in the
    grid (`unread`, as written)."""

    week: Week
    unread: tuple[str, ...] = field(default=())


def time_of(text: str) -> str | None:
    """`9:30`, `09:30`, `9h30`, `9h` as `09:30`/`09:00`; None when it is not a time of day."""
    found = _TYPED_TIME.fullmatch(text.strip())
    if found is None:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


def day_hours(day: str, ranges: Sequence[Range | None]) -> Hours:
    """A day's ranges, checked and in order: each closes after it opens, at most two, and the
    second starts once the first is over. A range's place in `ranges` is its place in the grid
    (None: left empty), so InvalidField names the day, the range and the time to correct
    (`Tu-1-closes`: Tuesday morning's closing time)."""
    name, name_en = DAY_NAMES[day], DAY_NAMES_EN[day]
    if len(ranges) > len(PARTS):
        raise InvalidField(
            f"{day}: more than {len(PARTS)} ranges",
            field=f"{day}-{len(PARTS)}-opens",
            fr=f"{name.capitalize()} : la grille tient deux plages par jour (matin et "
            "après-midi) ; réunissez les autres.",
            en=f"{name_en}: the grid holds two ranges a day (morning and afternoon); merge the "
            "others.",
        )
    given = [(n, hours) for n, hours in enumerate(ranges) if hours is not None]
    for n, (opens, closes) in given:
        if closes <= opens:
            raise InvalidField(
                f"{day}: range {opens}-{closes} closes before it opens",
                field=f"{day}-{n + 1}-closes",
                fr=f"{name.capitalize()}, {PARTS[n]} : la fermeture ({closes}) doit venir après "
                f"l'ouverture ({opens}). Corrigez l'une des deux heures.",
                en=f"{name_en}, {PARTS_EN[n]}: the closing time ({closes}) must come after the "
                f"opening time ({opens}). Correct one of them.",
            )
    if len(given) == 2:
        (first, (o1, c1)), (second, (o2, c2)) = sorted(given, key=lambda item: item[1])
        if o2 < c1:
            raise InvalidField(
                f"{day}: ranges {o1}-{c1} and {o2}-{c2} overlap",
                field=f"{day}-{second + 1}-opens",
                fr=f"{name.capitalize()} : {_PARTS_WITH_ARTICLE[second]} ({o2}–{c2}) chevauche "
                f"{_PARTS_WITH_ARTICLE[first]} ({o1}–{c1}). Faites commencer "
                f"{_PARTS_WITH_ARTICLE[second]} à {c1} ou plus tard.",
                en=f"{name_en}: the {PARTS_EN[second]} ({o2}–{c2}) overlaps the "
                f"{PARTS_EN[first]} ({o1}–{c1}). Start the {PARTS_EN[second]} at {c1} or "
                "later.",
            )
    return tuple(sorted(hours for _, hours in given))


def _days_of(spec: str) -> list[str]:
    """`Mo-We,Fr` as `["Mo", "Tu", "We", "Fr"]`; a span may wrap the week end (`Sa-Mo`)."""
    days: list[str] = []
    for span in spec.split(","):
        first, _, last = (part.strip().capitalize() for part in span.partition("-"))
        start = DAYS.index(first)
        count = (DAYS.index(last) - start) % len(DAYS) + 1 if last else 1
        days += [DAYS[(start + n) % len(DAYS)] for n in range(count)]
    return days


def _entry(text: str) -> dict[str, list[Range]] | None:
    """One `;`-separated part, as the ranges it adds to each of its days; None when it is not
    days followed by valid times."""
    found = _ENTRY.fullmatch(text.strip())
    if found is None:
        return None
    ranges: list[Range] = []
    for opens_text, closes_text in _RANGE.findall(found.group("ranges")):
        opens, closes = time_of(opens_text), time_of(closes_text)
        if opens is None or closes is None:
            return None
        ranges.append((opens, closes))
    return {day: list(ranges) for day in _days_of(found.group("days"))}


def parse(text: str) -> Reading:
    """schema.org's `openingHours` text as a week; what does not fit the grid in `unread`."""
    week: dict[str, Hours] = {}
    unread: list[str] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        added = _entry(part)
        try:
            if added is None:
                raise ValueError(part)
            # A part goes in whole or not at all: its days are checked before any is changed.
            changed = {day: day_hours(day, [*week.get(day, ()), *ranges])
                       for day, ranges in added.items()}  # fmt: skip
        except (ValueError, InvalidField):
            unread.append(part.strip())
            continue
        week.update(changed)
    return Reading({day: week[day] for day in DAYS if week.get(day)}, tuple(unread))


def write(week: Week) -> str:
    """The week as schema.org's compact text: `Mo-Fr 09:00-12:30,14:00-18:00; Sa 10:00-13:00`,
    empty when the place opens no day."""
    parts: list[str] = []
    run: list[str] = []
    for day in (*DAYS, None):
        hours = week.get(day, ()) if day else ()
        if run and (not hours or hours != week[run[0]]):
            days = run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}"
            parts.append(f"{days} " + ",".join(f"{o}-{c}" for o, c in week[run[0]]))
            run = []
        if day and hours:
            run.append(day)
    return "; ".join(parts)


def opening_hours_fr(hours: str) -> str:
    """schema.org's `Mo-Fr 09:00-12:30,14:00-18:00` as a French reader writes it:
    `lun.–ven. 09:00–12:30, 14:00–18:00` (pure)."""
    text = re.sub(r"\b(Mo|Tu|We|Th|Fr|Sa|Su|PH)\b", lambda m: _SHORT_FR[m.group(1)], hours)
    text = re.sub(r"\s*,\s*", ", ", text)
    return text.replace("-", "–").replace(";", " ;")
