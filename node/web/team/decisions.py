"""`/equipe/decisions`: the place's part in its networks' decisions, what `interlieux decision
propose` and `decision vote` do. The team proposes to a network the place is a member of,
votes pour, contre or abstention with a reason (in consent mode a `contre` must say why),
sees the vote the place sent and changes it before the close (the network counts the latest).

Proposals and votes go through the commands' own path (`governance.sending.send_now`): stored
and posted at once, so that the network's refusal (a vote after the close, a quorum above the
membership) is said on the form with the network's reason, and a network that does not answer
gets it later from the delivery worker.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...actors.names import display_name
from ...actors.routes import node_of
from ...errors import InterlieuxError, InvalidParameter
from ...governance import decision
from ...governance.cli import vote_id
from ...governance.network import cannot_leave
from ...governance.network import leave as leave_network
from ...governance.rules import DEFAULT_RULES
from ...governance.sending import Answer, refusal, send_now
from ...people import accounts
from ...tables import decisions, networks, objects
from ...timestamps import posix_to_wire, wire_to_posix
from .. import i18n
from ..gate import member_form, refused, requires
from ..governance import CHOICES, KINDS, MODES, OUTCOMES, RULES, decision_view, recount_here
from ..render import language, local_time, render
from .actions import confirmation, done, place_actor
from .publishing import wire_time

SHOWN_CLOSED = 20  # past decisions on the page, the latest first, each recounted here

DONE = {
    "quitte": "Le lieu a quitté le réseau : ses lieux ne sont plus des pairs (sauf accord "
    "bilatéral), et le réseau en informe ses membres.",
    "propose": "Proposition envoyée : le réseau l'ouvre à ses lieux membres.",
    "vote": "Vote signé et pris par le réseau (un nouveau vote avant la clôture le remplace).",
    "en-file": "Le nœud du réseau ne répond pas : l'envoi est en file et sera réessayé.",
}

i18n.english(
    {
        "Décisions": "Decisions",
        "Décisions des réseaux": "The networks' decisions",
        "Un lieu = une voix. L'équipe vote au nom du lieu ; chaque vote est signé avec la clé "
        "du lieu, et n'importe qui peut recompter le résultat.": (
            "One place = one vote. The team votes in the place's name; each vote is signed "
            "with the place's key, and anyone can recount the result."
        ),
        "Proposition envoyée : le réseau l'ouvre à ses lieux membres.": (
            "Proposal sent: the network opens it to its member places."
        ),
        "Vote signé et pris par le réseau (un nouveau vote avant la clôture le remplace).": (
            "Vote signed and taken by the network (a new vote before the close replaces it)."
        ),
        "Le nœud du réseau ne répond pas : l'envoi est en file et sera réessayé.": (
            "The network's node does not answer: it is queued and will be retried."
        ),
        "Ce lieu n'est membre d'aucun réseau pour l'instant.": (
            "This place is not a member of any network yet."
        ),
        "Réseaux du lieu": "The place's networks",
        "membre": "member",
        "demande envoyée": "request sent",
        "À voter": "To vote on",
        "Aucune proposition ouverte.": "No open proposal.",
        "Le vote du lieu": "The place's vote",
        "Le lieu n'a pas encore voté.": "The place has not voted yet.",
        "envoyé le": "sent on",
        "Voter": "Vote",
        "Changer le vote": "Change the vote",
        "Choix": "Choice",
        "Raison": "Reason",
        "En mode consentement, un « contre » doit dire pourquoi.": (
            "In consent mode, an 'against' must say why."
        ),
        "Clôture passée : le résultat arrive.": "Close passed: the result is on its way.",
        "Décisions passées": "Past decisions",
        "Aucune décision pour l'instant.": "No decision yet.",
        "Recompté ici : valide": "Recounted here: valid",
        "Recompté ici : non valide": "Recounted here: not valid",
        "Proposer": "Propose",
        "Faire une proposition": "Make a proposal",
        "Réseau": "Network",
        "Type": "Kind",
        "Titre": "Title",
        "Texte": "Text",
        "Clôture": "Close",
        "Date et heure, à l'heure du lieu.": "Date and time, in the place's time zone.",
        "Mode": "Mode",
        "Quorum (facultatif)": "Quorum (optional)",
        "Votes comptés nécessaires ; par défaut, la majorité des membres.": (
            "Counted votes needed; by default, a majority of the members."
        ),
        "Objet : adresse du lieu ou de l'étape": "Subject: address of the place or the step",
        "Pour une admission, l'adresse (https://…) du lieu ; pour une étape, celle de l'étape.": (
            "For an admission, the address (https://…) of the place; for a step, the step's."
        ),
        "Règle changée": "Rule changed",
        "Nouvelle valeur": "New value",
        "Pour un changement de règle seulement.": "For a change of rule only.",
        "Envoyer la proposition": "Send the proposal",
        "Voir la décision": "See the decision",
        "proposée par": "proposed by",
        "Selon les règles du réseau (admission : sa règle ; sinon majorité)": (
            "As the network's rules say (admission: its rule; otherwise majority)"
        ),
        "Le lieu a quitté le réseau : ses lieux ne sont plus des pairs (sauf accord "
        "bilatéral), et le réseau en informe ses membres.": (
            "The place left the network: its places are no peers any more (unless agreed "
            "bilaterally), and the network tells its members."
        ),
        "Quitter le réseau": "Leave the network",
        "Retirer la demande": "Withdraw the request",
        "hébergé par ce lieu": "hosted by this place",
        "Ce lieu héberge le réseau : il ne peut pas le quitter.": (
            "This place hosts the network: it cannot leave it."
        ),
        "Oui, le lieu quitte ce réseau : ses lieux ne seront plus des pairs (sauf accord "
        "bilatéral) et il ne votera plus ; y revenir demande une nouvelle admission.": (
            "Yes, the place leaves this network: its places will no longer be peers (unless "
            "agreed bilaterally) and it will vote no more; coming back takes a new admission."
        ),
        "Cochez la case pour confirmer que le lieu quitte le réseau.": (
            "Tick the box to confirm that the place leaves the network."
        ),
    }
)


async def _context(request: Request) -> dict[str, Any]:
    node = node_of(request)
    reads = node.store.reads
    place = node.config.place_id
    known = [r for r in await networks.every_network(reads) if r["place_state"]]
    member_of = [r["id"] for r in known if r["place_state"] == "member"]
    nets = [{"id": r["id"], "name": await display_name(reads, r["id"]),
             "state": "membre" if r["place_state"] == "member" else "demande envoyée",
             "hosted": r["handle"] is not None, "key": f"n{i + 1}"}
            for i, r in enumerate(known)]  # fmt: skip
    open_ones: list[dict[str, Any]] = []
    closed: list[dict[str, Any]] = []
    now = time.time()
    for row in await decisions.of_networks(reads, member_of):
        if row["state"] != "open" and len(closed) >= SHOWN_CLOSED:
            continue  # views are built for the rows shown only
        view = await decision_view(request, row)
        if row["state"] == "open":
            sent = await objects.own_votes(reads, view.id, place)
            mine = sent[-1] if sent else None
            proposal = json.loads(row["proposal"])
            open_ones.append({
                "d": view, "consent": proposal.get("decisionMode") == "consent",
                "past": float(row["closes"]) <= now, "key": f"d{len(open_ones) + 1}",
                "mine": {"choice": str(mine.get("choice")), "reason": str(mine.get("reason", "")),
                         "at": local_time(mine.get("published"), node.config.timezone)}
                if mine else None,
            })  # fmt: skip
        else:
            report = await recount_here(request, json.loads(row["result"]))
            closed.append({"d": view, "valid": report["valid"]})
    return {"networks": nets, "member_of": [n for n in nets if n["id"] in member_of],
            "open": open_ones, "closed": closed, "kinds": KINDS, "modes": MODES,
            "choices": CHOICES, "outcomes": OUTCOMES,
            "rules": [(name, RULES.get(name, name)) for name in DEFAULT_RULES]}  # fmt: skip


async def _page(request: Request, status: int = 200, **more: Any) -> Response:
    return await render(request, "team/decisions.html", status=status,
                        done=confirmation(request, DONE), **(await _context(request)),
                        **more)  # fmt: skip


@requires(accounts.TEAM)
async def page(request: Request) -> Response:
    return await _page(request)


# --- proposing ---------------------------------------------------------------------------------


def draft_of(form: dict[str, str], place: str, base_url: str, timezone: str) -> dict[str, Any]:
    """The proposal's draft from the form, as `decision propose` builds it (pure). Raises
    InvalidParameter on what the network would refuse anyway, in French first."""
    kind = form.get("kind", "")
    if kind not in decision.KINDS:
        raise InvalidParameter(f"kind {kind!r}", fr="Choisissez le type de la proposition.",
                               en="Choose the kind of the proposal.")  # fmt: skip
    mode = form.get("mode", "")
    if mode and mode not in decision.MODES:
        raise InvalidParameter(f"mode {mode!r}", fr="Choisissez le mode de décision.",
                               en="Choose the mode of decision.")  # fmt: skip
    closes = wire_time(form.get("closes", ""), timezone)
    if kind == "rule":
        subject: Any = {"name": form.get("rule", "").strip(),
                        "value": form.get("value", "").strip()}  # fmt: skip
    else:
        subject = form.get("subject", "").strip()
    network = form.get("network", "")
    draft: dict[str, Any] = {
        "id": f"{base_url}/objects/{uuid.uuid4()}", "type": decision.PROPOSAL,
        "attributedTo": place, "audience": network, "decisionKind": kind,
        "name": form.get("title", "").strip(), "content": form.get("text", "").strip(),
        "endTime": posix_to_wire(wire_to_posix(closes)), "object": subject, "to": [network],
    }  # fmt: skip
    if mode:  # else the network's: its admission rule for an admission, majority otherwise
        draft["decisionMode"] = mode
    quorum = form.get("quorum", "").strip()
    if quorum:
        if not quorum.isdigit():
            raise InvalidParameter(f"quorum {quorum!r}",
                                   fr="Le quorum est un nombre entier de votes.",
                                   en="The quorum is a whole number of votes.")  # fmt: skip
        draft["quorum"] = int(quorum)
    return draft


def _answered(answer: Answer) -> str | None:
    """The confirmation key of a network's answer; ConfigError when it refused."""
    if answer.taken:
        return None
    if answer.queued:
        return "en-file"
    raise refusal(answer)


@requires(accounts.TEAM)
async def propose(request: Request) -> Response:
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    try:
        member_of = [r["id"] for r in await networks.every_network(node.store.reads)
                     if r["place_state"] == "member"]  # fmt: skip
        if form.get("network") not in member_of:
            raise InvalidParameter("not a member of that network",
                                   fr="Choisissez un réseau dont le lieu est membre.",
                                   en="Choose a network the place is a member of.")  # fmt: skip
        place = await place_actor(request)
        draft = draft_of(form, place.id, node.config.base_url, node.config.timezone)
        key = _answered(await send_now(node, place, {
            "id": f"{node.config.base_url}/activities/{uuid.uuid4()}", "type": "Offer",
            "actor": place.id, "object": draft, "to": [draft["audience"]],
            "published": posix_to_wire(time.time()),
        }))  # fmt: skip
    except InterlieuxError as error:
        return await _page(request, 400, error=error.message(language(request)), typed=form)
    return done("/equipe/decisions", key or "propose")


# --- leaving -----------------------------------------------------------------------------------


@requires(accounts.TEAM)
async def leave(request: Request) -> Response:
    """POST: the place leaves a network (`network leave`), once the team ticked the box."""
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    try:
        if form.get("confirm") != "oui":
            raise InvalidParameter("leaving not confirmed",
                                   fr="Cochez la case pour confirmer que le lieu quitte le "
                                   "réseau.", en="Tick the box to confirm that the place "
                                   "leaves the network.")  # fmt: skip
        network = form.get("network", "")
        row = await networks.find(node.store.reads, network)
        if row is not None and row["handle"] is not None:
            raise cannot_leave(network)
        key = _answered(await leave_network(node, network))
    except InterlieuxError as error:
        return await _page(request, 400, error=error.message(language(request)),
                           leaving=form.get("network"))  # fmt: skip
    return done("/equipe/decisions", key or "quitte")


# --- voting ------------------------------------------------------------------------------------


@requires(accounts.TEAM)
async def vote(request: Request) -> Response:
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    try:
        row = await decisions.find(node.store.reads, form.get("decision", ""))
        if row is None:
            raise InvalidParameter("unknown decision",
                                   fr="Cette décision est inconnue de ce nœud.",
                                   en="This node does not know this decision.")  # fmt: skip
        proposal = decision.Proposal.from_json(json.loads(row["proposal"]))
        place = await place_actor(request)
        now = time.time()
        signed = decision.vote(
            vote_id(node.config.base_url, now), place.id, proposal, form.get("choice", ""),
            form.get("reason", ""), now, place.keys.ed25519_private, place.ed25519_key_id,
        )  # fmt: skip
        key = _answered(await send_now(node, place, {
            "id": f"{node.config.base_url}/activities/{uuid.uuid4()}", "type": "Create",
            "actor": place.id, "object": signed, "to": [proposal.network],
            "published": signed["published"],
        }))  # fmt: skip
    except InterlieuxError as error:
        return await _page(request, 400, error=error.message(language(request)),
                           voting=form.get("decision"), typed=form)  # fmt: skip
    return done("/equipe/decisions", key or "vote")


ROUTES = [
    Route("/equipe/decisions", page),
    Route("/equipe/decisions/proposer", propose, methods=["POST"]),
    Route("/equipe/decisions/voter", vote, methods=["POST"]),
    Route("/equipe/decisions/quitter", leave, methods=["POST"]),
]
