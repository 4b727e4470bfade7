"""`/moi/passages`, `/moi/credit`, `/moi/evenements`: where the member's badge took them, what
their Crédit Inter-Lieux holds and paid, and the events they take part in — read from the
owner tables and `ledger.credit`, as `interlieux credit statement` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ...actors.names import names_of
from ...actors.routes import node_of
from ...ledger import credit
from ...ledger.money import display
from ...people import accounts
from ...tables import (
    activities,
    claims,
    credit_accounts,
    event_participants,
    event_requests,
    objects,
    visits,
)
from .. import gate, i18n
from ..gate import requires
from ..headers import no_store
from ..render import language, local_time, render

i18n.english(
    {
        "Mes passages": "My visits",
        "Chaque passage de votre badge à la porte d'un lieu du réseau, tel que le lieu visité "
        "l'a signalé.": (
            "Every use of your badge at the door of a place of the network, as the visited "
            "place reported it."
        ),
        "Aucun passage pour l'instant.": "No visit yet.",
        "Date": "Date",
        "Lieu": "Place",
        "Porte": "Door",
        "Compensation": "Compensation",
        "réclamé, accepté": "claimed, accepted",
        "réclamé, refusé": "claimed, refused",
        "réclamé, en attente": "claimed, pending",
        "pas encore réclamé": "not claimed yet",
        "chez nous": "here",
        "Mon crédit": "My credit",
        "Mon Crédit Inter-Lieux": "My Crédit Inter-Lieux",
        "Vous n'avez pas de compte de Crédit Inter-Lieux. L'équipe du lieu en vend à l'accueil.": (
            "You have no Crédit Inter-Lieux account. The place's team sells it at the desk."
        ),
        "Compte": "Account",
        "Reste": "Remaining",
        "Mouvements": "Movements",
        "Mouvement": "Movement",
        "Montant": "Amount",
        "Solde après": "Balance after",
        "achat de crédit": "credit bought",
        "passage payé": "visit paid",
        "Mes événements": "My events",
        "Vous ne participez à aucun événement pour l'instant.": ("You take part in no event yet."),
        "Voir l'agenda": "See the agenda",
        "Événement": "Event",
        "Quand": "When",
        "État": "State",
        "inscrit·e": "registered",
        "demande en attente": "request pending",
        "participation envoyée": "participation sent",
        "(événement inconnu ici)": "(event unknown here)",
    }
)


def _at(posix: float | None, timezone: str) -> datetime | None:
    return None if posix is None else local_time(datetime.fromtimestamp(posix, UTC), timezone)


CLAIM_STATES = {"accepted": "réclamé, accepté", "rejected": "réclamé, refusé",
                "pending": "réclamé, en attente"}  # fmt: skip


@requires(accounts.MEMBER)
async def visits_page(request: Request) -> Response:
    node = node_of(request)
    me = node.config.actor_id((await gate.member(request)).handle)
    reads = node.store.reads
    mine = await visits.of_member(reads, me)
    states = await claims.line_states(reads, [v.id for v in mine])
    names = await names_of(reads, [v.place for v in mine])
    rows = [
        {"when": _at(v.visited_at, node.config.timezone),
         "place": names[v.place],
         "place_id": v.place, "door": v.door,
         "claim": CLAIM_STATES.get(states.get(v.id, ""),
                                   "chez nous" if v.local else "pas encore réclamé")}
        for v in mine
    ]  # fmt: skip
    return await render(request, "member/visits.html", visits=rows)


@dataclass(frozen=True)
class Statement:
    account: str
    currency: str
    remaining: str
    movements: list[dict[str, Any]]


MOVEMENTS = {"credit_sale": "achat de crédit", "claim": "passage payé"}


@requires(accounts.MEMBER)
async def credit_page(request: Request) -> Response:
    node = node_of(request)
    me = node.config.actor_id((await gate.member(request)).handle)
    reads = node.store.reads
    lang = language(request)
    statements = []
    for name in await credit_accounts.of_member(reads, me):
        currency, uses = await credit.statement(node, name)
        places = await names_of(reads, [u.place for u in uses if u.place])
        moves = [
            {"when": _at(u.when, node.config.timezone), "kind": MOVEMENTS.get(u.kind, u.kind),
             "place": places[u.place] if u.place else "",
             "amount": display(u.cents, currency, lang),
             "remaining": display(u.remaining, currency, lang)}
            for u in reversed(uses)
        ]  # fmt: skip
        left = await credit.remaining(node, name)
        statements.append(Statement(name, currency, display(left, currency, lang), moves))
    return no_store(await render(request, "member/credit.html", statements=statements))


@requires(accounts.MEMBER)
async def events_page(request: Request) -> Response:
    node = node_of(request)
    me = node.config.actor_id((await gate.member(request)).handle)
    reads = node.store.reads
    found: dict[str, str] = {}
    for row in await event_participants.of_actor(reads, me):
        found[str(row["event_id"])] = "inscrit·e"
    for row in await event_requests.of_actor(reads, me):
        found.setdefault(str(row["event_id"]), "demande en attente")
    for join in await activities.joins_by(reads, me):
        obj = join.get("object")
        event_id = obj.get("id") if isinstance(obj, dict) else obj
        if isinstance(event_id, str):
            found.setdefault(event_id, "participation envoyée")
    rows = []
    for event_id, state in found.items():
        document = await objects.document(reads, event_id) or {}
        if document.get("type") == "Tombstone":
            continue
        start = document.get("startTime")
        rows.append({
            "id": event_id if event_id.startswith(("https://", "http://")) else None,
            "state": state,
            "name": str(document.get("name") or ""),
            "when": local_time(start, node.config.timezone) if isinstance(start, str) else None,
        })  # fmt: skip
    rows.sort(key=lambda r: (r["when"] is None, r["when"] or datetime.min.replace(tzinfo=UTC)))
    return await render(request, "member/events.html", events=rows)
