"""`/equipe/travaux`: the node's long work and how far along it is: the reads of followed
places' outboxes (backfills), the knowledge graph catching up with the node's changes (or
rebuilt), the monthly claim runs, the queues (activities to apply, deliveries to send).

The figures update themselves in place (static/team-work.js, with a pause button: an update
nobody can stop fails WCAG 2.2.1, which is why the page has no `<meta http-equiv="refresh">`
by default); without script, a reload link, or `?auto=1`, the same page with a meta refresh
the person chose, and a link to stop it."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ... import tables
from ...actors.names import names_of
from ...actors.routes import node_of
from ...people import accounts
from ...query.client import EngineFailed, QueryTimeout, engine_for
from ...queues import DeliveryState, InboxState
from .. import i18n
from ..gate import requires
from ..headers import no_store
from ..render import render
from .operations import at

log = logging.getLogger(__name__)

REFRESH_SECONDS = 10  # the page reloads itself this often
STATUS_TIMEOUT = 5.0  # seconds the graph engine has to say how it stands
CLAIM_RUNS_SHOWN = 12  # months

i18n.english(
    {
        "Travaux en cours": "Work in progress",
        "Cette page se met à jour toute seule toutes les": "This page updates itself every",
        "secondes": "seconds",
        "Graphe de connaissances": "Knowledge graph",
        "Objets dans le graphe": "Objects in the graph",
        "Lieux (graphes nommés)": "Places (named graphs)",
        "Changements à lire": "Changes to read",
        "à jour": "up to date",
        "Le moteur du graphe ne répond pas pour l'instant ; il reprend seul au prochain "
        "démarrage.": (
            "The graph engine does not answer for now; it resumes by itself at the next start."
        ),
        "Lectures des lieux suivis": "Reading followed places",
        "Aucune lecture pour l'instant.": "No read yet.",
        "Lieu suivi": "Followed place",
        "Objets lus": "Items read",
        "à faire": "to do",
        "terminée": "done",
        "échouée": "failed",
        "Réclamations mensuelles": "Monthly claims",
        "Aucun mois réclamé par le nœud pour l'instant.": "No month claimed by the node yet.",
        "Mois": "Month",
        "Envoyées le": "Sent on",
        "Files d'attente": "Queues",
        "Activités reçues à appliquer": "Received activities to apply",
        "Activités mises de côté": "Activities set aside",
        "Envois en attente": "Deliveries pending",
        "Envois abandonnés": "Deliveries given up on",
        "voir les envois": "see the deliveries",
        "Mettre en pause la mise à jour": "Pause the updates",
        "Arrêter la mise à jour automatique": "Stop the automatic updates",
        "Mettre à jour toute seule (sans script)": "Update by itself (without script)",
        "Mettre à jour maintenant": "Update now",
    }
)

BACKFILL_STATES = {"new": "à faire", "done": "terminée", "failed": "échouée"}


async def _graph(request: Request) -> dict[str, Any] | None:
    """The engine's own account of the graph, or None when it cannot say in time."""
    try:
        answer = await engine_for(node_of(request).store.path).request("status", STATUS_TIMEOUT)
        found: dict[str, Any] = json.loads(answer.body)
    except (QueryTimeout, EngineFailed, OSError, ValueError) as exc:
        log.warning("graph status unavailable: %r", exc)
        return None
    total = int(found.get("position", 0)) + int(found.get("behind", 0))
    found["done_percent"] = 100 if total == 0 else round(100 * found["position"] / total)
    return found


@requires(accounts.ADMIN)
async def page(request: Request) -> Response:
    node = node_of(request)
    reads = node.store.reads
    listed = await tables.backfills.listing(reads)
    names = await names_of(reads, [r["actor"] for r in listed])
    backfills = [
        {"actor": r["actor"], "name": names[r["actor"]],
         "state": r["state"], "state_text": BACKFILL_STATES.get(r["state"], r["state"]),
         "read": r["items"], "attempts": r["attempts"], "error": r["last_error"] or "",
         "finished": at(request, r["finished_at"]), "next": at(request, r["next_attempt_at"])}
        for r in listed
    ]  # fmt: skip
    runs = [(period, at(request, ran)) for period, ran in
            await tables.claim_runs.listing(reads, CLAIM_RUNS_SHOWN)]  # fmt: skip
    inbox = await tables.inbox_queue.state_counts(reads)
    sending = await tables.deliveries.state_counts(reads)
    queues = {
        "to_apply": inbox.get(InboxState.NEW, 0), "set_aside": inbox.get(InboxState.FAILED, 0),
        "pending": sending.get(DeliveryState.PENDING, 0),
        "failed": sending.get(DeliveryState.FAILED, 0),
    }  # fmt: skip
    return no_store(await render(request, "team/work.html", backfills=backfills, runs=runs,
                                 queues=queues, graph=await _graph(request),
                                 refresh=REFRESH_SECONDS,
                                 auto=request.query_params.get("auto") == "1"))  # fmt: skip
