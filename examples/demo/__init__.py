"""`make demo`: three tiers-lieux on this machine, living a week of the network in a minute.

Each place is a real node, created with the same `interlieux` commands a place's team types and
served by its own `interlieux serve` process on a loopback port (through `LocalPlace`). The story
is told in French on the terminal, one numbered step after the other (`story.py`): the places
and their details, peering, an event, a need and a pledge reaching followers, residents, a badge
tapped at another place's door, the visit at the home place, a claim and both ledgers, the
visited place's door team signing in and seeing the visit on its dashboard. Then the
network keeps running until Ctrl-C (or SIGTERM), which stops every node cleanly.

    python -m examples.demo               # from the repository root; `make demo` does this
    python -m examples.demo --once        # every step, then stop (INTERLIEUX_DEMO_ONCE=1 too)
    python -m examples.demo --data DIR    # another folder than ./demo-data (wiped at start)

Exit codes: 0 when the demo ran (and was stopped on request), 1 with a one-line French message
when something failed, 130 when it was interrupted before the network was up.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from . import story
from .folder import PID_FILE, DemoError, prepare_folder
from .telling import say, shown

DEFAULT_DATA = Path("demo-data")
RUNNING = "Le réseau tourne. Ctrl-C pour tout arrêter."


class Interrupted(BaseException):  # like KeyboardInterrupt: not caught as an Exception
    """Ctrl-C, SIGTERM or a closed terminal."""


# --- the command -------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m examples.demo",
        description="Démo Interlieux : trois tiers-lieux en réseau sur cette machine.",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="toutes les étapes puis arrêt, sans attendre Ctrl-C (ou INTERLIEUX_DEMO_ONCE=1)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="dossier de la démo, effacé au lancement (par défaut : ./demo-data)",
    )
    return parser


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signal.Signals(signum).name)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    once = args.once or os.environ.get("INTERLIEUX_DEMO_ONCE", "") not in ("", "0")
    data: Path = args.data
    network: list[story.DemoPlace] = []
    stop_signals = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
    previous: dict[signal.Signals, Any] = {s: signal.signal(s, _on_signal) for s in stop_signals}
    network_up = False
    owns_folder = False
    failure = ""
    code = 0
    try:
        say("Interlieux — démonstration : trois tiers-lieux en réseau, sur cette machine")
        say(f"Dossier de la démo : {shown(data)}/ (effacé à chaque lancement)")
        prepare_folder(data)
        owns_folder = True
        story.create_places(data, network)
        story.start_places(data, network)
        story.become_peers(data, network)
        published = story.publish_the_commons(data, network)
        story.validate_residents(data, network)
        story.ask_the_network(data, network)
        story.tap_a_badge(data, network)
        story.claim_and_show_ledgers(data, network)
        team_link = story.open_the_team_dashboard(data, network)
        story.show_deliveries_and_where_to_look(data, network, published, team_link)
        network_up = True
        say()
        if once:
            say("Mode --once : la démo s'arrête sans attendre.")
        else:
            say(RUNNING)
            story.wait_until_stopped(network)
    except Interrupted as exc:
        say()
        say("Ctrl-C reçu." if str(exc) == "SIGINT" else f"Signal d'arrêt reçu ({exc}).")
        code = 0 if network_up else 130
    except DemoError as exc:
        failure = str(exc)
        code = 1
    finally:
        for s in stop_signals:  # a second Ctrl-C must not cut the clean stop short
            signal.signal(s, signal.SIG_IGN)
        try:
            story.stop_places(network)
            if network:
                say(f"Tout est arrêté. Les données restent dans {shown(data)}/ jusqu'au prochain "
                    "lancement.")  # fmt: skip
            if owns_folder:
                (data / PID_FILE).unlink(missing_ok=True)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
    if failure:  # last, so that it is what the person sees
        print(f"✗ {failure}", file=sys.stderr, flush=True)
    return code
