"""`interlieux claims …`, `ledger`, `settle`, `credit …`: compensation from a team's terminal.

French first; `--lang en` for English. What a script reads is JSON (`--json`) or CSV (`--csv`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from .. import tables
from ..config import NodeConfig, check_claim_rules
from ..context import Command, Node, Runner
from ..errors import ConfigError
from ..timestamps import posix_to_operator, posix_to_wire
from . import books, claim, credit, exchange, netting, review, settlement
from .money import from_cents


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("claims", help="réclamations de passages entre lieux")
    csub = p.add_subparsers(dest="claims_command", required=True)
    s = csub.add_parser("send", help="réclamer maintenant les passages d'un mois")
    s.add_argument("--data", required=True, type=Path)
    s.add_argument("--period", help="mois AAAA-MM (par défaut : le mois dernier)")
    ls = csub.add_parser("list", help="réclamations envoyées et reçues, avec leur état")
    ls.add_argument("--data", required=True, type=Path)
    ls.add_argument("--json", action="store_true")
    r = csub.add_parser("rules", help="ce que ce lieu paie dans les réclamations reçues")
    r.add_argument("--data", required=True, type=Path)
    r.add_argument(
        "--report-window",
        type=float,
        metavar="HEURES",
        help="délai maximal entre le badge et le signalement du passage (48)",
    )
    r.add_argument("--visit-spacing", type=float, metavar="HEURES",
                   help="un passage payé par badge et par lieu dans cet intervalle (4 ; 0 : "
                   "sans limite)")  # fmt: skip
    r.add_argument("--manual", choices=sorted(MANUAL), metavar="oui|non|lieu",
                   help="valider à la main les réclamations reçues (non par défaut) ; avec "
                   "--peer, pour ce pair seulement (lieu : comme le reste du lieu)")  # fmt: skip
    r.add_argument("--peer", metavar="ACTEUR", help="le lieu pair que --manual concerne")
    for name, helped in (
        ("confirm", "confirmer des passages d'une réclamation reçue"),
        ("dispute", "contester des passages d'une réclamation reçue"),
    ):
        d = csub.add_parser(name, help=helped)
        d.add_argument("--data", required=True, type=Path)
        d.add_argument("--claim", required=True, metavar="ID", help="la réclamation (claims list)")
        d.add_argument(
            "--visit",
            action="append",
            metavar="ID",
            help="un passage (répétable ; par défaut : tous ceux à valider)",
        )
        if name == "dispute":
            d.add_argument("--reason", required=True, help="pourquoi, lu par le lieu qui réclame")

    p = sub.add_parser("credit", help="Crédit Inter-Lieux vendu par ce lieu")
    ksub = p.add_subparsers(dest="credit_command", required=True)
    k = ksub.add_parser("sell", help="vendre du crédit à une personne ou une organisation")
    k.add_argument("--data", required=True, type=Path)
    k.add_argument("--account", required=True, help="nom du compte, ex. metropole")
    k.add_argument("--member", action="append", default=[], help="membre qui peut l'utiliser")
    k.add_argument("--amount", required=True, help="montant payé, ex. 100.00")
    k.add_argument("--currency", default="EUR")
    k.add_argument(
        "--overdraft",
        help="découvert toléré aux portes, ex. 5.00 (sans lui : un compte existant garde le "
        "sien ; un nouveau prend celui du réseau du lieu, règle overdraft, et le suit quand le "
        "réseau le change ; hors réseau, 0)",
    )
    k = ksub.add_parser("statement", help="relevé : chaque vente et chaque passage payé")
    k.add_argument("--data", required=True, type=Path)
    k.add_argument("--account", required=True)
    k.add_argument("--json", action="store_true")

    p = sub.add_parser("settle", help="déclarer, confirmer ou refuser un paiement (virement)")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--peer", help="adresse de l'acteur du lieu pair")
    p.add_argument("--amount", help="montant, ex. 10.00")
    p.add_argument("--reference", help="référence du virement")
    p.add_argument("--list", action="store_true", help="lister les règlements")
    p.add_argument("--confirm", metavar="ID", help="confirmer un paiement reçu d'un pair")
    p.add_argument("--refuse", metavar="ID", help="refuser un paiement déclaré par un pair")
    p.add_argument(
        "--received",
        action="store_true",
        help="c'est le pair qui nous a payés (par défaut : nous l'avons payé)",
    )

    p = sub.add_parser("ledger", help="soldes avec les lieux pairs (comptabilité)")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--json", action="store_true", help="en JSON (soldes, ou virements)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--csv", action="store_true", help="toutes les écritures, en CSV")
    group.add_argument("--netting", action="store_true", help="virements qui soldent tout")


# --manual's words: oui/yes on, non/no off, lieu/place (with --peer) as the place's rule.
MANUAL: dict[str, bool | None] = {
    "oui": True, "yes": True, "non": False, "no": False, "lieu": None, "place": None,
}  # fmt: skip


def _en(args: argparse.Namespace) -> bool:
    return bool(args.lang == "en")


STATES_FR = {
    "waiting": "en attente de réponse",
    "partial_waiting": "réponse partielle",
    "accepted": "acceptée",
    "rejected": "refusée",
    "partial": "acceptée en partie",
}


def cmd_claims(args: argparse.Namespace, run: Runner) -> int:
    config = NodeConfig.load(args.data)
    if args.claims_command == "rules":
        return _claim_rules(args, config, run)
    if args.claims_command in ("confirm", "dispute"):
        return _decide(args, config, run)
    if args.claims_command == "send":
        period = args.period or claim.previous_period(time.time())
        claim.period_bounds(period)  # a wrong period is said before anything is opened
        sent, skipped = run(config, lambda n: exchange.send_claims(n, period))
        for c in sent:
            amount = f"{from_cents(c.total_cents)} {c.currency}"
            if _en(args):
                print(f"Claim sent to {c.peer}: {c.lines} visit(s), {amount}.")
            else:
                print(f"Réclamation envoyée à {c.peer} : {c.lines} passage(s), {amount}.")
        for s in skipped:
            if _en(args):
                print(f"Not claimed: {s.visits} visit(s) of members of {s.peer}, not a peer "
                      "(add it with 'interlieux peer add').")  # fmt: skip
            else:
                print(f"Non réclamé : {s.visits} passage(s) de membres de {s.peer}, qui n'est "
                      "pas un pair (ajoutez-le avec « interlieux peer add »).")  # fmt: skip
        waiting = run(config, lambda n: exchange.waiting_visits(n, period))
        if waiting:
            print(f"{waiting} visit(s) not yet reported to their home place: claimed later."
                  if _en(args) else f"{waiting} passage(s) pas encore signalé(s) à leur lieu "
                  "d'origine : ils seront réclamés plus tard.")  # fmt: skip
        if not sent and not skipped and not waiting:
            print(f"Nothing new to claim for {period}." if _en(args)
                  else f"Rien de nouveau à réclamer pour {period}.")  # fmt: skip
        return 0
    rows = run(config, _claim_rows)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if not rows:
        print("No claim yet." if _en(args) else "Aucune réclamation pour l'instant.")
    for r in rows:
        way = ("sent to" if r["direction"] == "sent" else "received from") if _en(args) else (
            "envoyée à" if r["direction"] == "sent" else "reçue de")  # fmt: skip
        state = r["state"] if _en(args) else STATES_FR.get(r["state"], r["state"])
        if r["direction"] == "received" and r["to_review"]:
            state = (f"{r['to_review']} visit(s) to review by the team" if _en(args)
                     else f"{r['to_review']} passage(s) à valider par l'équipe")  # fmt: skip
        print(f"{r['period']}\t{way} {r['peer']}\t{r['lines']} passage(s)\t"
              f"{r['total']} {r['currency']}\t{state}\t{r['id']}")  # fmt: skip
        for refused in r["refused"]:
            reasons = claim.REASONS_EN if _en(args) else claim.REASONS_FR
            why = reasons.get(refused["reason"], refused["reason"])
            print(f"\t- {refused['visit']} : {why}"
                  + (f" : « {refused['note']} »" if refused["note"] else ""))  # fmt: skip
    return 0


def _decide(args: argparse.Namespace, config: NodeConfig, run: Runner) -> int:
    confirm = args.claims_command == "confirm"
    done = run(config, lambda n: review.decide(
        n, args.claim, args.visit, confirm, "" if confirm else args.reason))  # fmt: skip
    if _en(args):
        print(f"{done.accepted} visit(s) confirmed, {done.disputed} disputed"
              + (f", {done.already_claimed} refused (already paid in another claim)"
                 if done.already_claimed else "")
              + f"; {done.left} still to review. The claiming place is told.")  # fmt: skip
    else:
        print(f"{done.accepted} passage(s) confirmé(s), {done.disputed} contesté(s)"
              + (f", {done.already_claimed} refusé(s) (déjà payé(s) dans une autre réclamation)"
                 if done.already_claimed else "")
              + f" ; {done.left} encore à valider. Le lieu qui réclame en est "
              "prévenu.")  # fmt: skip
    return 0


def _claim_rules(args: argparse.Namespace, config: NodeConfig, run: Runner) -> int:
    if args.peer is not None and args.manual is None:
        raise ConfigError("--peer goes with --manual",
                          fr="--peer s'emploie avec --manual oui, non ou lieu.",
                          en="--peer goes with --manual oui, non or lieu.")  # fmt: skip
    window = config.claim_report_window_hours
    spacing = config.claim_visit_spacing_hours
    changed = args.report_window is not None or args.visit_spacing is not None
    if changed:
        window = window if args.report_window is None else args.report_window
        spacing = spacing if args.visit_spacing is None else args.visit_spacing
        check_claim_rules(window, spacing)
        replace(config, claim_report_window_hours=window,
                claim_visit_spacing_hours=spacing).save()  # fmt: skip
    if args.manual is not None:
        manual = MANUAL[args.manual]
        run(config, lambda n: review.set_rule(n, manual, args.peer))
    per = f"{spacing:g} h" if spacing > 0 else None
    if _en(args):
        print(f"Claims received: a visit is paid if reported within {window:g} h of the tap; "
              + (f"one paid visit per grant and place every {per}." if per
                 else "no limit on visits per grant and place."))  # fmt: skip
        if changed:
            print("Saved in node.json; restart 'interlieux serve' to apply it.")
    else:
        print(f"Réclamations reçues : un passage est payé s'il a été signalé dans les "
              f"{window:g} h après le badge ; "
              + (f"un passage payé par badge et par lieu toutes les {per}." if per
                 else "sans limite de passages par badge et par lieu."))  # fmt: skip
        if changed:
            print("Enregistré dans node.json ; redémarrez « interlieux serve » pour l'appliquer.")
    _print_manual(args, run(config, review.rules))
    return 0


def _print_manual(args: argparse.Namespace, rules: review.Rules) -> None:
    """The rule for answering claims by hand, the place's and each peer's own (applied at
    once: the node reads it when a claim arrives)."""
    en = _en(args)

    def said(manual: bool) -> str:
        if en:
            return "checked by hand by the team" if manual else "answered by the node's checks"
        if manual:
            return "validées à la main par l'équipe"
        return "répondues par les vérifications du nœud"

    print(f"Claims received: {said(rules.manual)}." if en
          else f"Réclamations reçues : {said(rules.manual)}.")  # fmt: skip
    for peer, manual in rules.peers.items():
        print(f"  from {peer}: {said(manual)}." if en else f"  de {peer} : {said(manual)}.")


async def _claim_rows(node: Node) -> list[dict[str, Any]]:
    out = []
    for c in await tables.claims.every_claim(node.store.reads):
        lines = await tables.claims.lines_of(node.store.reads, c["id"])
        notes = await tables.claim_reviews.of_claim(node.store.reads, c["id"])
        out.append({
            "id": c["id"], "direction": c["direction"], "peer": c["peer"],
            "period": c["period"], "lines": len(lines),
            "total": from_cents(c["total_cents"]), "currency": c["currency"],
            "accepted": sum(1 for ln in lines if ln["state"] == "accepted"),
            "state": exchange.claim_state([ln["state"] for ln in lines]),
            "to_review": sum(1 for ln in lines if ln["state"] == "pending")
            if c["direction"] == "received" else 0,
            "refused": [{"visit": ln["visit_id"], "reason": ln["reason"],
                         "note": notes[ln["visit_id"]].note if ln["visit_id"] in notes else ""}
                        for ln in lines if ln["state"] == "rejected"],
        })  # fmt: skip
    return out


def cmd_ledger(args: argparse.Namespace, run: Runner) -> int:
    config = NodeConfig.load(args.data)
    if args.csv:
        _write_csv(run(config, _entries))
        return 0
    balances = run(config, lambda n: books.peer_balances(n.store))
    if args.netting:
        transfers = netting.settle_all(config.place_id, balances)
        if args.json:
            json.dump({"transfers": [t.to_json() for t in transfers]}, sys.stdout)
            print()
            return 0
        _print_netting(args, transfers)
        return 0
    if args.json:
        json.dump(
            {"balances": [{"peer": b.peer, "balance": from_cents(b.cents),
                           "currency": b.currency} for b in balances]},
            sys.stdout,
        )  # fmt: skip
        print()
        return 0
    if not balances:
        print("No balance yet." if _en(args) else "Aucun solde : aucune réclamation acceptée.")
        return 0
    width = max(len(b.peer) for b in balances)
    print("Balances with peer places (positive: the place owes you)" if _en(args) else
           "Soldes avec les lieux pairs (positif : le lieu vous doit)")  # fmt: skip
    for b in balances:
        amount = f"{from_cents(b.cents):>10} {b.currency}"
        if _en(args):
            says = "owes you" if b.cents > 0 else "you owe" if b.cents < 0 else "settled"
        else:
            says = "vous doit" if b.cents > 0 else "vous lui devez" if b.cents < 0 else "soldé"
        print(f"  {b.peer:<{width}}  {amount}  {says}")
    return 0


def _print_netting(args: argparse.Namespace, transfers: list[Any]) -> None:
    if not transfers:
        print("Nothing to settle." if _en(args) else "Rien à régler : tous les soldes sont nuls.")
        return
    print("Fewest transfers that settle the balances this node knows:" if _en(args) else
          "Virements proposés pour solder les comptes connus de ce nœud :")  # fmt: skip
    for t in transfers:
        amount = f"{from_cents(t.cents)} {t.currency}"
        print(f"  {t.payer} -> {t.payee} : {amount}")


async def _entries(node: Node) -> list[Any]:
    return await tables.ledger.every_entry(node.store.reads)


def _write_csv(rows: list[Any]) -> None:
    # No byte order mark on a terminal or a pipe: a script reading the lines would see it.
    sys.stdout.write(books.entries_csv(rows, bom=False))


def cmd_credit(args: argparse.Namespace, run: Runner) -> int:
    config = NodeConfig.load(args.data)
    if args.credit_command == "sell":
        left = run(config, lambda n: credit.sell(
            n, args.account, args.member, args.amount, args.currency, args.overdraft))  # fmt: skip
        print(f"Credit sold to {args.account}: {from_cents(left)} available." if _en(args) else
              f"Crédit vendu à {args.account} : {from_cents(left)} disponibles.")  # fmt: skip
        return 0
    currency, uses = run(config, lambda n: credit.statement(n, args.account))
    if args.json:
        json.dump({"account": args.account, "currency": currency, "uses": [
            {"date": posix_to_wire(u.when), "kind": u.kind, "amount": from_cents(u.cents),
             "place": u.place, "visit": u.reference if u.kind == "claim" else None,
             "remaining": from_cents(u.remaining)} for u in uses]}, sys.stdout)  # fmt: skip
        print()
        return 0
    print(f"Statement of {args.account} ({currency})" if _en(args) else
          f"Relevé du compte {args.account} ({currency})")  # fmt: skip
    for u in uses:
        day = posix_to_operator(u.when, "day", utc=True)
        if u.kind == "credit_sale":
            what = "purchase" if _en(args) else "achat de crédit"
        else:
            what = f"visit at {u.place}" if _en(args) else f"passage à {u.place}"
        print(f"  {day}  {from_cents(u.cents):>9}  {what:<60}  "
              f"{'left' if _en(args) else 'reste'} {from_cents(u.remaining)}")  # fmt: skip
    return 0


SETTLEMENT_STATES_FR = {
    "pending": "en attente du pair", "to_confirm": "à confirmer (vérifiez le compte)",
    "confirmed": "confirmé", "refused": "refusé",
}  # fmt: skip


def _list_settlements(config: NodeConfig, args: argparse.Namespace, run: Runner) -> int:
    async def listing(node: Node) -> list[dict[str, object]]:
        rows = await tables.settlements.every_settlement(node.store.reads)
        return [dict(r) for r in rows]

    rows = run(config, listing)
    if not rows:
        print("No settlement." if _en(args) else "Aucun règlement.")
    for r in rows:
        state = str(r["state"])
        if not _en(args):
            state = SETTLEMENT_STATES_FR.get(state, state)
        amount = f"{from_cents(int(str(r['amount_cents'])))} {r['currency']}"
        print(f"{r['id']}\t{r['direction']}\t{r['payer']} -> {r['payee']}\t{amount}\t"
              f"{r['reference']}\t{state}")  # fmt: skip
    return 0


def cmd_settle(args: argparse.Namespace, run: Runner) -> int:
    config = NodeConfig.load(args.data)
    if args.list:
        return _list_settlements(config, args, run)
    if args.confirm or args.refuse:
        sid = args.confirm or args.refuse
        row = run(config, lambda n: settlement.answer(n, sid, confirm=bool(args.confirm)))
        amount = f"{from_cents(row['amount_cents'])} {row['currency']}"
        if args.confirm:
            print(f"Payment of {amount} confirmed; both balances move." if _en(args) else
                  f"Paiement de {amount} confirmé ; les deux soldes bougent.")  # fmt: skip
        else:
            print(f"Payment of {amount} refused; the peer is told." if _en(args) else
                  f"Paiement de {amount} refusé ; le pair en est prévenu.")  # fmt: skip
        return 0
    if not (args.peer and args.amount and args.reference):
        raise ConfigError(
            "settle needs --peer, --amount and --reference",
            fr="Pour déclarer un paiement : --peer, --amount et --reference ; pour répondre à "
            "un paiement reçu : --confirm ID ou --refuse ID (« --list » les montre).",
            en="To declare a payment: --peer, --amount and --reference; to answer one: "
            "--confirm ID or --refuse ID ('--list' shows them).",
        )
    done = run(config, lambda n: settlement.declare(
        n, args.peer, args.amount, args.reference, args.received))  # fmt: skip
    amount = f"{from_cents(done.cents)} {done.currency}"
    if _en(args):
        print(f"Payment of {amount} from {done.payer} to {done.payee} declared; the books move "
              "once the other place confirms it.")  # fmt: skip
    else:
        print(f"Paiement de {amount} de {done.payer} à {done.payee} déclaré ; les soldes "
              "bougeront dès que l'autre lieu l'aura confirmé.")  # fmt: skip
    return 0


COMMANDS: dict[str, Command] = {
    "settle": cmd_settle,
    "credit": cmd_credit,
    "claims": cmd_claims,
    "ledger": cmd_ledger,
}
