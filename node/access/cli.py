"""`interlieux peer …`, `badge …`, `checkin`: the badge from a place team's terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reader import ndef

from .. import tables
from ..config import NodeConfig
from ..context import Node, Runner
from ..errors import ConfigError
from ..timestamps import posix_to_operator
from . import badge, grant, policy

_YES_NO = {"oui": True, "yes": True, "non": False, "no": False}


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("peer", help="lieux dont on honore les badges")
    psub = p.add_subparsers(dest="peer_command", required=True)
    a = psub.add_parser("add", help="faire confiance aux badges d'un lieu")
    a.add_argument("--data", required=True, type=Path)
    a.add_argument("--actor", required=True, help="adresse de l'acteur du lieu")
    a.add_argument("--visit-rate", default="0", help="prix convenu par passage (ex. 5.00)")
    a.add_argument("--currency", default="EUR")
    r = psub.add_parser("remove", help="ne plus honorer les badges d'un lieu")
    r.add_argument("--data", required=True, type=Path)
    r.add_argument("--actor", required=True)
    ls = psub.add_parser("list", help="lister les pairs")
    ls.add_argument("--data", required=True, type=Path)

    p = sub.add_parser("badge", help="badges inter-lieux des membres")
    bsub = p.add_subparsers(dest="badge_command", required=True)
    i = bsub.add_parser("issue", help="délivrer un badge à un membre")
    i.add_argument("--data", required=True, type=Path)
    i.add_argument("--member", required=True, help="identifiant du membre")
    i.add_argument("--card-uid", required=True, help="UID de la carte, en hexadécimal")
    i.add_argument("--days", type=int, default=365)
    i.add_argument("--qr", type=Path, help="écrire aussi un QR code (PNG)")
    i.add_argument(
        "--out", type=Path, metavar="FICHIER.ndef",
        help="écrire le message NDEF à mettre sur la carte (un enregistrement MIME "
        f"{ndef.GRANT_MIME_TYPE.decode()}) : à importer dans NXP TagWriter ou NFC Tools, "
        "puis à écrire sur une carte NTAG215/216 ou Type 4",
    )  # fmt: skip
    i.add_argument(
        "--grant-out", type=Path, metavar="FICHIER.cose",
        help="écrire le badge seul (COSE_Sign1 brut, les octets du texte BIL1:)",
    )  # fmt: skip
    i.add_argument("--credit-account", help="compte de Crédit Inter-Lieux qui paie les passages")
    v = bsub.add_parser("revoke", help="révoquer un badge ou tous ceux d'un membre")
    v.add_argument("--data", required=True, type=Path)
    group = v.add_mutually_exclusive_group(required=True)
    group.add_argument("--grant", help="identifiant du badge")
    group.add_argument("--member", help="identifiant du membre")
    ls = bsub.add_parser("list", help="lister les badges délivrés")
    ls.add_argument("--data", required=True, type=Path)
    pol = bsub.add_parser("policy", help="règles des portes de ce lieu (sans option : les voir)")
    pol.add_argument("--data", required=True, type=Path)
    pol.add_argument(
        "--card-required", choices=sorted(_YES_NO), metavar="oui|non",
        help="oui : refuser un badge présenté sans sa carte (QR code seul) aux portes du lieu",
    )  # fmt: skip
    pol.add_argument(
        "--stale-own-members", choices=sorted(_YES_NO), metavar="oui|non",
        help="oui : un lecteur resté trop longtemps sans nouvelles de son nœud (paquet de "
        "confiance trop ancien) laisse encore entrer les membres du lieu ; les autres badges "
        "sont refusés (par défaut : non, tous refusés)",
    )  # fmt: skip

    k = sub.add_parser("keys", help="clés de signature d'un compte")
    ksub = k.add_subparsers(dest="keys_command", required=True)
    r = ksub.add_parser(
        "rotate", help="remplacer les clés (les badges déjà délivrés restent valables)"
    )
    r.add_argument("--data", required=True, type=Path)
    r.add_argument("--actor", help="identifiant du compte (par défaut : le lieu)")

    c = sub.add_parser("checkin", help="vérifier un badge à l'entrée (sans lecteur)")
    c.add_argument("--data", required=True, type=Path)
    c.add_argument("--grant", required=True, help="le texte du badge (BIL1:…)")
    c.add_argument(
        "--card-uid",
        help="UID de la carte présentée, en hexadécimal (sans lui, un QR code seul : refusé "
        "si le lieu exige la carte, « badge policy --card-required oui »)",
    )
    c.add_argument("--door", default="accueil", help="nom de la porte")


def _uid(value: str | None) -> bytes | None:
    if value is None:
        return None
    try:
        return bytes.fromhex(value.replace(":", "").replace(" ", ""))
    except ValueError as exc:
        raise ConfigError(
            f"card UID {value!r} is not hexadecimal",
            fr=f"L'UID de carte « {value} » doit être en hexadécimal (par ex. 04A224B2C31580).",
            en=f"The card UID '{value}' must be hexadecimal (e.g. 04A224B2C31580).",
        ) from exc


def cmd_peer(args: argparse.Namespace, run: Runner) -> int:
    config = NodeConfig.load(args.data)
    if args.peer_command == "add":
        peer = run(config, lambda n: badge.add_peer(n, args.actor, args.visit_rate, args.currency))
        print(f"Pair ajouté : {peer} (abonnement envoyé ; ses badges sont honorés ici).")
    elif args.peer_command == "remove":
        network = run(config, lambda n: badge.remove_peer(n, args.actor))
        if network is None:
            print(f"Pair retiré : {args.actor}.")
        else:
            print(f"Accord bilatéral retiré : {args.actor} reste un pair par le réseau "
                  f"{network}, au tarif du réseau.")  # fmt: skip
    else:

        async def listing(node: Node) -> list[tables.peers.Peer]:
            return await tables.peers.listing(node.store.reads)

        trusted = run(config, listing)
        if not trusted:
            print("Aucun pair : « interlieux peer add --actor URL » en ajoute un.")
        for one in trusted:
            terms = f"réseau {one.terms_from}" if one.terms_from else "accord bilatéral"
            print(f"{one.actor_id}\t{one.visit_rate} {one.currency} par passage\t{terms}")
    return 0


def cmd_badge(args: argparse.Namespace, run: Runner) -> int:
    config = NodeConfig.load(args.data)
    if args.badge_command == "issue":
        issued = run(
            config,
            lambda n: badge.issue_badge(
                n, args.member, _uid(args.card_uid), args.days, args.credit_account
            ),
        )
        if args.out:
            # The NDEF message, not the bare grant: what card-writing apps import and what the
            # door reads back (reader.ndef); they add the tag's own framing (TLV or NLEN).
            args.out.write_bytes(ndef.grant_message(issued.data))
        if args.grant_out:
            args.grant_out.write_bytes(issued.data)
        if args.qr:
            import segno

            segno.make(issued.text, error="m").save(str(args.qr), scale=6)
        print(f"Badge {issued.grant_id} délivré à {args.member} ({len(issued.data)} octets).")
        print(issued.text)
    elif args.badge_command == "policy":
        if args.card_required is not None:
            required = _YES_NO[args.card_required]
            run(config, lambda n: policy.set_card_required(n.store, required))
        if args.stale_own_members is not None:
            allowed = _YES_NO[args.stale_own_members]
            run(config, lambda n: policy.set_stale_own_members(n.store, allowed))
        rules = run(config, lambda n: policy.load(n.store))
        if rules.card_required:
            print(
                "Carte exigée aux portes du lieu : un badge sans sa carte (QR code seul) est "
                "refusé. Les lecteurs l'appliquent à leur prochaine mise à jour."
            )
        else:
            print("Carte non exigée : un badge peut aussi être présenté en QR code.")
        if rules.stale_own_members:
            print(
                "Lecteur sans nouvelles de son nœud au-delà de son délai : les membres du lieu "
                "entrent encore, les badges des autres lieux sont refusés."
            )
        else:
            print(
                "Lecteur sans nouvelles de son nœud au-delà de son délai : tous les badges sont "
                "refusés (stale_bundle)."
            )
    elif args.badge_command == "revoke":
        ids = run(config, lambda n: badge.revoke(n, args.grant, args.member))
        print(f"{len(ids)} badge(s) révoqué(s) ; les lieux pairs sont prévenus : {' '.join(ids)}")
    else:

        async def issued_here(node: Node) -> list[tables.grants.IssuedGrant]:
            return await tables.grants.listing(node.store.reads)

        for row in run(config, issued_here):
            state = "révoqué" if row.revoked_at else "actif"
            until = posix_to_operator(float(row.expires), "day")
            print(f"{row.grant_id}\t{row.member}\t{state}\tjusqu'au {until}")
    return 0


def cmd_checkin(args: argparse.Namespace, run: Runner) -> int:
    config = NodeConfig.load(args.data)
    try:
        data = grant.from_text(args.grant)
    except grant.GrantError:
        data = args.grant.encode()  # decided (and recorded) as malformed below
    decision, visit = run(config, lambda n: badge.check_in(n, data, _uid(args.card_uid), args.door))
    result = decision.to_json("en" if args.lang == "en" else "fr")
    if visit:
        result["visit"] = visit
    json.dump(result, sys.stdout, ensure_ascii=False)
    print()
    return 0 if decision.accepted else 1


def cmd_keys(args: argparse.Namespace, run: Runner) -> int:
    config = NodeConfig.load(args.data)
    handle = args.actor or config.handle
    run(config, lambda n: badge.rotate_keys(n, handle))
    print(
        f"Nouvelles clés pour {handle} ; l'ancienne clé de badge reste publiée, les badges "
        "déjà délivrés restent valables. Les abonnés et les lieux pairs sont prévenus."
    )
    return 0


COMMANDS = {"peer": cmd_peer, "badge": cmd_badge, "checkin": cmd_checkin, "keys": cmd_keys}
