"""A network and its decisions in a browser: the Group actor's page (members, rules, open
proposals, past decisions), a decision's page (the proposal, the close, each place's vote and
reason once closed, the tally) and its verification: the recount this node makes of the
published result from the signatures alone (`governance.recount`), valid or the problems.

Public, as the JSON: anyone may read and recount a network's decisions. Before the close, a
decision's page says how many places voted, not how: the votes are published at the close.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jcs
from cryptography.hazmat.primitives.asymmetric import ed25519
from starlette.requests import Request
from starlette.responses import Response

from ..actors import local
from ..actors.names import display_name
from ..actors.proof_keys import proof_key
from ..actors.routes import node_of
from ..context import Node
from ..errors import ConfigError, FederationError, RateLimited, SignatureError
from ..governance import decision as decisions_domain
from ..governance.recount import recount
from ..ledger import proof
from ..ledger.money import display, to_cents
from ..tables import decision_votes, decisions, network_members, networks, recounts
from ..timestamps import wire_to_posix
from . import i18n
from .render import language, local_time, render

KINDS = {"admit": "Admission d'un lieu", "rule": "Changement de règle",
         "step": "Étape d'un commun"}  # fmt: skip
MODES = {"consent": "Consentement : adoptée sauf objection motivée",
         "majority": "Majorité : adoptée si plus de « pour » que de « contre »"}  # fmt: skip
CHOICES = {"pour": "Pour", "contre": "Contre", "abstention": "Abstention"}
OUTCOMES = {"adopted": "Adoptée", "rejected": "Rejetée", "no_quorum": "Quorum non atteint"}
RULES = {"visitRate": "Tarif de passage par défaut (€)", "overdraft": "Découvert toléré (€)",
         "admission": "Mode des décisions d'admission"}  # fmt: skip
ADMISSION_MODES = {"majority": "majorité", "consent": "consentement"}
MONEY_RULES = ("visitRate", "overdraft")


def rule_value(name: str, value: Any, lang: str) -> str:
    """A rule's value as a person reads it: `6,00 €`, `majorité` (pure)."""
    if name in MONEY_RULES:
        try:
            return display(to_cents(str(value)), "EUR", lang, symbol=True)
        except ConfigError:
            return str(value)
    return i18n.say(ADMISSION_MODES.get(str(value), str(value)), lang)


RESULT_SIGNATURE = {
    "fr": "la signature du réseau sur le résultat ne vérifie pas",
    "en": "the network's signature on the result does not verify",
}

i18n.english(
    {
        **dict(
            (
                ("Admission d'un lieu", "Admission of a place"),
                ("Changement de règle", "Change of a rule"),
                ("Étape d'un commun", "Step of a commons"),
                (
                    "Consentement : adoptée sauf objection motivée",
                    "Consent: adopted unless someone objects with a reason",
                ),
                (
                    "Majorité : adoptée si plus de « pour » que de « contre »",
                    "Majority: adopted if more 'for' than 'against'",
                ),
                ("Pour", "For"),
                ("Contre", "Against"),
                ("Abstention", "Abstention"),
                ("Adoptée", "Adopted"),
                ("Rejetée", "Rejected"),
                ("Quorum non atteint", "Quorum not reached"),
                ("Tarif de passage par défaut (€)", "Default visit rate (€)"),
                ("Découvert toléré (€)", "Overdraft tolerated (€)"),
                ("Mode des décisions d'admission", "Mode of admission decisions"),
                ("majorité", "majority"),
                ("consentement", "consent"),
            )
        ),
        "Réseau de lieux": "Network of places",
        "Un lieu = une voix : chaque décision se recompte à partir des votes signés.": (
            "One place = one vote: every decision can be recounted from the signed votes."
        ),
        "Lieux membres": "Member places",
        "Règles du réseau": "The network's rules",
        "Elles ne changent que par décision.": "They change only by decision.",
        "Règle": "Rule",
        "Valeur": "Value",
        "Demandes d'adhésion": "Requests to join",
        "Propositions ouvertes": "Open proposals",
        "Aucune proposition ouverte.": "No open proposal.",
        "Décisions passées": "Past decisions",
        "Aucune décision pour l'instant.": "No decision yet.",
        "clôture": "closes",
        "close le": "closed on",
        "Proposition": "Proposal",
        "Décision": "Decision",
        "Type": "Kind",
        "Objet": "Subject",
        "Mode": "Mode",
        "Quorum": "Quorum",
        "votes comptés nécessaires, abstentions comprises": (
            "counted votes needed, abstentions included"
        ),
        "Proposée par": "Proposed by",
        "Clôture": "Close",
        "Membres à l'ouverture": "Members at the opening",
        "Ouverte : les votes seront publiés à la clôture.": (
            "Open: the votes will be published at the close."
        ),
        "lieu(x) a (ont) voté.": "place(s) voted.",
        "Résultat": "Result",
        "Votes": "Votes",
        "Lieu": "Place",
        "Choix": "Choice",
        "Raison": "Reason",
        "Aucun vote compté.": "No vote counted.",
        "Décompte": "Tally",
        "Vérifier": "Verify",
        "Vérifier le décompte": "Verify the tally",
        "Le recompte de ce nœud": "This node's recount",
        "Ce nœud a relu chaque vote, vérifié sa signature avec la clé publiée par son lieu, "
        "vérifié la liste des membres à la clôture, puis recompté.": (
            "This node read every vote again, checked its signature against the key its place "
            "publishes, checked the members at the close, then recounted."
        ),
        "Valide : le décompte publié est exactement celui des votes signés.": (
            "Valid: the published tally is exactly what the signed votes give."
        ),
        "Non valide : ": "Not valid: ",
        "problème(s) trouvé(s).": "problem(s) found.",
        "Pas encore close : rien à recompter.": "Not closed yet: nothing to recount.",
        "Recompté le": "Recounted on",
        "Retour à la décision": "Back to the decision",
        "Le document JSON de la décision": "The decision's JSON document",
        "N'importe qui peut refaire ce recompte : « interlieux decision verify » suivi de "
        "l'adresse de la décision.": (
            "Anyone can make this recount again: 'interlieux decision verify' followed by the "
            "decision's address."
        ),
        "Réseau": "Network",
    }
)


# --- the recount this node makes --------------------------------------------------------------


async def recount_here(request: Request, result: dict[str, Any]) -> dict[str, Any]:
    """`decision verify` made by this node on the result it holds, with `checked_at`: when.

    A valid recount is kept (`tables.recounts`) under the digest of the result's canonical
    JSON: a published result never changes and a signature that held still holds, so the
    1,000 signatures of a large network are checked once, not at every visit. An invalid one
    (a key that could not be read, say) is made again at the next visit."""
    node = node_of(request)
    digest = hashlib.sha256(jcs.canonicalize(result)).hexdigest()
    kept = await recounts.find(node.store.reads, digest)
    if kept is not None:
        return {**kept[0], "checked_at": kept[1]}
    report = await _recount(node, result)
    now = time.time()
    if report["valid"]:
        proposal = result.get("proposal")
        decision = str(proposal.get("id")) if isinstance(proposal, dict) else ""
        async with node.store.write() as db:
            await recounts.keep(db, digest, decision, report, now)
    return {**report, "checked_at": now}


async def _recount(node: Node, result: dict[str, Any]) -> dict[str, Any]:
    """The network's signature on the result, then each vote against the key its proof
    names (`actors.proof_keys`: a place's key this node never read is fetched once, then
    kept), recounted by `recount.recount`."""
    problems: list[dict[str, Any]] = []
    proposal = result.get("proposal")
    group = proposal.get("audience") if isinstance(proposal, dict) else None
    try:
        if not isinstance(group, str) or result.get("attributedTo") != group:
            raise SignatureError("the result is not the network's")
        method = proof.verify(result, await _proof_keys(node, result))
        if method.split("#")[0] != group:
            raise SignatureError(f"{method} is not {group}'s key")
    except FederationError:
        problems.append({"problem": "result_signature", **RESULT_SIGNATURE})
    members = result.get("members")
    listed = [m for m in members if isinstance(m, str)] if isinstance(members, list) else []
    keys_by_place: dict[str, dict[str, ed25519.Ed25519PublicKey]] = {p: {} for p in listed}
    votes = result.get("votes")
    for vote in votes if isinstance(votes, list) else []:
        place = vote.get("attributedTo") if isinstance(vote, dict) else None
        if place in keys_by_place:
            found = await _proof_key(node, vote)
            if found is not None:
                keys_by_place[place][found[0]] = found[1]
    report = recount(result, keys_by_place, listed)
    report["problems"] = problems + report["problems"]
    report["valid"] = not report["problems"]
    return report


async def _proof_key(node: Node, obj: Any) -> tuple[str, ed25519.Ed25519PublicKey] | None:
    try:
        return await proof_key(node, obj, fetch=True)
    except RateLimited:  # keys fetched too often lately: this recount goes without
        return None


async def _proof_keys(node: Node, obj: Any) -> Any:
    found = await _proof_key(node, obj)
    return {found[0]: found[1]}.get if found else (lambda method: None)


# --- what the pages show ----------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    text: str
    href: str | None


@dataclass(frozen=True)
class DecisionView:
    id: str
    path: str  # the decision's path here ("" when it is hosted elsewhere)
    title: str
    text: str
    kind: str
    mode: str
    quorum: int
    closes: datetime | None
    published: datetime | None
    proposer: str
    proposer_name: str
    subject: Subject
    members: list[tuple[str, str]]  # (id, name) at the opening
    network: str
    network_name: str
    state: str  # open | closed
    outcome: str | None


async def subject_of(request: Request, kind: str, subject: Any) -> Subject:
    node = node_of(request)
    if kind == "rule" and isinstance(subject, dict):
        name = str(subject.get("name"))
        lang = language(request)
        label = i18n.say(RULES.get(name, name), lang)
        return Subject(f"{label} : {rule_value(name, subject.get('value'), lang)}", None)
    if isinstance(subject, str) and subject.startswith("http"):
        name = await display_name(node.store.reads, subject) if kind == "admit" else subject
        return Subject(name, subject)
    return Subject(str(subject or ""), None)


def at(request: Request, wire: Any) -> datetime | None:
    return local_time(wire if isinstance(wire, str) else None, node_of(request).config.timezone)


def posix_at(request: Request, posix: float) -> datetime | None:
    return local_time(datetime.fromtimestamp(posix, UTC), node_of(request).config.timezone)


async def decision_view(request: Request, row: Any) -> DecisionView:
    node = node_of(request)
    reads = node.store.reads
    proposal = json.loads(row["proposal"])
    result = json.loads(row["result"]) if row["result"] else None
    kind = str(proposal.get("decisionKind"))
    members = [str(m) for m in proposal.get("members") or [] if isinstance(m, str)]
    did = str(row["id"])
    return DecisionView(
        id=did,
        path=did.removeprefix(node.config.base_url) if node.config.is_local(did) else "",
        title=str(proposal.get("name", "")),
        text=str(proposal.get("content", "")),
        kind=KINDS.get(kind, kind),
        mode=MODES.get(str(proposal.get("decisionMode")), str(proposal.get("decisionMode"))),
        quorum=int(proposal.get("quorum") or 0),
        closes=at(request, proposal.get("endTime")),
        published=at(request, proposal.get("published")),
        proposer=str(proposal.get("attributedTo")),
        proposer_name=await display_name(reads, str(proposal.get("attributedTo"))),
        subject=await subject_of(request, kind, proposal.get("object")),
        members=[(m, await display_name(reads, m)) for m in members],
        network=str(row["network"]),
        network_name=await display_name(reads, str(row["network"])),
        state=str(row["state"]),
        outcome=str(result.get("outcome")) if result else None,
    )


async def votes_view(request: Request, result: dict[str, Any]) -> list[dict[str, str]]:
    """The counted votes of a result, each with its place's name, choice and reason."""
    reads = node_of(request).store.reads
    shown = []
    for vote in result.get("votes") or []:
        if not isinstance(vote, dict):
            continue
        place = str(vote.get("attributedTo"))
        shown.append({"place": place, "name": await display_name(reads, place),
                      "choice": CHOICES.get(str(vote.get("choice")), str(vote.get("choice"))),
                      "reason": str(vote.get("reason", ""))})  # fmt: skip
    return sorted(shown, key=lambda v: v["name"].casefold())


# --- the network's page (the Group actor's URL) ------------------------------------------------


async def network_page(request: Request, group: local.LocalActor) -> Response:
    node = node_of(request)
    reads = node.store.reads
    row = await networks.find(reads, group.id)
    if row is None:
        return await render(request, "missing.html", status=404)
    rules = json.loads(row["rules"])
    listed = await network_members.members(reads, group.id)
    members = [(m, await display_name(reads, m)) for m in listed]
    asked = [(r["place"], await display_name(reads, r["place"]))
             for r in await network_members.requests(reads, group.id)]  # fmt: skip
    views = [await decision_view(request, r) for r in await decisions.listing(reads, group.id)]
    return await render(
        request, "governance/network.html", group=group,
        members=sorted(members, key=lambda m: m[1].casefold()), asked=asked,
        rules=[(RULES.get(k, k), rule_value(k, v, language(request)))
               for k, v in sorted(rules.items())],
        open=[v for v in views if v.state == "open"], outcomes=OUTCOMES,
        closed=[v for v in views if v.state == "closed"],
    )  # fmt: skip


# --- a decision's page, and its verification -----------------------------------------------


async def _hosted(request: Request) -> Any:
    node = node_of(request)
    row = await decisions.find(
        node.store.reads, f"{node.config.base_url}/decisions/{request.path_params['did']}"
    )
    return row if row is not None and row["hosted"] else None


async def decision_page(request: Request) -> Response:
    row = await _hosted(request)
    if row is None:
        return await render(request, "missing.html", status=404)
    view = await decision_view(request, row)
    result = json.loads(row["result"]) if row["result"] else None
    voted = len({v["place"] for v in await decision_votes.of_decision(
        node_of(request).store.reads, view.id)})  # fmt: skip
    closed_at = None
    if result is not None:
        try:
            closed_at = posix_at(request, wire_to_posix(str(result.get("published"))))
        except ValueError:
            closed_at = None
    return await render(
        request, "governance/decision.html", d=view, result=result, voted=voted,
        votes=await votes_view(request, result) if result else [], closed_at=closed_at,
        choices=decisions_domain.CHOICES, outcomes=OUTCOMES,
    )  # fmt: skip


async def verification_page(request: Request) -> Response:
    row = await _hosted(request)
    if row is None:
        return await render(request, "missing.html", status=404)
    view = await decision_view(request, row)
    report = await recount_here(request, json.loads(row["result"])) if row["result"] else None
    checked = posix_at(request, report["checked_at"]) if report else None
    return await render(request, "governance/verification.html", d=view, report=report,
                        checked=checked, outcomes=OUTCOMES)  # fmt: skip
