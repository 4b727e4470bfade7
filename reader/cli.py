"""`interlieux reader`: run the door daemon on a machine with a PC/SC card reader."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from .daemon import Door, DoorSettings

log = logging.getLogger("interlieux.door")


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("reader", help="lecteur de badges à la porte (PC/SC)")
    p.add_argument("--node", required=True, help="adresse du nœud du lieu (https://…)")
    p.add_argument("--token", required=True, help="jeton du lieu (interlieux token --actor …)")
    p.add_argument("--door", default="porte", help="nom de cette porte (ex. entree-rue)")
    p.add_argument("--state", type=Path, help="dossier du cache et de la file des passages")
    p.add_argument("--reader", help="ne surveiller que ce lecteur (nom PC/SC)")
    p.add_argument("--on-decision", help="commande lancée après chaque décision (relais, LED)")
    p.add_argument("--refresh", type=float, default=20.0, help="secondes entre deux mises à jour")


def cmd_reader(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")  # fmt: skip
    state = args.state or Path.home() / ".local" / "share" / "interlieux" / f"porte-{args.door}"
    door = Door(
        DoorSettings(
            node_url=args.node.rstrip("/"), token=args.token, door=args.door, state_dir=state,
            on_decision=args.on_decision, refresh_seconds=args.refresh,
        )
    )  # fmt: skip

    def stop(signum: int, frame: FrameType | None) -> None:
        door.stop()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    door.run(lambda d: _watch(d, args.reader))
    log.info("porte %s arrêtée ; %d passage(s) en attente d'envoi", args.door, len(door.pending()))
    return 0


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
