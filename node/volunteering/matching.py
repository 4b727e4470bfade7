"""Who fits a volunteer call, and which calls fit a member: pure functions, documented scores.

A suggestion's score is the product of three factors, each from 0 to 1 (rounded to 3 places):

- **skills** (`skill_score`): for each skill the call asks, the best of the person's skills
  scores 1 when it is the same concept; `NARROWER_WEIGHT ** d` when the person's skill is `d`
  steps narrower in the SKOS nomenclature (a welder answers a call for "fabrication": a
  specialist does what the general request asks); `BROADER_WEIGHT ** d` when it is `d` steps
  broader (someone who says "fabrication" may weld, less surely); 0 for unrelated concepts
  (siblings included). The call's skill factor is the mean over its skills; 0 means no match
  and no suggestion.
- **availability** (`availability_factor`): 1 when the person's availability, read by
  `read_availability`, overlaps the call's days and parts of day; `UNKNOWN_AVAILABILITY` when
  the person stated none the reader may see, or nothing in it could be read; 0 when it is
  stated and does not overlap (no suggestion).
- **proximity** (`proximity`): 1 at the same place; else `FOLLOWED_PLACE` for a place this node
  follows, `OTHER_PLACE` otherwise, raised towards 1 by distance when both places publish their
  coordinates (`NEAR_KM`: at 0 km the factor is 1, at `NEAR_KM` and beyond it is the base).

Availability is the profile's free text (`tl:availability`, up to 500 characters), read with
a small French grammar so that existing profiles keep working: weekdays (`lundi` … `dimanche`,
plurals too), `week-end`, `en semaine`, `tous les jours`, ranges (`du lundi au vendredi`,
`lundi-vendredi`) and parts of day (`matin`, `après-midi`, `soir`) applied to the days of the
same clause (clauses are separated by `,` `;` `/` or a new line). `canonical` writes the slots
back in that grammar: the member's page shows what was understood.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

NARROWER_WEIGHT = 0.8  # per step: a narrower skill for a broader request
BROADER_WEIGHT = 0.5  # per step: a broader skill for a narrower request
UNKNOWN_AVAILABILITY = 0.5  # availability not stated (or not visible, or unreadable)
FOLLOWED_PLACE = 0.8
OTHER_PLACE = 0.6
NEAR_KM = 50.0
MAX_CALL_DAYS = 14  # a call's slots are read over its first two weeks at most

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
PARTS = ("matin", "après-midi", "soir")
# Hours of the day each part covers, in the place's time zone: [start, end).
PART_HOURS = ((6, 12), (12, 18), (18, 24))

Slot = tuple[int, int]  # (weekday 0 = Monday, part 0 = morning)

_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_WORDS = {
    **{d: i for i, d in enumerate(DAYS)},
    **{d + "s": i for i, d in enumerate(DAYS)},
    **{d: i for i, d in enumerate(_EN_DAYS)},
}
_PART_WORDS = {"matin": 0, "matins": 0, "matinee": 0, "matinees": 0, "morning": 0,
               "apres-midi": 1, "aprem": 1, "afternoon": 1,
               "soir": 2, "soirs": 2, "soiree": 2, "soirees": 2, "evening": 2}  # fmt: skip
_ALL_DAYS = frozenset(range(7))


def _plain(text: str) -> str:
    """Lower case, no accents, `après midi` as one word."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"apres[\s-]*midi", "apres-midi", text)
    return re.sub(r"week[\s-]*ends?|\bwe\b", "weekend", text)


def _span(first: int, last: int) -> set[int]:
    """The days from `first` to `last`, across Sunday if need be (`vendredi au lundi`)."""
    return set(range(first, last + 1)) if last >= first else {*range(first, 7), *range(last + 1)}


def _clause(text: str) -> set[Slot]:
    days: set[int] = set()
    parts: set[int] = set()
    words = re.findall(r"[a-z-]+", text)
    for n, word in enumerate(words):
        if word in _DAY_WORDS:
            day = _DAY_WORDS[word]
            # `du lundi au vendredi`, `lundi-vendredi` (one word split below), `lundi a jeudi`
            if (
                n + 2 < len(words)
                and words[n + 1] in ("au", "a", "to")
                and (words[n + 2] in _DAY_WORDS)
            ):
                days.update(_span(day, _DAY_WORDS[words[n + 2]]))
            days.add(day)
        elif "-" in word and all(w in _DAY_WORDS for w in word.split("-")):
            first, last = (_DAY_WORDS[w] for w in word.split("-")[:2])
            days.update(_span(first, last))
        elif word in _PART_WORDS:
            parts.add(_PART_WORDS[word])
        elif word == "weekend":
            days.update((5, 6))
        elif word in ("semaine", "weekdays"):
            days.update(range(5))
        elif word in ("jours", "toujours", "quotidien", "daily") or (
            word == "temps" and "tout" in words
        ):
            days.update(_ALL_DAYS)
    if not days and parts:
        days = set(_ALL_DAYS)  # `le soir`: every evening
    return {(d, p) for d in days for p in (parts or range(len(PARTS)))}


def read_availability(text: str | None) -> frozenset[Slot] | None:
    """The (weekday, part of day) slots a free-text availability says; None when nothing in it
    could be read (or it is empty): unknown, not "never"."""
    if not text or not text.strip():
        return None
    slots: set[Slot] = set()
    for clause in re.split(r"[,;/\n]+", _plain(text)):
        slots |= _clause(clause)
    return frozenset(slots) or None


def canonical(slots: frozenset[Slot] | None) -> str:
    """The slots in the grammar `read_availability` reads, day by day (pure): what was
    understood, shown to the member so that they can correct their text."""
    if not slots:
        return ""
    out = []
    for day, name in enumerate(DAYS):
        parts = sorted(p for d, p in slots if d == day)
        if len(parts) == len(PARTS):
            out.append(name)
        elif parts:
            out.append(f"{name} {' et '.join(PARTS[p] for p in parts)}")
    return ", ".join(out)


def call_slots(start: datetime, end: datetime, timezone: str) -> frozenset[Slot]:
    """The (weekday, part of day) slots a call's time covers in the place's time zone."""
    zone = ZoneInfo(timezone)
    moment = start.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    last = min(end.astimezone(zone), moment + timedelta(days=MAX_CALL_DAYS))
    found: set[Slot] = set()
    while moment < last or not found:
        for part, (first, stop) in enumerate(PART_HOURS):
            if first <= moment.hour < stop:
                found.add((moment.weekday(), part))
        if moment.hour < PART_HOURS[0][0]:  # a night shift counts as the evening before
            found.add(((moment.weekday() - 1) % 7, 2))
        moment += timedelta(hours=1)
    return frozenset(found)


def availability_factor(person: frozenset[Slot] | None, call: frozenset[Slot]) -> float:
    if person is None:
        return UNKNOWN_AVAILABILITY
    return 1.0 if person & call else 0.0


# --- skills ---------------------------------------------------------------------------------

Broader = Callable[[str], str | None]  # a concept's broader concept in the nomenclature


def _ancestors(concept: str, broader: Broader) -> list[str]:
    chain: list[str] = []
    current = broader(concept)
    while current is not None and current not in chain and current != concept:
        chain.append(current)
        current = broader(current)
    return chain


def pair_score(asked: str, has: str, broader: Broader) -> float:
    """How well one skill the person has answers one skill asked (see the module's text)."""
    if asked == has:
        return 1.0
    above_has = _ancestors(has, broader)
    if asked in above_has:  # the person's skill is narrower than the request
        return float(NARROWER_WEIGHT ** (above_has.index(asked) + 1))
    above_asked = _ancestors(asked, broader)
    if has in above_asked:  # the person's skill is broader than the request
        return float(BROADER_WEIGHT ** (above_asked.index(has) + 1))
    return 0.0


def skill_score(asked: Iterable[str], has: Iterable[str], broader: Broader) -> float:
    """The mean over the asked skills of the best pair score among the person's skills."""
    wanted, held = list(dict.fromkeys(asked)), list(dict.fromkeys(has))
    if not wanted or not held:
        return 0.0
    return sum(max(pair_score(a, h, broader) for h in held) for a in wanted) / len(wanted)


# --- proximity ------------------------------------------------------------------------------


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def proximity(
    same_place: bool,
    followed: bool,
    here: tuple[float, float] | None = None,
    there: tuple[float, float] | None = None,
) -> float:
    if same_place:
        return 1.0
    base = FOLLOWED_PLACE if followed else OTHER_PLACE
    if here is None or there is None:
        return base
    near = max(0.0, 1.0 - distance_km(here, there) / NEAR_KM)
    return max(base, base + (1.0 - base) * near)


# --- both ways ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """What the matching may use of a person: only fields its reader may see."""

    id: str
    name: str
    skills: tuple[str, ...]
    availability: str | None
    place: str | None  # the place they are a resident or member of
    geo: tuple[float, float] | None = None  # their place's coordinates


@dataclass(frozen=True)
class Call:
    id: str
    name: str
    place: str
    skills: tuple[str, ...]
    start: datetime
    end: datetime
    geo: tuple[float, float] | None = None
    needed: int = 1  # volunteers the place asks for


@dataclass(frozen=True)
class Match:
    score: float
    skills: float
    availability: float
    proximity: float


def match(
    call: Call, person: Person, timezone: str, broader: Broader, followed: frozenset[str]
) -> Match | None:
    """The person's fit for the call, or None when it is no suggestion (score 0)."""
    skills = skill_score(call.skills, person.skills, broader)
    if skills == 0:
        return None
    slots = call_slots(call.start, call.end, timezone)
    available = availability_factor(read_availability(person.availability), slots)
    if available == 0:
        return None
    near = proximity(person.place == call.place, person.place in followed or call.place in
                     followed, call.geo, person.geo)  # fmt: skip
    return Match(round(skills * available * near, 3), round(skills, 3), available, round(near, 3))


def people_for(
    call: Call,
    people: Iterable[Person],
    timezone: str,
    broader: Broader,
    followed: frozenset[str],
) -> list[tuple[Person, Match]]:
    """The people who fit the call, best first (then by name)."""
    found = [(p, m) for p in people if (m := match(call, p, timezone, broader, followed))]
    return sorted(found, key=lambda pm: (-pm[1].score, pm[0].name, pm[0].id))


def calls_for(
    person: Person,
    calls: Iterable[Call],
    timezone: str,
    broader: Broader,
    followed: frozenset[str],
) -> list[tuple[Call, Match]]:
    """The calls that fit the person, best first (then soonest)."""
    found = [(c, m) for c in calls if (m := match(c, person, timezone, broader, followed))]
    return sorted(found, key=lambda cm: (-cm[1].score, cm[0].start, cm[0].id))
