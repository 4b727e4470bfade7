"""`interlieux`: the command a place's team runs.

Errors are one line that says what to do next, in French unless `--lang en` or an English
`LANG`. Values that scripts read (a token) are on the last line of output.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from reader import cli as reader_cli

from . import backup, tables, tokens
from . import server as http_server
from .access import cli as access_cli
from .actors import local
from .agenda import cli as agenda_cli
from .app import create_app, run_with_node
from .commons import cli as commons_cli
from .commons import surveys_cli
from .config import (
    CONFIG_FILE,
    DATABASE_FILE,
    DEFAULT_HOST,
    DEFAULT_PORT,
    NodeConfig,
    check_base_url,
    check_handle,
    listen_address,
)
from .context import Command, Runner
from .directory import cli as directory_cli
from .errors import ConfigError, InterlieuxError
from .governance import cli as governance_cli
from .incoming import DEFAULT_MAX_IN_FLIGHT
from .ledger import cli as ledger_cli
from .migrations import Migration
from .people import accounts, invitations
from .query import cli as graph_cli
from .queues import DeliveryState
from .store import Store
from .tables import deliveries, origins
from .timestamps import posix_to_operator
from .volunteering import cli as volunteering_cli


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interlieux", description="Nœud Interlieux : un serveur par tiers-lieu."
    )
    parser.add_argument("--lang", choices=["fr", "en"], help="langue des messages")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="créer le dossier d'un nouveau nœud")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--base-url", required=True, help="https://mon-lieu.exemple")
    p.add_argument("--name", required=True, help="nom du lieu")
    p.add_argument("--handle", required=True, help="identifiant du lieu, ex. coroutine")

    p = sub.add_parser("serve", help="faire tourner le nœud")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument(
        "--host",
        help=f"adresse d'écoute (par défaut {DEFAULT_HOST}, derrière le proxy HTTPS ; "
        "0.0.0.0 dans un conteneur)",
    )
    p.add_argument(
        "--port",
        type=int,
        help=f"port d'écoute (par défaut {DEFAULT_PORT} ; pour une adresse http://127.0.0.1:PORT "
        "d'essai, le port de cette adresse)",
    )
    p.add_argument(
        "--header-timeout", type=float, default=http_server.HEADER_TIMEOUT, metavar="SECONDES",
        help="délai pour recevoir la ligne de requête et les en-têtes, au-delà : 408 "
        f"(par défaut {http_server.HEADER_TIMEOUT:g})",
    )  # fmt: skip
    p.add_argument(
        "--body-timeout", type=float, default=http_server.BODY_TIMEOUT, metavar="SECONDES",
        help="délai pour recevoir le corps après les en-têtes, au-delà : 408 "
        f"(par défaut {http_server.BODY_TIMEOUT:g})",
    )  # fmt: skip
    p.add_argument(
        "--max-connections", type=int, default=http_server.MAX_CONNECTIONS, metavar="N",
        help="connexions ouvertes à la fois, au-delà : 503 "
        f"(par défaut {http_server.MAX_CONNECTIONS})",
    )  # fmt: skip
    p.add_argument(
        "--forwarded-allow-ips", default=http_server.FORWARDED_ALLOW_IPS, metavar="ADRESSES",
        help="adresses du proxy HTTPS (séparées par des virgules, réseaux acceptés, * pour "
        "toutes) dont on croit les en-têtes X-Forwarded-For et X-Forwarded-Proto : les limites "
        "par adresse voient alors celle du visiteur, pas celle du proxy "
        f"(par défaut {http_server.FORWARDED_ALLOW_IPS}, un proxy sur la même machine)",
    )  # fmt: skip
    p.add_argument(
        "--max-in-flight", type=int, default=DEFAULT_MAX_IN_FLIGHT, metavar="N",
        help="requêtes traitées à la fois, au-delà : 503 avec Retry-After "
        f"(par défaut {DEFAULT_MAX_IN_FLIGHT})",
    )  # fmt: skip

    p = sub.add_parser("member", help="gérer les membres")
    msub = p.add_subparsers(dest="member_command", required=True)
    m = msub.add_parser("add", help="créer un membre")
    m.add_argument("--data", required=True, type=Path)
    m.add_argument("--handle", required=True)
    m.add_argument("--name", required=True)
    m.add_argument("--summary", default="")
    m.add_argument(
        "--manual-approval", action="store_true", help="valider soi-même chaque abonnement"
    )
    m = msub.add_parser("list", help="lister les comptes")
    m.add_argument("--data", required=True, type=Path)
    m = msub.add_parser(
        "invite", help="lien d'invitation à usage unique : le membre y choisit son mot de passe"
    )
    m.add_argument("--data", required=True, type=Path)
    m.add_argument("--handle", required=True)
    m.add_argument("--name", help="nom du membre, pour le créer s'il n'existe pas encore")
    m.add_argument(
        "--role", action="append", default=None, metavar="RÔLE",
        help="rôle donné au compte : admin, team, door (répétable, ou séparés par des virgules)",
    )  # fmt: skip
    m = msub.add_parser("roles", help="voir ou changer les rôles d'un compte")
    m.add_argument("--data", required=True, type=Path)
    m.add_argument("--handle", required=True)
    m.add_argument(
        "--set",
        dest="roles",
        metavar="RÔLES",
        help="les rôles, séparés par des virgules (admin,team,door ; vide : membre)",
    )

    p = sub.add_parser("token", help="jeton d'accès client (Bearer)")
    p.add_argument("--data", required=True, type=Path)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--actor", help="créer un jeton pour ce compte")
    group.add_argument("--list", action="store_true", help="lister les jetons")
    group.add_argument("--revoke", type=int, metavar="ID", help="révoquer un jeton")
    p.add_argument("--label", default="")
    p.add_argument(
        "--scope", choices=tokens.SCOPES, default=tokens.ALL,
        help="all : tout ce que le compte peut faire (par défaut) ; door : un lecteur de badges "
        "(lire le paquet de confiance, signaler les passages, rien d'autre)",
    )  # fmt: skip

    p = sub.add_parser("deliveries", help="envois en attente ou en échec")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--all", action="store_true", help="montrer aussi les envois réussis")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("backup", help="sauvegarder le nœud (base, clés, réglages) dans un fichier")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument(
        "--out", required=True, type=Path, help="fichier à écrire, ex. lieu.tar.gz ; - : la sortie"
    )

    p = sub.add_parser("restore", help="restaurer une sauvegarde dans un dossier vide")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument(
        "--from",
        dest="source",
        required=True,
        type=Path,
        metavar="FICHIER",
        help="la sauvegarde (faite par « interlieux backup ») ; - : l'entrée standard",
    )
    p.add_argument(
        "--force", action="store_true", help="dossier non vide : mettre son contenu de côté"
    )
    access_cli.add_commands(sub)
    ledger_cli.add_commands(sub)
    reader_cli.add_commands(sub)
    directory_cli.add_commands(sub)
    agenda_cli.add_commands(sub)
    graph_cli.add_commands(sub)
    commons_cli.add_commands(sub)
    governance_cli.add_commands(sub)
    surveys_cli.add_commands(sub)
    volunteering_cli.add_commands(sub)
    return parser


def _lang(args: argparse.Namespace) -> str:
    if args.lang:
        return str(args.lang)
    env = os.environ.get("LANG", "") or os.environ.get("LC_ALL", "")
    return "en" if env.startswith("en") else "fr"


async def _with_store(config: NodeConfig, work: Callable[[Store], Awaitable[Any]]) -> Any:
    store = await Store(config.database).open()
    try:
        return await work(store)
    finally:
        await store.close()


def cmd_init(args: argparse.Namespace, run: Runner) -> None:
    data: Path = args.data
    base_url = check_base_url(args.base_url)
    handle = check_handle(args.handle)
    if (data / CONFIG_FILE).exists() or (data / DATABASE_FILE).exists():
        raise ConfigError(
            f"{data} already holds a node",
            fr=f"{data} contient déjà un nœud : rien n'a été changé. Choisissez un autre "
            "dossier pour un nouveau lieu.",
            en=f"{data} already holds a node: nothing was changed. Choose another folder.",
        )
    data.mkdir(parents=True, exist_ok=True)
    data.chmod(0o700)  # private keys live in the database
    config = NodeConfig(data_dir=data, base_url=base_url, name=args.name, handle=handle)

    async def work(store: Store) -> None:
        async with store.write() as db:
            await local.create(db, config, handle, args.name, "Organization")

    asyncio.run(_with_store(config, work))
    config.save()
    print(f"Nœud créé : {config.place_id}")
    print(f"Lancez-le avec : interlieux serve --data {data}")


def cmd_serve(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    host, port = listen_address(config, args.host, args.port)

    # Create or upgrade the database here, so that a refusal (a file newer than this code, a
    # failed step) is one clear line and exit code 2, not a traceback from the server's start.
    async def upgraded(store: Store) -> list[Migration]:
        return store.upgraded

    steps = asyncio.run(_with_store(config, upgraded))
    english = _lang(args) == "en"
    for step in steps:
        if english:
            print(f"Database upgraded: schema {step.version} ({step.name}).")
        else:
            print(f"Base de données mise à jour : schéma {step.version} ({step.name}).")
    shown = f"[{host}]" if ":" in host else host
    if english:
        print(f"{config.base_url}: the node listens on http://{shown}:{port}", flush=True)
    else:
        print(f"{config.base_url} : le nœud écoute sur http://{shown}:{port}", flush=True)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    limits = http_server.ServeLimits(
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        max_connections=args.max_connections,
    )
    http_server.serve(create_app(config, max_in_flight=args.max_in_flight), host, port, limits,
                      args.forwarded_allow_ips)  # fmt: skip


def cmd_member(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    if args.member_command == "list":

        async def listing(store: Store) -> list[local.LocalActor]:
            return await local.all_actors(store)

        for actor in asyncio.run(_with_store(config, listing)):
            print(f"{actor.handle}\t{actor.type}\t{actor.name}\t{actor.id}")
        return

    if args.member_command == "invite":
        _member_invite(args, config)
        return
    if args.member_command == "roles":
        _member_roles(args, config)
        return

    async def work(store: Store) -> local.LocalActor:
        async with store.write() as db:
            return await local.create(
                db, config, args.handle, args.name, "Person", args.summary, args.manual_approval
            )

    actor = asyncio.run(_with_store(config, work))
    print(f"Membre créé : @{actor.handle}@{config.host} ({actor.id})")


def _member_invite(args: argparse.Namespace, config: NodeConfig) -> None:
    roles = accounts.parse_roles(",".join(args.role)) if args.role else None

    async def work(store: Store) -> tuple[str, invitations.Invitation, bool]:
        created = False
        if args.name and not await tables.local_actors.exists(store.reads, args.handle):
            async with store.write() as db:
                await local.create(db, config, args.handle, args.name, "Person")
            created = True
        token, invitation = await invitations.invite(store, args.handle, roles)
        return token, invitation, created

    token, invitation, created = asyncio.run(_with_store(config, work))
    if created:
        print(f"Membre créé : @{args.handle}@{config.host}")
    until = posix_to_operator(invitation.expires_at)
    what = "de réinitialisation du mot de passe" if invitation.purpose == invitations.RESET else (
        "d'invitation")  # fmt: skip
    print(f"Lien {what} pour @{args.handle}@{config.host}, à usage unique, valable jusqu'au "
          f"{until} (remettez-le en main propre ; il remplace les liens précédents) :")  # fmt: skip
    print(invitations.link(config.base_url, token))


def _member_roles(args: argparse.Namespace, config: NodeConfig) -> None:
    async def work(store: Store) -> accounts.Account:
        if args.roles is not None:
            return await accounts.set_roles(store, args.handle, accounts.parse_roles(args.roles))
        found = await accounts.find(store.reads, args.handle)
        if found is None:
            async with store.write() as db:
                return await accounts.ensure(db, args.handle)
        return found

    account = asyncio.run(_with_store(config, work))
    held = [r for r in accounts.ROLES if r in accounts.held(account.roles)]
    print(f"@{args.handle}@{config.host} : {', '.join(held)}")


def cmd_token(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    if args.list:
        rows = asyncio.run(_with_store(config, tokens.listing))
        for info in rows:
            state = "révoqué" if info.revoked_at else "actif"
            created = posix_to_operator(info.created_at)
            door = f"\tporte {info.door}" if info.door else ""
            print(f"{info.id}\t{info.handle}\t{state}\t{info.scope}\t{created}\t{info.label}{door}")
        return
    if args.revoke is not None:
        asyncio.run(_with_store(config, lambda s: tokens.revoke(s, args.revoke)))
        print(f"Jeton {args.revoke} révoqué.")
        return

    async def work(store: Store) -> str:
        await local.by_handle(store, args.actor)
        return await tokens.issue(store, args.actor, args.label, args.scope)

    token = asyncio.run(_with_store(config, work))
    if args.scope == tokens.DOOR:
        print(f"Jeton de porte pour {args.actor} (gardez-le secret ; il ne sert qu'au lecteur) :")
    else:
        print(f"Jeton pour {args.actor} (gardez-le secret) :")
    print(token)


def cmd_deliveries(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    hidden = None if args.all else DeliveryState.DELIVERED

    async def work(store: Store) -> list[dict[str, Any]]:
        return [dict(r) for r in await deliveries.for_operator(store.reads, hidden)]

    rows = asyncio.run(_with_store(config, work))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    failing = asyncio.run(_with_store(config, lambda store: origins.listing(store.reads)))
    for server in failing:
        since = server["unavailable_since"]
        state = (
            f"injoignable depuis le {posix_to_operator(float(since))} : plus rien ne lui est "
            "envoyé tant qu'il ne répond pas"
            if isinstance(since, float)
            else "en échec"
        )
        print(f"serveur {server['origin']}\t{state}\tjours d'échecs : {server['failure_days']}"
              f"\tdernière erreur : {server['last_error']}")  # fmt: skip
    if not rows:
        print("Aucun envoi en attente ni en échec.")
        return
    labels = {
        DeliveryState.PENDING: "en attente",
        DeliveryState.FAILED: "en échec",
        DeliveryState.DELIVERED: "livré",
    }
    for r in rows:
        when = posix_to_operator(r["next_attempt_at"], "second")
        line = f"{labels.get(r['state'], r['state'])}\t{r['type']}\t{r['inbox']}"
        line += f"\tessais: {r['attempts']}"
        if r["state"] == DeliveryState.PENDING:
            line += f"\tprochain essai: {when}"
        if r["last_error"]:
            line += f"\traison: {r['last_error']}"
        print(line)


@contextlib.contextmanager
def _file_errors(what: str) -> Iterator[None]:
    """A folder that cannot be written, a disk that is full: one line, not a traceback."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise ConfigError(
            f"{what} failed: {exc}",
            fr=f"Échec : {exc.strerror or exc}{where}. Vérifiez les droits sur ce dossier et la "
            "place libre sur le disque.",
            en=f"Failed: {exc.strerror or exc}{where}. Check the permissions on that folder and "
            "the free disk space.",
        ) from exc


def cmd_backup(args: argparse.Namespace, run: Runner) -> None:
    to_stdout = str(args.out) == "-"
    with _file_errors("backup"):
        manifest = backup.backup(args.data, sys.stdout.buffer if to_stdout else args.out)
    where = "-" if to_stdout else f"{args.out} ({args.out.stat().st_size} octets/bytes)"
    say = sys.stderr if to_stdout else sys.stdout  # standard output carries the backup itself
    if _lang(args) == "en":
        print(f"Backup of {manifest.place} (schema {manifest.schema_version}, "
              f"{len(manifest.files)} files) written to {where}.", file=say)  # fmt: skip
        print("It holds the node's private keys: keep it as safe as the server.", file=say)
        return
    print(f"Sauvegarde de {manifest.place} (schéma {manifest.schema_version}, "
          f"{len(manifest.files)} fichiers) écrite dans {where}.", file=say)  # fmt: skip
    print("Elle contient les clés privées du nœud : gardez-la aussi bien que le serveur.", file=say)


def cmd_restore(args: argparse.Namespace, run: Runner) -> None:
    source = sys.stdin.buffer if str(args.source) == "-" else args.source
    with _file_errors("restore"):
        manifest, aside = backup.restore(source, args.data, force=args.force)
    if _lang(args) == "en":
        print(f"Restored {manifest.place} (backup of {manifest.created_at}) into {args.data}.")
        if aside:
            print(f"What the folder held before is in {aside}.")
        print(f"Start it with: interlieux serve --data {args.data}")
        return
    print(f"{manifest.place} restauré (sauvegarde du {manifest.created_at}) dans {args.data}.")
    if aside:
        print(f"Ce que le dossier contenait avant est dans {aside}.")
    print(f"Lancez-le avec : interlieux serve --data {args.data}")


def _without_node(command: Callable[[argparse.Namespace], int | None]) -> Command:
    """The reader's commands run on a door, with no node beside them."""
    return lambda args, run: command(args)


COMMANDS: dict[str, Command] = {
    "init": cmd_init,
    "serve": cmd_serve,
    "member": cmd_member,
    "token": cmd_token,
    "deliveries": cmd_deliveries,
    "backup": cmd_backup,
    "restore": cmd_restore,
    **access_cli.COMMANDS,
    **ledger_cli.COMMANDS,
    **{name: _without_node(command) for name, command in reader_cli.COMMANDS.items()},
    **directory_cli.COMMANDS,
    **agenda_cli.COMMANDS,
    **graph_cli.COMMANDS,
    **commons_cli.COMMANDS,
    **governance_cli.COMMANDS,
    **surveys_cli.COMMANDS,
    **volunteering_cli.COMMANDS,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args, run_with_node) or 0
    except InterlieuxError as exc:
        print(f"interlieux: {exc.message(_lang(args))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
