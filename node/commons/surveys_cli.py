"""`interlieux survey create|answer|results|list`: needs surveys and the census, from a
team's terminal, as the team's page /equipe/enquetes does. French first; `--lang en`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..cliparts import moment, say
from ..config import NodeConfig
from ..context import Command, Node, Runner
from ..errors import ConfigError
from ..tables import surveys as surveys_table
from ..timestamps import posix_to_operator
from . import surveys, surveys_network


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("survey", help="enquêtes de besoins et recensement des communs")
    ssub = p.add_subparsers(dest="survey_command", required=True)
    c = ssub.add_parser("create", help="publier une enquête (ou le recensement)")
    c.add_argument("--data", required=True, type=Path)
    c.add_argument("--network", help="au nom du réseau hébergé ici (identifiant ou adresse)")
    c.add_argument("--kind", choices=surveys.KINDS, default="needs")
    c.add_argument("--title", required=True)
    c.add_argument("--text", default="")
    c.add_argument(
        "--answered-by",
        choices=surveys.ANSWERED_BY,
        default=None,
        help="members (lieux membres du réseau) ou followers (lieux qui suivent "
        "l'auteur) ; par défaut members pour un réseau, followers pour un lieu",
    )
    c.add_argument("--closes", help="clôture, ISO 8601 avec fuseau (sauf recensement)")
    c.add_argument(
        "--question",
        action="append",
        default=[],
        metavar="CLÉ|TYPE|INTITULÉ[|A;B]",
        help="une question : clé|single,multiple,number,text|intitulé|choix;…",
    )
    c.add_argument("--item", action="append", default=[], metavar="CLÉ|CATÉGORIE|NOM",
                   help="recensement : un commun (equipment, software, data, plans, "
                   "infrastructure)")  # fmt: skip
    a = ssub.add_parser("answer", help="répondre au nom du lieu (ou modifier sa réponse)")
    a.add_argument("--data", required=True, type=Path)
    a.add_argument("--survey", required=True, help="adresse de l'enquête")
    a.add_argument("--value", action="append", default=[], metavar="CLÉ=VALEUR",
                   help="une réponse ; plusieurs choix séparés par « ; » ; les questions "
                   "non données reprennent la réponse précédente du lieu")  # fmt: skip
    r = ssub.add_parser("results", help="les résultats agrégés d'une enquête publiée ici")
    r.add_argument("--data", required=True, type=Path)
    r.add_argument("--survey", required=True)
    r.add_argument("--csv", action="store_true")
    r.add_argument("--json", action="store_true")
    i = ssub.add_parser("items", help="ajouter des communs au recensement publié ici")
    i.add_argument("--data", required=True, type=Path)
    i.add_argument("--survey", required=True, help="adresse du recensement")
    i.add_argument("--item", action="append", required=True, metavar="CLÉ|CATÉGORIE|NOM")
    sl = ssub.add_parser("list", help="les enquêtes publiées ici et reçues")
    sl.add_argument("--data", required=True, type=Path)
    sl.add_argument("--json", action="store_true")


def parse_question(text: str) -> surveys.Question:
    parts = text.split("|")
    if len(parts) not in (3, 4):
        raise ConfigError(f"--question {text!r}", fr=f"--question « {text} » : "
                          "clé|type|intitulé[|choix;choix…].", en=f"--question '{text}': "
                          "key|kind|wording[|option;option…].")  # fmt: skip
    options = parts[3].split(";") if len(parts) == 4 else []
    return surveys.question(parts[0], parts[2], parts[1], options)


def parse_item(text: str) -> surveys.Question:
    parts = text.split("|")
    if len(parts) != 3:
        raise ConfigError(f"--item {text!r}", fr=f"--item « {text} » : clé|catégorie|nom.",
                          en=f"--item '{text}': key|category|name.")  # fmt: skip
    return surveys.question(parts[0], parts[2], "usage", category=parts[1])


def parse_values(survey: surveys.Survey, given: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for text in given:
        key, sep, value = text.partition("=")
        q = survey.question(key.strip())
        if not sep or q is None:
            raise ConfigError(f"--value {text!r}", fr=f"--value « {text} » : clé=valeur, "
                              "avec une clé de l'enquête.", en=f"--value '{text}': key=value, "
                              "with one of the survey's keys.")  # fmt: skip
        multi = q.kind in ("single", "multiple", "usage")
        out[q.key] = [v.strip() for v in value.split(";") if v.strip()] if multi else value
    return out


def cmd_survey(args: argparse.Namespace, run: Runner) -> int:
    config = NodeConfig.load(args.data)
    command = args.survey_command
    if command == "create":
        closes = moment(args.closes, "--closes").timestamp() if args.closes else None
        questions = [*map(parse_question, args.question), *map(parse_item, args.item)]
        answered_by = args.answered_by or ("members" if args.network else "followers")

        async def create(node: Node) -> str:
            author = await surveys_network.author_actor(node, args.network)
            return await surveys_network.create(node, author, args.kind, args.title, args.text,
                                                answered_by, questions, closes)  # fmt: skip

        survey_id = run(config, create)
        say(args, "Enquête publiée ; les lieux la voient dans « Enquêtes » de leur équipe.",
            "Survey published; places see it in their team's « Enquêtes ».")  # fmt: skip
        print(survey_id)
        return 0
    if command == "answer":

        async def answer(node: Node) -> int | None:
            survey, _ = await surveys_network.survey_of(node.store.reads, args.survey)
            values = {**await surveys_network.prefilled(node, survey),
                      **parse_values(survey, args.value)}  # fmt: skip
            plain = {
                k: list(v) if isinstance(v, (tuple, list)) else str(v) for k, v in values.items()
            }
            return (await surveys_network.answer(node, args.survey, plain)).status

        status = run(config, answer)
        if status is None:
            say(
                args,
                "Le nœud de l'auteur ne répond pas : la réponse est en file et sera réessayée.",
                "The author's node does not answer: queued, retried later.",
            )
        else:
            say(args, "Réponse envoyée et prise (modifiable jusqu'à la clôture).",
                "Answer sent and taken (editable until the close).")  # fmt: skip
        return 0
    if command == "items":
        items = [parse_item(text) for text in args.item]
        added = run(config, lambda n: surveys_network.add_items(n, args.survey, items))
        say(args, f"{added} commun(s) ajouté(s) au recensement ; les lieux les voient dans "
            "leur formulaire.", f"{added} item(s) added to the census; places see them in "
            "their form.")  # fmt: skip
        return 0
    if command == "results":

        async def results(node: Node) -> surveys.Results:
            survey, hosted = await surveys_network.survey_of(node.store.reads, args.survey)
            if not hosted:
                raise ConfigError("results are the author's",
                                  fr="Les résultats sont agrégés par l'auteur de l'enquête : "
                                  "voyez son adresse …/results.", en="Results are aggregated "
                                  "by the survey's author: see its …/results address.")  # fmt: skip
            return await surveys_network.results(node.store.reads, survey)

        found = run(config, results)
        if args.csv:
            sys.stdout.write(surveys.results_csv(found))
        elif args.json:
            document = surveys.results_json(
                found, surveys_network.results_id(found.survey.id), found.survey.published
            )
            json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
            print()
        else:
            print(f"{found.survey.title} — {len(found.places)} lieu(x)")
            for r in found.questions:
                print(f"{r.question.key}\t{r.question.name}\t{r.answered} réponse(s)")
                for option, count in r.counts.items():
                    print(f"\t{option}\t{count}")
                if r.question.kind == "number":
                    print(f"\tsomme\t{r.total or 0}\tmoyenne\t{r.average or ''}")
                for text in r.texts:
                    print(f"\t« {text} »")
        return 0
    rows = run(config, _listing)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for row in rows:
        when = posix_to_operator(row["closes"]) if row["closes"] else "—"
        where = "publiée ici" if row["hosted"] else "reçue"
        print(f"{row['id']}\t{row['kind']}\t{row['title']}\t{where}\tclôture {when}")
    return 0


async def _listing(node: Node) -> list[dict[str, Any]]:
    out = []
    for row in await surveys_table.listing(node.store.reads):
        document = json.loads(row["document"])
        out.append({"id": row["id"], "author": row["author"], "kind": row["kind"],
                    "title": document.get("name", ""), "hosted": bool(row["hosted"]),
                    "closes": row["closes"]})  # fmt: skip
    return out


COMMANDS: dict[str, Command] = {"survey": cmd_survey}
