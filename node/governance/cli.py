"""`interlieux network …` and `interlieux decision …`: a network of places and its decisions,
from a team's terminal. French first; `--lang en` for English; `--json` for scripts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..actors import local
from ..cliparts import moment, say
from ..config import NodeConfig, is_loopback_host
from ..context import Command, Node, Runner
from ..errors import ConfigError, FederationError
from ..fetch import client, fetch_document
from ..tables import decisions, network_members, networks
from ..timestamps import posix_to_operator, posix_to_wire
from . import decision, network, verify
from .sending import Answer, refusal, send_now


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("network", help="un réseau de lieux (acteur Group) et ses membres")
    nsub = p.add_subparsers(dest="network_command", required=True)
    n = nsub.add_parser("create", help="créer un réseau hébergé par ce nœud")
    n.add_argument("--data", required=True, type=Path)
    n.add_argument("--handle", required=True, help="identifiant du réseau, ex. bil")
    n.add_argument("--name", required=True, help="nom du réseau, ex. « Réseau BIL »")
    n = nsub.add_parser("join", help="demander à rejoindre un réseau (admission par décision)")
    n.add_argument("--data", required=True, type=Path)
    n.add_argument("--network", required=True, help="adresse de l'acteur du réseau")
    n = nsub.add_parser("admit", help="admettre le deuxième membre fondateur (tant que le "
                        "fondateur est seul membre ; ensuite, par décision)")  # fmt: skip
    n.add_argument("--data", required=True, type=Path)
    n.add_argument("--network", required=True, help="identifiant ou adresse du réseau")
    n.add_argument("--place", required=True, help="adresse de l'acteur du lieu")
    n = nsub.add_parser("leave", help="quitter un réseau (ses lieux ne sont plus des pairs, "
                        "sauf accord bilatéral)")  # fmt: skip
    n.add_argument("--data", required=True, type=Path)
    n.add_argument("--network", required=True, help="adresse de l'acteur du réseau")
    n = nsub.add_parser("show", help="les réseaux connus : membres, règles, demandes")
    n.add_argument("--data", required=True, type=Path)
    n.add_argument("--json", action="store_true")

    p = sub.add_parser("decision", help="décisions d'un réseau : un lieu = une voix")
    dsub = p.add_subparsers(dest="decision_command", required=True)
    d = dsub.add_parser("propose", help="soumettre une proposition au réseau")
    d.add_argument("--data", required=True, type=Path)
    d.add_argument("--network", required=True, help="adresse de l'acteur du réseau")
    d.add_argument("--kind", required=True, choices=decision.KINDS)
    d.add_argument("--title", required=True)
    d.add_argument("--text", default="")
    d.add_argument("--closes", required=True, help="clôture, ISO 8601 avec fuseau")
    d.add_argument("--mode", choices=decision.MODES, help="par défaut : majority ; pour une "
                   "admission, le mode que fixe la règle admission du réseau")  # fmt: skip
    d.add_argument("--quorum", type=int, help="votes comptés nécessaires (par défaut : la "
                   "majorité des membres)")  # fmt: skip
    d.add_argument("--subject", required=True, help="admit : l'adresse du lieu ; step : "
                   "l'adresse de l'étape ; rule : nom=valeur (visitRate, overdraft, "
                   "admission)")  # fmt: skip
    d = dsub.add_parser("vote", help="voter au nom du lieu (vote signé)")
    d.add_argument("--data", required=True, type=Path)
    d.add_argument("--decision", required=True, help="adresse de la décision")
    d.add_argument("--choice", required=True, choices=decision.CHOICES)
    d.add_argument("--reason", default="")
    d = dsub.add_parser("list", help="les propositions et décisions des réseaux du lieu")
    d.add_argument("--data", required=True, type=Path)
    d.add_argument("--json", action="store_true")
    d = dsub.add_parser("verify", help="recompter une décision publiée à partir des signatures")
    d.add_argument("url")
    d.add_argument("--data", type=Path, help="lire signé par ce lieu (serveurs en « authorized "
                   "fetch »)")  # fmt: skip


# --- network -------------------------------------------------------------------------------


def cmd_network(args: argparse.Namespace, run: Runner) -> int:
    config = NodeConfig.load(args.data)
    command = args.network_command
    if command == "create":
        group = run(config, lambda n: _create(n, args.handle, args.name))
        say(args, f"Réseau créé : {group.id} (membre fondateur : {config.place_id})",
            f"Network created: {group.id} (founding member: {config.place_id})")  # fmt: skip
        print(group.id)
        return 0
    if command == "join":
        answer = run(config, lambda n: _join(n, args.network))
        return _answered(args, answer, "Demande d'adhésion envoyée : le réseau décidera de "
                         "l'admission.", "Join request sent: the network will decide.")  # fmt: skip
    if command == "leave":
        answer = run(config, lambda n: network.leave(n, args.network))
        return _answered(args, answer, "Le lieu a quitté le réseau : ses lieux ne sont plus des "
                         "pairs (sauf accord bilatéral), le réseau en informe ses membres.",
                         "The place left the network: its places are no peers any more "
                         "(unless agreed bilaterally); the network tells its members.")  # fmt: skip
    if command == "admit":
        run(config, lambda n: _admit(n, args.network, args.place))
        say(args, f"{args.place} est membre du réseau ; chaque membre en est informé.",
            f"{args.place} is a member of the network; every member is told.")  # fmt: skip
        return 0
    rows = run(config, _networks)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for row in rows:
        state = {"member": "membre", "asked": "demande envoyée"}.get(row["place"] or "", "—")
        print(f"{row['id']}\t{'hébergé ici' if row['hosted'] else 'ailleurs'}\tce lieu : {state}")
        print(f"\tmembres : {', '.join(row['members'])}")
        print(f"\trègles : {json.dumps(row['rules'], ensure_ascii=False)}")
        for asked in row["requests"]:
            print(f"\tdemande d'adhésion : {asked}")
    return 0


async def _create(node: Node, handle: str, name: str) -> local.LocalActor:
    async with node.store.write() as db:
        return await network.create(db, node, handle, name, node.config.place_id)


async def _join(node: Node, network_id: str) -> Answer:
    place = await local.by_handle(node.store, node.config.handle)
    await node.directory.get(network_id)  # said at once if it is no actor
    join_id = f"{node.config.base_url}/activities/{uuid.uuid4()}"
    async with node.store.write() as db:
        await networks.asked(db, network_id, join_id, time.time())
    return await send_now(node, place, {
        "id": join_id, "type": "Join", "actor": place.id, "object": network_id,
        "to": [network_id], "published": posix_to_wire(time.time()),
    })  # fmt: skip


async def _admit(node: Node, network_ref: str, place: str) -> None:
    await node.directory.get(place)  # its inbox, for the announcements
    async with node.store.write() as db:
        group = await network.hosted_group(db, node, network_ref)
        await network.admit_founding_member(db, node, group, place)


async def _networks(node: Node) -> list[dict[str, Any]]:
    out = []
    for row in await networks.every_network(node.store.reads):
        asked = await network_members.requests(node.store.reads, row["id"])
        out.append({
            "id": row["id"], "hosted": row["handle"] is not None, "place": row["place_state"],
            "members": json.loads(row["members"]), "rules": json.loads(row["rules"]),
            "requests": [r["place"] for r in asked],
        })  # fmt: skip
    return out


def _answered(args: argparse.Namespace, answer: Answer, fr: str, en: str) -> int:
    if answer.taken:
        say(args, fr, en)
        return 0
    if answer.queued:
        say(args, f"Le nœud du réseau ne répond pas ({answer.error}) : l'envoi est en file et "
            "sera réessayé (« interlieux deliveries »).", f"The network's node does not answer "
            f"({answer.error}): it is queued and will be retried.")  # fmt: skip
        return 0
    raise refusal(answer)


# --- decision ------------------------------------------------------------------------------


def cmd_decision(args: argparse.Namespace, run: Runner) -> int:
    command = args.decision_command
    if command == "verify":
        return _verify(args, run)
    config = NodeConfig.load(args.data)
    if command == "propose":
        closes = moment(args.closes, "--closes").timestamp()
        answer = run(config, lambda n: _propose(n, args, closes))
        return _answered(args, answer, "Proposition envoyée : le réseau l'ouvre à ses lieux "
                         "membres (« interlieux decision list » montre son adresse).",
                         "Proposal sent: the network opens it to its member places "
                         "('interlieux decision list' shows its address).")  # fmt: skip
    if command == "vote":
        answer = run(config, lambda n: _vote(n, args.decision, args.choice, args.reason))
        return _answered(args, answer, "Vote signé et pris par le réseau (un nouveau vote "
                         "avant la clôture le remplace).", "Vote signed and taken by the "
                         "network (a new vote before the close replaces it).")  # fmt: skip
    rows = run(config, _decisions)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if not rows:
        say(args, "Aucune proposition pour l'instant.", "No proposal yet.")
    for row in rows:
        outcome = row["outcome"] or "ouverte"
        print(f"{row['id']}\t{row['kind']}\t{row['title']}\tclôture "
              f"{posix_to_operator(row['closes'])}\t{outcome}")  # fmt: skip
    return 0


def _subject(kind: str, text: str) -> Any:
    if kind != "rule":
        return text
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ConfigError("--subject for a rule is name=value",
                          fr="--subject d'une règle : nom=valeur, ex. visitRate=6.00.",
                          en="--subject of a rule: name=value, e.g. visitRate=6.00.")  # fmt: skip
    return {"name": name.strip(), "value": value.strip()}


async def _propose(node: Node, args: argparse.Namespace, closes: float) -> Answer:
    place = await local.by_handle(node.store, node.config.handle)
    draft: dict[str, Any] = {
        "id": f"{node.config.base_url}/objects/{uuid.uuid4()}", "type": decision.PROPOSAL,
        "attributedTo": place.id, "audience": args.network, "decisionKind": args.kind,
        "name": args.title, "content": args.text, "endTime": posix_to_wire(closes),
        "object": _subject(args.kind, args.subject), "to": [args.network],
    }  # fmt: skip
    if args.mode is not None:  # else the network's: its admission rule for an admission
        draft["decisionMode"] = args.mode
    if args.quorum is not None:
        draft["quorum"] = args.quorum
    return await send_now(node, place, {
        "id": f"{node.config.base_url}/activities/{uuid.uuid4()}", "type": "Offer",
        "actor": place.id, "object": draft, "to": [args.network],
        "published": posix_to_wire(time.time()),
    })  # fmt: skip


def vote_id(base_url: str, now: float) -> str:
    """A vote's id, in the order the place voted: votes are dated to the second, and two of
    the same second are told apart by id (decision.latest), so the later must sort last."""
    return f"{base_url}/objects/{int(now * 1000):013d}-{uuid.uuid4()}"


async def _vote(node: Node, decision_id: str, choice: str, reason: str) -> Answer:
    place = await local.by_handle(node.store, node.config.handle)
    proposal = await _proposal(node, decision_id)
    vote = decision.vote(
        vote_id(node.config.base_url, time.time()), place.id, proposal, choice, reason,
        time.time(), place.keys.ed25519_private, place.ed25519_key_id,
    )  # fmt: skip
    return await send_now(node, place, {
        "id": f"{node.config.base_url}/activities/{uuid.uuid4()}", "type": "Create",
        "actor": place.id, "object": vote, "to": [proposal.network],
        "published": vote["published"],
    })  # fmt: skip


async def _proposal(node: Node, decision_id: str) -> decision.Proposal:
    """The proposal as its network serves it (the terms the vote signs), else as announced."""
    try:
        place = await local.by_handle(node.store, node.config.handle)
        document = await fetch_document(node.http, decision_id,
                                        (place.key_id, place.keys.rsa_private))  # fmt: skip
    except FederationError:
        row = await decisions.find(node.store.reads, decision_id)
        if row is None:
            raise
        document = json.loads(row["proposal"])
    try:
        return decision.Proposal.from_json(document)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{decision_id} is no proposal",
                          fr=f"{decision_id} n'est pas une proposition d'un réseau.",
                          en=f"{decision_id} is not a network's proposal.") from exc  # fmt: skip


async def _decisions(node: Node) -> list[dict[str, Any]]:
    out = []
    for row in await decisions.listing(node.store.reads):
        proposal = json.loads(row["proposal"])
        result = json.loads(row["result"]) if row["result"] else None
        out.append({
            "id": row["id"], "network": row["network"], "kind": proposal.get("decisionKind"),
            "title": proposal.get("name"), "proposer": proposal.get("attributedTo"),
            "closes": row["closes"], "state": row["state"],
            "outcome": result.get("outcome") if result else None,
            "subject": proposal.get("object"),
        })  # fmt: skip
    return out


def _verify(args: argparse.Namespace, run: Runner) -> int:
    if args.data is not None:
        config = NodeConfig.load(args.data)

        async def signed(node: Node) -> dict[str, Any]:
            place = await local.by_handle(node.store, node.config.handle)
            signer = (place.key_id, place.keys.rsa_private)
            return await verify.verify(
                lambda url: fetch_document(node.http, url, signer, node.directory.knocks),
                args.url,
            )

        report = run(config, signed)
    else:
        report = asyncio.run(_unsigned(args.url))
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0 if report["valid"] else 1


async def _unsigned(url: str) -> dict[str, Any]:
    # Loopback only for a loopback decision (a network in development), as a node allows it.
    http = client(allow_loopback=is_loopback_host(urlsplit(url).hostname or ""))
    try:
        return await verify.verify(lambda u: fetch_document(http, u, None), url)
    finally:
        await http.aclose()


COMMANDS: dict[str, Command] = {"network": cmd_network, "decision": cmd_decision}
