"""`/equipe/envois`: what this node sends that has not arrived (pending or given up on, with
the last error), the servers failing to answer, a "retry now" per delivery; and what peers
sent that this node refused (the inbox's refusals, `inbox_refusals`) or took but could not
apply (set aside in `inbox_queue`): what a team diagnosing a peer needs. The CLI's
`interlieux deliveries` shows the first half."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from ... import tables
from ...actors.routes import node_of
from ...errors import InterlieuxError, NotFoundError
from ...people import accounts
from ...queues import DeliveryState
from .. import i18n
from ..gate import member_form, refused, requires
from ..render import render
from .actions import done
from .operations import at

SHOWN = 200  # deliveries listed, failed and longest waiting first
REFUSALS_SHOWN = 100  # of the inbox_refusals.KEPT kept
SET_ASIDE_SHOWN = 50

i18n.english(
    {
        "Envois": "Deliveries",
        "Ce que ce nœud envoie aux autres serveurs et qui n'est pas encore arrivé, et ce que "
        "les autres lui ont envoyé qu'il a refusé : de quoi comprendre pourquoi un lieu pair "
        "ne reçoit pas, ou n'est pas reçu.": (
            "What this node sends to other servers that has not arrived yet, and what the "
            "others sent it that it refused: what you need to understand why a peer place "
            "does not receive, or is not received."
        ),
        "Serveurs qui ne répondent pas": "Servers not answering",
        "Tous les serveurs répondent.": "Every server answers.",
        "Serveur": "Server",
        "Jours d'échec": "Failure days",
        "Dernière erreur": "Last error",
        "injoignable depuis le": "unreachable since",
        "plus rien ne lui est envoyé tant qu'il ne répond pas": (
            "nothing is sent to it until it answers"
        ),
        "Envois en attente ou en échec": "Deliveries pending or failed",
        "Aucun envoi en attente ni en échec.": "No delivery pending or failed.",
        "Destinataire": "Recipient",
        "Activité": "Activity",
        "Essais": "Attempts",
        "Prochain essai": "Next attempt",
        "en attente": "pending",
        "en échec": "failed",
        "abandonné le": "given up on",
        "Réessayer maintenant": "Retry now",
        "Envoi remis en file : il part dans l'instant.": "Delivery queued again: it leaves now.",
        "Refus de la boîte de réception": "Inbox refusals",
        "Les dernières requêtes signées que ce nœud a refusées, et pourquoi.": (
            "The latest signed requests this node refused, and why."
        ),
        "Aucun refus récent.": "No recent refusal.",
        "Statut": "Status",
        "Clé annoncée": "Key claimed",
        "Activités mises de côté": "Activities set aside",
        "Reçues, mais impossibles à appliquer : le nœud les garde avec la raison.": (
            "Received, but could not be applied: the node keeps them with the reason."
        ),
        "Aucune activité mise de côté.": "No activity set aside.",
        "Expéditeur": "Sender",
        "Un seul serveur": "One server only",
        "Une partie de son adresse, par exemple fabrik.example ; vide : tous.": (
            "Part of its address, for example fabrik.example; empty: all."
        ),
        "Filtrer": "Filter",
    }
)


def concerns(text: str | None, server: str) -> bool:
    """Whether an inbox, an origin or an actor id is on `server` (part of its address, as the
    team types it: "fabrik.example"); everything when `server` is empty (pure)."""
    return not server or server.lower() in (text or "").lower()


@requires(accounts.ADMIN)
async def page(request: Request) -> Response:
    """The lists, all of them or those about one server (`?serveur=`: diagnosing a peer)."""
    node = node_of(request)
    reads = node.store.reads
    server = request.query_params.get("serveur", "").strip()[:200]
    rows = [
        {"id": r["id"], "inbox": r["inbox"], "type": r["type"], "state": r["state"],
         "attempts": r["attempts"], "error": r["last_error"] or "",
         "next": at(request, r["next_attempt_at"]) if r["state"] == DeliveryState.PENDING
         else None, "finished": at(request, r["finished_at"])}
        for r in await tables.deliveries.unfinished_or_failed(reads, SHOWN)
        if concerns(r["inbox"], server)
    ]  # fmt: skip
    servers = [
        {"origin": s["origin"], "days": s["failure_days"], "error": s["last_error"],
         "since": at(request, float(str(s["unavailable_since"])))
         if s["unavailable_since"] is not None else None}
        for s in await tables.origins.listing(reads) if concerns(str(s["origin"]), server)
    ]  # fmt: skip
    refusals = [
        {"when": at(request, r["refused_at"]), "status": r["status"], "origin": r["origin"],
         "key_id": r["key_id"], "activity": r["activity_id"] or "", "type": r["type"] or "",
         "reason": r["reason"]}
        for r in await tables.inbox_refusals.recent(reads, REFUSALS_SHOWN)
        if concerns(r["key_id"], server)
    ]  # fmt: skip
    aside = [
        {"when": at(request, r["received_at"]), "activity": r["activity_id"],
         "type": r["type"] or "", "actor": r["actor"] or "", "error": r["last_error"] or ""}
        for r in await tables.inbox_queue.set_aside(reads, SET_ASIDE_SHOWN)
        if concerns(r["actor"], server)
    ]  # fmt: skip
    return await render(request, "team/deliveries.html", deliveries=rows, servers=servers,
                        refusals=refusals, aside=aside, server=server,
                        flag=request.query_params.get("fait"))  # fmt: skip


@requires(accounts.ADMIN)
async def retry(request: Request) -> Response:
    """POST: a pending delivery due now (its backoff reset), and the worker woken."""
    node = node_of(request)
    try:
        _, form = await member_form(request)
        delivery_id = int(form.get("id", "0") or 0)
        async with node.store.write() as db:
            moved = await tables.deliveries.retry_now(db, delivery_id, time.time())
        if not moved:
            raise NotFoundError(
                f"no pending delivery {delivery_id}",
                fr="Cet envoi n'est plus en attente (parti, ou abandonné) : rechargez la page.",
                en="This delivery is no longer pending (sent, or given up on): reload the page.",
            )
    except ValueError:
        return await refused(request, NotFoundError("bad delivery id", fr="Envoi inconnu.",
                                                    en="Unknown delivery."))  # fmt: skip
    except InterlieuxError as error:
        return await refused(request, error)
    return done("/equipe/envois", "relance")
