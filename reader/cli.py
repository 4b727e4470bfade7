"""`interlieux reader`: run the door daemon on a machine with a PC/SC card reader."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from node.access.decision import MAX_BUNDLE_AGE
from node.config import is_loopback_host
from node.errors import ConfigError

from .daemon import Door, DoorSettings

log = logging.getLogger("interlieux.door")


TOKEN_VARIABLE = "INTERLIEUX_READER_TOKEN"


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("reader", help="lecteur de badges à la porte (PC/SC)")
    p.add_argument("--node", required=True, help="adresse du nœud du lieu (https://…)")
    p.add_argument(
        "--token-file", type=Path,
        help=f"fichier qui contient le jeton de la porte (ou la variable {TOKEN_VARIABLE})",
    )  # fmt: skip
    # Refused with a message that says where the token goes now (see `door_token`).
    p.add_argument("--token", help=argparse.SUPPRESS)
    p.add_argument(
        "--insecure-http", action="store_true",
        help="accepter un nœud en http:// ailleurs que sur cette machine (réseau privé d'un "
        "compose Docker seulement)",
    )  # fmt: skip
    p.add_argument("--door", default="porte", help="nom de cette porte (ex. entree-rue)")
    p.add_argument("--state", type=Path, help="dossier du cache et de la file des passages")
    p.add_argument("--reader", help="ne surveiller que ce lecteur (nom PC/SC)")
    p.add_argument("--on-decision", help="commande lancée après chaque décision (relais, LED)")
    p.add_argument("--refresh", type=float, default=20.0, help="secondes entre deux mises à jour")
    p.add_argument(
        "--enrol-again", action="store_true",
        help="oublier la clé du lieu apprise à l'inscription et la redemander au nœud (après "
        "« interlieux keys rotate » au lieu)",
    )  # fmt: skip
    p.add_argument(
        "--max-bundle-age", type=float, default=MAX_BUNDLE_AGE / 3600, metavar="HEURES",
        help="au-delà, sans nouvelles du nœud, le lecteur refuse les badges (stale_bundle ; "
        f"par défaut {MAX_BUNDLE_AGE // 3600} h)",
    )  # fmt: skip


def cmd_reader(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")  # fmt: skip
    state = args.state or Path.home() / ".local" / "share" / "interlieux" / f"porte-{args.door}"
    node_url = check_node_url(args.node, args.insecure_http)
    token = door_token(args.token, args.token_file, os.environ.get(TOKEN_VARIABLE))
    if args.enrol_again:
        # The door keeps its own key (its token is bound to it); only the place key it trusts
        # is asked again, over the same https (or loopback) connection and token.
        (state / "enrolment.json").unlink(missing_ok=True)
    door = Door(
        DoorSettings(
            node_url=node_url, token=token, door=args.door, state_dir=state,
            on_decision=args.on_decision, refresh_seconds=args.refresh,
            max_bundle_age=args.max_bundle_age * 3600,
        )
    )  # fmt: skip

    def stop(signum: int, frame: FrameType | None) -> None:
        door.stop()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    door.run(lambda d: _watch(d, args.reader))
    log.info("porte %s arrêtée ; %d passage(s) en attente d'envoi", args.door, len(door.pending()))
    return 0


def door_token(on_command_line: str | None, path: Path | None, variable: str | None) -> str:
    """The door's token, from a file or the environment: a command line is readable by every
    user of the machine (`ps`), and the token lets one report visits that cost money."""
    if on_command_line:
        raise ConfigError(
            "token given on the command line",
            fr=f"Le jeton ne se donne plus en ligne de commande (n'importe quel compte de la "
            f"machine le lirait avec « ps ») : mettez-le dans un fichier lisible par vous seul "
            f"(--token-file) ou dans la variable {TOKEN_VARIABLE}.",
            en=f"The token is no longer given on the command line (any account on the machine "
            f"could read it with 'ps'): put it in a file only you can read (--token-file) or "
            f"in the variable {TOKEN_VARIABLE}.",
        )
    if path is not None:
        try:
            token = path.read_text().strip()
        except OSError as exc:
            raise ConfigError(
                f"cannot read {path}: {exc}",
                fr=f"Impossible de lire le fichier du jeton {path} : vérifiez le chemin et ses "
                "droits.",
                en=f"Cannot read the token file {path}: check the path and its permissions.",
            ) from exc
    else:
        token = (variable or "").strip()
    if not token:
        raise ConfigError(
            "no token",
            fr=f"Il manque le jeton de la porte : créez-le avec « interlieux token --actor "
            f"<identifiant du lieu> --scope door », puis donnez-le par --token-file ou "
            f"{TOKEN_VARIABLE}.",
            en=f"The door's token is missing: make it with 'interlieux token --actor <place "
            f"handle> --scope door', then give it with --token-file or {TOKEN_VARIABLE}.",
        )
    return token


def check_node_url(url: str, insecure_http: bool) -> str:
    """https, or http on this machine: the token and the taps must not cross a network in
    clear. A compose file's private network is the one exception, said explicitly."""
    parts = urlsplit(url)
    plain_ok = parts.scheme == "http" and (is_loopback_host(parts.hostname or "") or insecure_http)
    if not parts.hostname or not (parts.scheme == "https" or plain_ok):
        raise ConfigError(
            f"refusing node URL {url}",
            fr=f"Adresse du nœud refusée : {url}. Utilisez https://… (http:// seulement vers "
            "cette machine : 127.0.0.1 ou localhost).",
            en=f"Node address refused: {url}. Use https://… (http:// only to this machine: "
            "127.0.0.1 or localhost).",
        )
    return url.rstrip("/")


def _watch(door: Door, reader_name: str | None) -> Callable[[], None]:
    from .card import CardData
    from .errors import DoorError
    from .monitor import DoorMonitor

    def on_card(name: str, result: CardData | DoorError) -> None:
        if isinstance(result, DoorError):
            log.info("PORTE %s : carte illisible (%s) %s", door.settings.door, result.log,
                     result.message("fr"))  # fmt: skip
            return
        door.on_tap(result.uid, result.grant)

    def on_status(error: DoorError | None) -> None:
        if error is not None:
            log.warning("lecteur indisponible : %s", error.message("fr"))
        else:
            log.info("lecteur disponible")

    monitor = DoorMonitor(
        on_card, readers=[reader_name] if reader_name else None, on_status=on_status
    ).start()
    return monitor.stop


COMMANDS = {"reader": cmd_reader}
