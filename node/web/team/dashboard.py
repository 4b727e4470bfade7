"""`/equipe`, the team's dashboard: today's visitors at the place's doors and where they come
from; for the team (not the door role), what waits for it — requests to validate, deliveries
failing, claims and settlements to answer — and the credit sold this month.

Each count is a named read of its table's owner; the page only adds them up and links to the
page that deals with them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...access.grant import REASONS_EN, REASONS_FR
from ...actors.names import names_of
from ...actors.routes import node_of
from ...ledger.money import display
from ...people import accounts
from ...sqlite import Connection
from ...tables import claims, deliveries, ledger, settlements, taps
from .. import i18n
from ..gate import requires
from ..render import language, local_time, render
from . import validation
from .actions import start_of_day, start_of_month

i18n.english(
    {
        "Visiteurs du jour": "Today's visitors",
        "Personne n'est encore passé aujourd'hui.": "Nobody has come by yet today.",
        "Heure": "Time",
        "Visiteur": "Visitor",
        "Lieu d'origine": "Home place",
        "Porte": "Door",
        "Entrée": "Entry",
        "acceptée": "accepted",
        "refusée": "refused",
        "badge illisible": "unreadable badge",
        "À faire": "To do",
        "Demandes d'adhésion et de résidence à valider": (
            "Requests to join and residency requests to validate"
        ),
        "Projets à valider": "Projects to validate",
        "Envois en échec": "Deliveries failing",
        "Réclamations reçues à traiter": "Claims received to handle",
        "Réclamations envoyées sans réponse": "Claims sent with no answer yet",
        "Règlements à confirmer": "Settlements to confirm",
        "Crédit vendu ce mois-ci": "Credit sold this month",
        "aucun": "none",
        "Le passage d'un badge à la porte apparaît ici.": "A badge shown at the door appears here.",
    }
)


@dataclass(frozen=True)
class Visitor:
    """One tap at a door today, as the team reads it."""

    at: str  # HH:MM in the place's time zone
    name: str
    home: str
    door: str
    accepted: bool
    reason: str


@dataclass(frozen=True)
class Waiting:
    """A count of work for the team and the page where it is done."""

    key: str  # names the count in the page (data-count), for tests and scripts
    label: str
    count: int
    href: str


async def todays_visitors(request: Request) -> list[Visitor]:
    node = node_of(request)
    reads = node.store.reads
    midnight = start_of_day(node.config.timezone)
    reasons = REASONS_EN if language(request) == "en" else REASONS_FR
    found = []
    today = await taps.since(reads, midnight.timestamp())
    names = await names_of(reads, [a for t in today for a in (t.member, t.issuer) if a])
    for tap in today:
        moment = local_time(datetime.fromtimestamp(tap.decided_at, UTC), node.config.timezone)
        found.append(Visitor(
            at=f"{moment:%H:%M}" if moment else "",
            name=names[tap.member] if tap.member else "badge illisible",
            home=names[tap.issuer] if tap.issuer else "",
            door=tap.door, accepted=tap.decision == "accept",
            reason=reasons.get(tap.reason, tap.reason),
        ))  # fmt: skip
    return found


# What waits for the team besides the validation queue (`validation.waiting`): (key, French
# label, the table owner's count, the page that deals with it).
COUNTS: tuple[tuple[str, str, Callable[[Connection], Awaitable[int]], str], ...] = (
    ("deliveries", "Envois en échec", deliveries.count_failing, "/equipe/envois"),
    ("claims_received", "Réclamations reçues à traiter", claims.count_received_unanswered,
     "/equipe/reclamations"),
    ("claims_sent", "Réclamations envoyées sans réponse", claims.count_sent_unanswered,
     "/equipe/reclamations"),
    ("settlements", "Règlements à confirmer", settlements.count_to_confirm,
     "/equipe/reglements"),
)  # fmt: skip


async def waiting(request: Request) -> list[Waiting]:
    """What waits for the team, each with the page that deals with it."""
    store = node_of(request).store
    asking, projects = await validation.waiting(store)
    return [
        Waiting("residents", "Demandes d'adhésion et de résidence à valider", asking,
                "/equipe/validation"),
        Waiting("projects", "Projets à valider", projects, "/equipe/validation"),
        *[Waiting(key, label, await count(store.reads), href)
          for key, label, count, href in COUNTS],
    ]  # fmt: skip


@requires(accounts.DOOR)
async def page(request: Request) -> Response:
    node = node_of(request)
    member = request.state.member
    lang = language(request)
    context: dict[str, Any] = {"visitors": await todays_visitors(request)}
    if member.holds(accounts.TEAM):
        month = start_of_month(node.config.timezone).timestamp()
        sold = await ledger.credit_sold_since(node.store.reads, month)
        context["waiting"] = await waiting(request)
        context["sold"] = [display(cents, currency, lang) for currency, cents in sold]
    return await render(request, "team/dashboard.html", **context)


ROUTES = [Route("/equipe", page)]
