"""The team's commands for the agenda: answer pending Joins, and read followed places' past.

`accept` and `reject` post the same Accept or Reject a client would post to the outbox of the
event's host, so that the checks, the answer to the participant and the Update of the counts
to followers are the outbox's own.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..actors import local
from ..config import NodeConfig
from ..context import Command, Node, Runner
from ..errors import InvalidActivity, NotFoundError
from ..outbox.publish import publish
from ..tables import backfills, event_requests, follows
from ..timestamps import posix_to_operator
from . import handlers


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("agenda", help="demandes de participation, agenda partagé")
    asub = p.add_subparsers(dest="agenda_command", required=True)
    a = asub.add_parser("requests", help="demandes de participation en attente")
    a.add_argument("--data", required=True, type=Path)
    for verb, text in (("accept", "accepter"), ("reject", "refuser")):
        a = asub.add_parser(verb, help=f"{text} une demande de participation")
        a.add_argument("--data", required=True, type=Path)
        a.add_argument("--join", help="id de la demande (Join), voir « agenda requests »")
        a.add_argument("--event", help="ou l'événement…")
        a.add_argument("--actor", help="…et l'adresse du participant")
        if verb == "reject":
            a.add_argument("--reason", default="", help="motif envoyé au participant")
    a = asub.add_parser("backfill", help="relire ce que les lieux suivis ont déjà publié")
    a.add_argument("--data", required=True, type=Path)
    a.add_argument("--actor", help="un lieu suivi (par défaut : tous)")
    a.add_argument("--list", action="store_true", help="montrer l'état des lectures")


def cmd_agenda(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    command = args.agenda_command
    if command == "requests":
        _print_requests(config, run)
    elif command == "backfill":
        _backfill(config, args, run)
    else:
        _answer(config, args, run)


def _print_requests(config: NodeConfig, run: Runner) -> None:
    rows = run(config, handlers.pending_requests)
    if not rows:
        print("Aucune demande de participation en attente.")
    for r in rows:
        line = f"{r['created']}\t« {r['name']} »\t{r['actor']}\t{r['join']}"
        print(line + (f"\t{r['message']}" if r["message"] else ""))


def _answer(config: NodeConfig, args: argparse.Namespace, run: Runner) -> None:
    if not (args.join or (args.event and args.actor)):
        raise InvalidActivity(
            "say which Join to answer",
            fr="Indiquez la demande : --join ID, ou --event et --actor (voir « interlieux "
            "agenda requests »).",
            en="Say which request: --join ID, or --event and --actor (see 'interlieux agenda "
            "requests').",
        )

    async def work(node: Node) -> dict[str, Any]:
        found = await event_requests.answerable(node.store.reads, args.join, args.event, args.actor)
        host = await local.by_id(node.store, found[1]) if found and found[1] else None
        if found is None or host is None:
            raise NotFoundError(
                f"no Join {args.join or args.actor}",
                fr="Aucune demande de participation ne correspond : voir « interlieux agenda "
                "requests ».",
                en="No participation request matches: see 'interlieux agenda requests'.",
            )
        answer: dict[str, Any] = {
            "type": "Accept" if args.agenda_command == "accept" else "Reject",
            "object": found[0],
        }
        if getattr(args, "reason", ""):
            answer["content"] = args.reason
        return await publish(node, host, answer)

    activity = run(config, work)
    done = "acceptée" if activity["type"] == "Accept" else "refusée"
    print(f"Demande {done} ; le nœud prévient le participant et les abonnés :")
    print(activity["id"])


def _backfill(config: NodeConfig, args: argparse.Namespace, run: Runner) -> None:
    async def work(node: Node) -> list[Any]:
        if not args.list:
            followed = (
                [args.actor]
                if args.actor
                else await follows.accepted_followees(node.store.reads, config.place_id)
            )
            async with node.store.write() as db:
                for actor in followed:
                    if not config.is_local(actor):
                        await backfills.request(db, actor)
        return await backfills.listing(node.store.reads)

    rows = run(config, work)
    if not rows:
        print("Aucune lecture d'agenda : le lieu ne suit encore aucun lieu.")
    labels = {"new": "à faire", "done": "faite", "failed": "en échec"}
    for r in rows:
        line = f"{labels.get(r['state'], r['state'])}\t{r['actor']}"
        if r["finished_at"]:
            when = posix_to_operator(r["finished_at"])
            line += f"\t{r['items']} activités lues le {when}"
        if r["last_error"]:
            line += f"\traison : {r['last_error']}"
        print(line)


COMMANDS: dict[str, Command] = {"agenda": cmd_agenda}
