"""The team's commands for volunteer calls: `call create|list|suggest|confirm|hours`.

`call create` posts what the team page posts to the place's outbox; `confirm` and `hours`
answer an offer as the page's buttons do; `list` and `suggest` read the rows this node holds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..cliparts import publish_as_place
from ..config import NodeConfig
from ..context import Command, Node, Runner
from ..tables import volunteer_calls, volunteer_offers
from . import calls

STATES_FR = {"offered": "proposée", "confirmed": "confirmée"}


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("call", help="appels à bénévoles du lieu")
    csub = p.add_subparsers(dest="call_command", required=True)
    c = csub.add_parser("create", help="publier un appel à bénévoles")
    c.add_argument("--data", required=True, type=Path)
    c.add_argument("--title", required=True, help="titre de l'appel")
    c.add_argument("--text", default="", help="ce qu'il y a à faire")
    c.add_argument("--skill", action="append", required=True, metavar="sk:…",
                   help="compétence de la nomenclature, ex. sk:soudure (répétable)")  # fmt: skip
    c.add_argument("--start", required=True, metavar="ISO8601",
                   help="début, ex. 2030-06-01T09:00 (heure du lieu sans décalage)")  # fmt: skip
    c.add_argument("--end", required=True, metavar="ISO8601", help="fin")
    c.add_argument("--people", default="1", help="nombre de personnes recherchées")
    c = csub.add_parser("list", help="les appels du lieu et les offres reçues")
    c.add_argument("--data", required=True, type=Path)
    c.add_argument("--json", action="store_true")
    c = csub.add_parser("suggest", help="les personnes qui correspondent à un appel")
    c.add_argument("--data", required=True, type=Path)
    c.add_argument("call", metavar="URL")
    c.add_argument("--json", action="store_true")
    c = csub.add_parser("confirm", help="confirmer un·e bénévole (son offre)")
    c.add_argument("--data", required=True, type=Path)
    c.add_argument("--offer", required=True, metavar="URL")
    c = csub.add_parser("hours", help="inscrire les heures faites par un·e bénévole")
    c.add_argument("--data", required=True, type=Path)
    c.add_argument("--offer", required=True, metavar="URL")
    c.add_argument("--hours", required=True, help="heures faites, ex. 3.5")


async def calls_and_offers(node: Node) -> list[dict[str, Any]]:
    """The place's calls, latest first, each with its offers (what `list` prints)."""
    found = []
    for row in await volunteer_calls.of_place(node.store.reads, node.config.place_id,
                                              calls.MAX_LISTED):  # fmt: skip
        offers = await volunteer_offers.of_call(node.store.reads, row["id"])
        found.append({
            "id": row["id"], "name": row["name"], "needed": row["needed"],
            "start": json.loads(row["document"]).get("startTime"),
            "offers": [{"id": o["id"], "volunteer": o["volunteer"], "state": o["state"],
                        "hours": o["hours"], "message": o["message"]} for o in offers],
        })  # fmt: skip
    return found


def cmd_call(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    command = args.call_command
    if command == "create":
        body = calls.call_document(args.title, args.text, args.skill, args.start, args.end,
                                   args.people, config.timezone)  # fmt: skip
        activity = run(config, lambda node: publish_as_place(node, body))
        print("Appel publié ; les lieux abonnés le reçoivent. Son adresse :")
        print(activity["object"]["id"])
    elif command == "list":
        found = run(config, calls_and_offers)
        if args.json:
            print(json.dumps(found, ensure_ascii=False, indent=2))
            return
        for call in found:
            print(f"{call['id']}\t{call['start']}\t{call['name']}\t{call['needed']} pers.")
            for o in call["offers"]:
                done = "" if o["hours"] is None else f"\t{o['hours']:g} h"
                print(f"  {o['id']}\t{o['volunteer']}\t{STATES_FR[o['state']]}{done}")
    elif command == "suggest":

        async def suggest(node: Node) -> list[calls.Suggestion]:
            return await calls.people_for_call(node, args.call)

        ranked = run(config, suggest)
        rows = [{"person": s.person.id, "name": s.person.name, "score": s.match.score,
                 "skills": s.match.skills, "availability": s.match.availability,
                 "proximity": s.match.proximity} for s in ranked]  # fmt: skip
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            print(f"{r['score']:.3f}\t{r['person']}\t{r['name']}")
    else:
        hours = calls.check_hours(args.hours) if command == "hours" else None

        async def answer(node: Node) -> dict[str, Any]:
            if hours is None:
                return await calls.answer_offer(node, args.offer)
            return await calls.record_hours(node, args.offer, hours)

        run(config, answer)
        if hours is None:
            print("Bénévole confirmé·e ; son nœud l'affiche sur sa page.")
        else:
            print(f"{hours:g} h inscrites ; son nœud les affiche sur sa page.")


COMMANDS: dict[str, Command] = {"call": cmd_call}
