"""The operator's commands for the knowledge graph: rebuild it, see how it stands."""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from ..config import NodeConfig, graph_dir
from ..context import Command, Node, Runner
from ..errors import ConfigError
from .dataset import KnowledgeGraph, StoreBusy


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("graph", help="le graphe de connaissances (/sparql)")
    gsub = p.add_subparsers(dest="graph_command", required=True)
    g = gsub.add_parser(
        "rebuild", help="refaire le graphe à partir des objets publics (nœud arrêté)"
    )
    g.add_argument("--data", required=True, type=Path)
    g = gsub.add_parser("status", help="ce que tient le graphe (nœud arrêté)")
    g.add_argument("--data", required=True, type=Path)


def _open(config: NodeConfig) -> KnowledgeGraph:
    try:
        return KnowledgeGraph(config.database)
    except StoreBusy as exc:
        raise ConfigError(
            f"graph store busy: {exc}",
            fr=f"Le graphe ({graph_dir(config.database)}) est ouvert par le nœud en marche : "
            "arrêtez le nœud, relancez la commande, puis redémarrez-le (il relit ce qui manque "
            "tout seul au démarrage).",
            en=f"The graph ({graph_dir(config.database)}) is open by the running node: stop "
            "the node, run the command again, then start it (it catches up by itself).",
        ) from exc


def cmd_graph(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)

    async def work(node: Node) -> dict[str, Any]:
        # The node's store is open (and migrated) first: the graph reads its rows.
        def on_disk() -> dict[str, Any]:
            graph = _open(config)
            try:
                started = time.perf_counter()
                count = graph.rebuild() if args.graph_command == "rebuild" else None
                seconds = time.perf_counter() - started
                return {"count": count, "seconds": seconds, **graph.status()}
            finally:
                graph.close()

        return await asyncio.to_thread(on_disk)

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
