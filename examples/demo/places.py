"""The demo's three places and what they publish: realistic data, as a place's team writes it.

The addresses are made up; the rest (opening hours, machines and prices by autonomy level, a
need for volunteers, a co-financing pledge) is what the seeds' places publish.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PARIS = ZoneInfo("Europe/Paris")
VISIT_RATE = "5.00"  # what each place pays another per visit of one of its members


@dataclass(frozen=True)
class Member:
    handle: str
    name: str
    summary: str
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlaceSpec:
    handle: str
    name: str
    description: str
    port: int
    members: tuple[Member, ...]
    street: str
    postal_code: str
    city: str
    opening_hours: str
    website: str
    offers: list[dict[str, Any]] = field(default_factory=list)


def _price(level: str, amount: str, unit: str) -> dict[str, str]:
    return {"autonomyLevel": level, "price": amount, "priceCurrency": "EUR", "unitText": unit}


PLACES: tuple[PlaceSpec, ...] = (
    PlaceSpec(
        "popcafe", "PopCafé", "café de quartier et services numériques, à Lille", 8401,
        (Member("camille", "Camille Lefebvre", "Médiatrice numérique au PopCafé",
                ("sk:mediation-numerique", "sk:accueil")),
         Member("karim", "Karim Benali", "Bénévole, ateliers « mon premier smartphone »")),
        "14 rue des Tisserands", "59000", "Lille", "Mo-Fr 09:00-18:00; Sa 10:00-13:00",
        "https://popcafe.example",
        [{"type": "Space", "name": "Espace public numérique",
          "pricing": [_price("découverte", "0.00", "heure"),
                      _price("accompagné", "2.00", "heure")]}],
    ),
    PlaceSpec(
        "coroutine", "La Coroutine", "coworking coopératif, à Roubaix", 8402,
        (Member("lea", "Léa Dubois", "Graphiste indépendante, coworkeuse", ("sk:graphisme",)),),
        "3 place des Canuts", "59100", "Roubaix", "Mo-Fr 08:30-19:00",
        "https://coroutine.example",
        [{"type": "Space", "name": "Poste de coworking",
          "pricing": [_price("découverte", "0.00", "jour"), _price("autonome", "12.00", "jour")]}],
    ),
    PlaceSpec(
        "fablab-lilas", "Fablab des Lilas", "atelier de fabrication numérique, à Villeneuve-d'Ascq",
        8403,
        (Member("hugo", "Hugo Moreau", "Fabmanager", ("sk:decoupe-laser", "sk:impression-3d")),
         Member("ines", "Inès Garnier", "Animatrice des ateliers jeunesse")),
        "8 allée des Lilas", "59650", "Villeneuve-d'Ascq", "Tu-Sa 10:00-19:00",
        "https://fablab-lilas.example",
        [{"type": "Equipment", "name": "Découpeuse laser",
          "pricing": [_price("accompagné", "15.00", "heure"), _price("autonome", "8.00", "heure")]},
         {"type": "Equipment", "name": "Imprimante 3D",
          "pricing": [_price("accompagné", "6.00", "heure"), _price("autonome", "3.00", "heure")]}],
    ),
)  # fmt: skip

# A member of one place follows another place, as a person on Mastodon would.
MEMBER_FOLLOWS: tuple[tuple[str, str, str], ...] = (("popcafe", "camille", "fablab-lilas"),)
# Who taps a badge where: camille of the PopCafé at the Fablab's door.
VISITOR = ("popcafe", "camille")
VISITED = "fablab-lilas"
CARD_UID = bytes.fromhex("04A224B2C31580")  # an NTAG215's 7-byte UID


def spec_of(handle: str) -> PlaceSpec:
    return next(s for s in PLACES if s.handle == handle)


def next_saturday(now: datetime | None = None) -> datetime:
    """14:00 in Paris on the coming Saturday (a week later if today is Saturday)."""
    today = (now or datetime.now(UTC)).astimezone(PARIS).date()
    days = (5 - today.weekday()) % 7 or 7
    day = today + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 14, 0, tzinfo=PARIS)


def open_day(place: PlaceSpec) -> dict[str, Any]:
    """The Fablab's open day, addressed to Public only: the node adds its followers."""
    start = next_saturday()
    return {
        "type": "Event",
        "name": "Portes ouvertes du Fablab",
        "content": "Initiation à la découpe laser et à l'impression 3D, réparation de petit "
        "électroménager. Gratuit pour les membres du Badge Inter-Lieux.",
        "startTime": start.isoformat(),
        "endTime": (start + timedelta(hours=4)).isoformat(),
        "timezone": "Europe/Paris",
        "category": "WORKSHOP",
        "maximumAttendeeCapacity": 30,
        "location": {
            "type": "Place",
            "name": place.name,
            "address": {
                "type": "PostalAddress",
                "streetAddress": place.street,
                "postalCode": place.postal_code,
                "addressLocality": place.city,
            },
        },
        "to": [PUBLIC],
    }


def volunteers_need() -> dict[str, Any]:
    return {
        "type": "Need",
        "name": "Bénévoles pour les ateliers « mon premier smartphone »",
        "needKind": "volunteers",
        "quantity": 3,
        "skill": ["sk:mediation-numerique"],
        "due": (next_saturday() + timedelta(days=30)).isoformat(),
        "to": [PUBLIC],
    }


def laser_pledge(fablab_actor: str) -> dict[str, Any]:
    return {
        "type": "Pledge",
        "name": "Réparation de la découpeuse laser du Fablab",
        "amount": "200.00",
        "currency": "EUR",
        "funds": f"{fablab_actor}#decoupeuse-laser",
        "due": (next_saturday() + timedelta(days=60)).isoformat(),
        "to": [PUBLIC],
    }
