"""The operator's commands for the knowledge graph: rebuild it, see how it stands."""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..config import NodeConfig, graph_dir
from ..context import Command, Node, Runner
from ..errors import ConfigError


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("graph", help="le graphe de connaissances (/sparql)")
    gsub = p.add_subparsers(dest="graph_command", required=True)
    g = gsub.add_parser(
        "rebuild", help="refaire le graphe à partir des objets publics (nœud arrêté)"
    )
    g.add_argument("--data", required=True, type=Path)
    g = gsub.add_parser("status", help="ce que tient le graphe (nœud arrêté)")
    g.add_argument("--data", required=True, type=Path)


def _in_engine(config: NodeConfig, command: str) -> dict[str, Any]:
    """Run the command in the graph engine's process (`engine.once`), which alone opens the
    store: this process, also the server's, never loads Oxigraph."""
    # Its errors go to the operator's terminal as they come (stderr is not captured).
    done = subprocess.run(
        [sys.executable, "-m", "node.query.engine", "--database", str(config.database),
         "--once", command],
        stdout=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0 or not done.stdout.strip():
        raise ConfigError(
            f"graph engine failed with exit code {done.returncode}",
            fr="Le moteur du graphe s'est arrêté sur une erreur (voir ci-dessus) : relancez la "
            "commande ; si l'erreur revient, faites `graph rebuild`, nœud arrêté.",
            en="The graph engine stopped on an error (see above): run the command again; if "
            "it comes back, run `graph rebuild` with the node stopped.",
        )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if "busy" in found:
        raise ConfigError(
            f"graph store busy: {found['busy']}",
            fr=f"Le graphe ({graph_dir(config.database)}) est ouvert par le nœud en marche : "
            "arrêtez le nœud, relancez la commande, puis redémarrez-le (il relit ce qui manque "
            "tout seul au démarrage).",
            en=f"The graph ({graph_dir(config.database)}) is open by the running node: stop "
            "the node, run the command again, then start it (it catches up by itself).",
        )
    return found


def cmd_graph(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)

    async def work(node: Node) -> dict[str, Any]:
        # The node's store is open (and migrated) first: the graph reads its rows.
        return await asyncio.to_thread(_in_engine, config, args.graph_command)

    found = run(config, work)
    if found["count"] is not None:
        rate = found["count"] / found["seconds"] if found["seconds"] else 0.0
        print(f"Graphe refait : {found['count']} objets lus en {found['seconds']:.1f} s "
              f"({rate:.0f} objets/s).")  # fmt: skip
    print(f"Objets dans le graphe : {found['objects']}")
    print(f"Lieux (graphes nommés) : {len(found['graphs'])}")
    for name in found["graphs"]:
        print(f"  {name}")
    if found["behind"]:
        print(f"En retard de {found['behind']} changements : le nœud les lira à son démarrage.")


COMMANDS: dict[str, Command] = {"graph": cmd_graph}
