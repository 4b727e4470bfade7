"""The team's commands for improvement steps and co-financing.

`step create`, `pledge` and `fund create` post what a client would post to the place's
outbox, so that the checks, the signature and the deliveries are the outbox's own; `step
totals` reads the rows this node holds and prints the pure totals. Supporting, commenting on
and evaluating a step are `step_cli`'s.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from ..cliparts import moment, publish_as_place
from ..config import NodeConfig
from ..context import Command, Node, Runner
from ..errors import ConfigError
from ..ledger.money import check_currency, from_cents, to_cents
from ..timestamps import datetime_to_wire, wire_to_posix
from . import cofinancing, evaluation, step_cli, steps

PUBLIC = steps.PUBLIC
STATES_FR = {"open": "ouverte", "funded": "financée", "overfunded": "plus que financée",
             "closed": "close"}  # fmt: skip


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("step", help="étapes d'amélioration d'un commun et leur co-financement")
    ssub = p.add_subparsers(dest="step_command", required=True)
    s = ssub.add_parser("create", help="publier une étape avec son budget")
    s.add_argument("--data", required=True, type=Path)
    s.add_argument("--title", required=True, help="nom de l'étape")
    s.add_argument(
        "--line", action="append", required=True, metavar="LIBELLÉ=MONTANT",
        help='ligne de budget, ex. "Serveur=1200.00" (répétable)',
    )  # fmt: skip
    s.add_argument("--currency", default="EUR", help="devise du budget (par défaut EUR)")
    s.add_argument("--closes", metavar="ISO8601", help="clôture des engagements")
    s.add_argument("--contributor", action="append", default=[], metavar="ADRESSE_OU_NOM",
                   help="qui réalise l'étape (répétable)")  # fmt: skip
    s.add_argument("--text", default="", help="description")
    s.add_argument(
        "--criterion", action="append", default=[], metavar="CRITÈRE",
        help="critère d'évaluation publié avec l'étape (répétable ; par défaut : "
        + ", ".join(evaluation.DEFAULT_CRITERIA) + ")",
    )  # fmt: skip
    s = ssub.add_parser("totals", help="engagements, abondements et état d'une étape")
    s.add_argument("--data", required=True, type=Path)
    s.add_argument("step", metavar="URL")
    s.add_argument("--json", action="store_true")
    step_cli.add_step_commands(ssub)

    p = sub.add_parser("pledge", help="s'engager à financer une étape (engagement signé)")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--step", required=True, metavar="URL")
    p.add_argument("--amount", required=True, help="montant, ex. 600.00")
    p.add_argument("--currency", help="devise (par défaut celle de l'étape)")

    p = sub.add_parser("fund", help="règles d'abondement d'un financeur")
    fsub = p.add_subparsers(dest="fund_command", required=True)
    f = fsub.add_parser("create", help="publier une règle d'abondement signée")
    f.add_argument("--data", required=True, type=Path)
    f.add_argument("--ratio", required=True, help="euros ajoutés par euro promis, ex. 1")
    f.add_argument("--cap-per-place", help="plafond par lieu, ex. 500.00 (par défaut : aucun)")
    f.add_argument("--currency", default="EUR")
    f.add_argument("--step", action="append", required=True, metavar="URL",
                   help="étape abondée (répétable)")  # fmt: skip
    f.add_argument("--until", metavar="ISO8601", help="fin de la règle (par défaut : aucune)")


def budget_lines(given: list[str]) -> list[dict[str, str]]:
    """`"Serveur=1200.00"` → `{"name": "Serveur", "amount": "1200.00"}`. Raises ConfigError."""
    lines = []
    for item in given:
        name, sep, amount = item.rpartition("=")
        if not sep or not name.strip():
            raise ConfigError(
                f"budget line {item!r} is not LABEL=AMOUNT",
                fr=f"La ligne « {item} » doit s'écrire LIBELLÉ=MONTANT, par ex. Serveur=1200.00.",
                en=f"The line '{item}' must read LABEL=AMOUNT, e.g. Server=1200.00.",
            )
        lines.append({"name": name.strip(), "amount": from_cents(to_cents(amount))})
    return lines


def cmd_step(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    if args.step_command == "totals":
        _print_totals(config, args, run)
        return
    if args.step_command in step_cli.STEP_COMMANDS:
        step_cli.STEP_COMMANDS[args.step_command](config, args, run)
        return
    step: dict[str, Any] = {
        "type": cofinancing.STEP,
        "name": args.title,
        "currency": check_currency(args.currency),
        "budget": budget_lines(args.line),
        "to": [PUBLIC],
    }
    if args.closes:
        step["endTime"] = datetime_to_wire(moment(args.closes, "--closes"))
    if args.contributor:
        step["contributor"] = args.contributor
    if args.text:
        step["summary"] = args.text
    criteria = evaluation.checked_criteria(args.criterion or evaluation.DEFAULT_CRITERIA)
    step["criteria"] = list(criteria)
    activity = run(config, lambda node: publish_as_place(node, step))
    print("Étape publiée ; les lieux abonnés la reçoivent. Son adresse :")
    print(activity["object"]["id"])


def cmd_pledge(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    amount = from_cents(to_cents(args.amount))

    async def work(node: Node) -> dict[str, Any]:
        row = await steps.known_step(node, args.step)
        pledge = {
            "type": steps.PLEDGE,
            "name": f"Engagement pour « {row['name']} »",
            "funds": args.step,
            "amount": amount,
            "currency": check_currency(args.currency or row["currency"]),
            "to": [PUBLIC],
        }
        return await publish_as_place(node, pledge)

    activity = run(config, work)
    print(f"Engagement de {amount} signé et envoyé au lieu de l'étape et aux abonnés :")
    print(activity["object"]["id"])


def cmd_fund(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    until = datetime_to_wire(moment(args.until, "--until")) if args.until else None
    # The team's typing checked first, with the core's French messages.
    cofinancing.matching_rule(
        "check", config.place_id, args.ratio, args.currency, args.step, time.time(),
        args.cap_per_place, wire_to_posix(until) if until else None,
    )  # fmt: skip
    rule: dict[str, Any] = {
        "type": cofinancing.MATCHING_RULE,
        "matchRatio": args.ratio.strip().replace(",", "."),
        "currency": check_currency(args.currency),
        "funds": args.step,
        "to": [PUBLIC],
    }
    if args.cap_per_place:
        rule["capPerPlace"] = from_cents(to_cents(args.cap_per_place))
    if until:
        rule["endTime"] = until

    async def work(node: Node) -> dict[str, Any]:
        for step_id in args.step:
            await steps.known_step(node, step_id)
        return await publish_as_place(node, rule)

    activity = run(config, work)
    print("Règle d'abondement signée et envoyée aux lieux des étapes et aux abonnés :")
    print(activity["object"]["id"])


def _print_totals(config: NodeConfig, args: argparse.Namespace, run: Runner) -> None:
    async def work(node: Node) -> tuple[dict[str, Any], dict[str, Any]]:
        found = await steps.totals(node.store, args.step)
        return found, await steps.step_summary(node.store, args.step)

    found, summary = run(config, work)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return
    currency = summary.get("currency", "")
    print(f"« {summary.get('name')} » ({STATES_FR.get(found['state'], found['state'])}) : "
          f"budget {found['budget']} {currency}, promis {found['pledged']}, "
          f"abondé {found['matched']}")  # fmt: skip
    for line in found["by_place"]:
        print(f"{line['place']}\tpromis {line['pledged']}\tabondé {line['matched']}")


COMMANDS: dict[str, Command] = {"step": cmd_step, "pledge": cmd_pledge, "fund": cmd_fund}
