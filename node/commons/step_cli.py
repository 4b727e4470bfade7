"""`interlieux step support|comment|evaluate|evaluations|supporters`: a place's team takes
part in an improvement step from the terminal, as the step's page lets it do: support it (or
take the support back), comment on it, evaluate it on its criteria; and reads, from the rows
this node holds, who supports it and its evaluations (the same at every node that holds them).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..actors import local
from ..actors.names import names_of
from ..config import NodeConfig
from ..context import Node, Runner
from ..timestamps import posix_to_operator, wire_to_posix
from . import comments, evaluation, step_evaluation, step_support


def add_step_commands(ssub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `step` subcommands of this module (the `step` command is `commons.cli`'s)."""
    s = ssub.add_parser("support", help="soutenir une étape au nom du lieu (soutien signé)")
    s.add_argument("--data", required=True, type=Path)
    s.add_argument("--step", required=True, metavar="URL")
    s.add_argument("--undo", action="store_true", help="retirer le soutien du lieu")
    s = ssub.add_parser("comment", help="commenter une étape au nom du lieu")
    s.add_argument("--data", required=True, type=Path)
    s.add_argument("--step", required=True, metavar="URL")
    s.add_argument("--text", required=True)
    s = ssub.add_parser("evaluate", help="évaluer une étape sur ses critères (évaluation signée)")
    s.add_argument("--data", required=True, type=Path)
    s.add_argument("--step", required=True, metavar="URL")
    s.add_argument("--score", action="append", required=True, metavar="CRITÈRE=NOTE",
                   help=f'note de {evaluation.WORST} à {evaluation.BEST}, ex. "Budget réaliste=4" '
                   "(une par critère de l'étape)")  # fmt: skip
    s.add_argument("--comment", default="", help="commentaire de l'évaluation (facultatif)")
    s = ssub.add_parser("evaluations", help="moyennes par critère et évaluations d'une étape")
    s.add_argument("--data", required=True, type=Path)
    s.add_argument("step", metavar="URL")
    s.add_argument("--json", action="store_true")
    s = ssub.add_parser("supporters", help="les lieux qui soutiennent une étape")
    s.add_argument("--data", required=True, type=Path)
    s.add_argument("step", metavar="URL")
    s.add_argument("--json", action="store_true")


async def _place(node: Node) -> local.LocalActor:
    return await local.by_handle(node.store, node.config.handle)


def _support(config: NodeConfig, args: argparse.Namespace, run: Runner) -> None:
    async def work(node: Node) -> list[dict[str, Any]]:
        place = await _place(node)
        if args.undo:
            return await step_support.withdraw(node, place, args.step)
        return [await step_support.support(node, place, args.step)]

    done = run(config, work)
    if args.undo:
        print("Soutien retiré ; le lieu de l'étape et les abonnés en sont informés.")
    else:
        print("Soutien signé et envoyé au lieu de l'étape et aux abonnés :")
    for activity in done:
        print(activity["id"])


def _comment(config: NodeConfig, args: argparse.Namespace, run: Runner) -> None:
    async def work(node: Node) -> dict[str, Any]:
        return await comments.comment(node, await _place(node), args.step, args.text)

    activity = run(config, work)
    print("Commentaire envoyé au lieu de l'étape et aux abonnés :")
    print(activity["object"]["id"])


def _evaluate(config: NodeConfig, args: argparse.Namespace, run: Runner) -> None:
    scores = evaluation.scores_typed(args.score)

    async def work(node: Node) -> dict[str, Any]:
        place = await _place(node)
        return await step_evaluation.evaluate(node, place, args.step, scores, args.comment)

    activity = run(config, work)
    print("Évaluation signée et envoyée au lieu de l'étape et aux abonnés :")
    print(activity["object"]["id"])


def _evaluations(config: NodeConfig, args: argparse.Namespace, run: Runner) -> None:
    async def work(node: Node) -> tuple[dict[str, Any], dict[str, str]]:
        found = await step_evaluation.evaluations(node.store, args.step)
        places = [e["place"] for e in found["evaluations"]]
        return found, await names_of(node.store.reads, places)

    found, names = run(config, work)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return
    print(f"{found['count']} évaluation(s) comptée(s)")
    for line in found["criteria"]:
        print(f"{line['criterion']}\t{evaluation.score_text(line['average'])}")
    for each in found["evaluations"]:
        when = posix_to_operator(wire_to_posix(each["published"]))
        scores = " ; ".join(f"{r['criterion']} {r['score']}" for r in each["ratings"])
        print(f"{names[each['place']]}\t{when}\t{scores}\t{each['comment']}")


def _supporters(config: NodeConfig, args: argparse.Namespace, run: Runner) -> None:
    async def work(node: Node) -> dict[str, str]:
        places = await step_support.supporters(node.store.reads, args.step)
        return await names_of(node.store.reads, places)

    found = run(config, work)
    if args.json:
        print(json.dumps(sorted(found), indent=2))
        return
    for place, name in sorted(found.items(), key=lambda item: (item[1].casefold(), item[0])):
        print(f"{name}\t{place}")


STEP_COMMANDS = {
    "support": _support,
    "comment": _comment,
    "evaluate": _evaluate,
    "evaluations": _evaluations,
    "supporters": _supporters,
}
