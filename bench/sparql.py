"""How fast `/sparql` answers over a node holding 10,000 public objects.

Builds a node's database in a temporary folder the way objects arrive (each through
`node.query.graph.sync`, JSON-LD to N-Triples with the bundled contexts), loads the in-memory
graph as a starting node would, then runs three realistic queries through the endpoint's own
code path (`node.query.routes._run`, with its time limit) and prints their latencies.

    .venv/bin/python bench/sparql.py [--objects 10000] [--runs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rdflib.plugins.sparql import prepareQuery

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.query.graph import PREFIXES, PublicGraph, convert_pending, sync
from node.query.routes import _run
from node.store import Store
from vocab import skills
from vocab.context import PUBLIC

CITIES = ["Lille", "Roubaix", "Tourcoing", "Lyon", "Nantes", "Marseille", "Rennes", "Paris"]

QUERIES = {
    "needs for 3D printing near Lille before July": """
        SELECT ?need ?name ?place ?due WHERE {
          ?need a tl:Need ; as:name ?name ; tl:skill sk:impression-3d ; tl:status tl:open ;
                vf:due ?due ; as:attributedTo ?place .
          ?place schema:address/schema:addressLocality "Lille" .
          FILTER (?due < "2030-07-01T00:00:00Z"^^xsd:dateTime)
        } ORDER BY ?due""",
    "next 20 events in April": """
        SELECT ?event ?name ?start ?city WHERE {
          ?event a as:Event ; as:name ?name ; as:startTime ?start ;
                 as:location/schema:address/schema:addressLocality ?city .
          FILTER (?start >= "2030-04-01T00:00:00Z"^^xsd:dateTime &&
                  ?start < "2030-05-01T00:00:00Z"^^xsd:dateTime)
        } ORDER BY ?start LIMIT 20""",
    "pledged total per project": """
        SELECT ?project (SUM(?amount) AS ?total) (COUNT(?p) AS ?pledges) WHERE {
          ?p a tl:Pledge ; tl:amount ?amount ; tl:funds ?project .
        } GROUP BY ?project ORDER BY DESC(?total)""",
}


def objects(count: int, rng: random.Random) -> list[dict[str, Any]]:
    all_skills = [s.short for s in skills.all_skills() if s.broader]
    places = [f"https://lieu{n}.example/actors/lieu{n}" for n in range(max(count // 100, 8))]
    made: list[dict[str, Any]] = []
    for n, place in enumerate(places):
        made.append(
            {
                "id": place,
                "type": "Organization",
                "name": f"Lieu {n}",
                "to": [PUBLIC],
                "address": {"type": "PostalAddress", "addressLocality": CITIES[n % len(CITIES)]},
            }
        )
    for n in range(count - len(places)):
        place = rng.choice(places)
        oid = f"{place.rsplit('/actors/', 1)[0]}/objects/{n}"
        day = f"2030-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(8, 20):02d}"
        base = {"id": oid, "attributedTo": place, "to": [PUBLIC]}
        kind = n % 10
        if kind < 5:
            made.append(
                {
                    **base,
                    "type": "Event",
                    "name": f"Atelier {n}",
                    "startTime": f"{day}:00:00Z",
                    "endTime": f"{day}:59:00Z",
                    "location": {
                        "type": "Place",
                        "name": "Salle",
                        "address": {"type": "PostalAddress", "addressLocality": rng.choice(CITIES)},
                    },
                }
            )
        elif kind < 8:
            made.append(
                {
                    **base,
                    "type": ["Need", "Note"],
                    "name": f"Besoin {n}",
                    "needKind": "skills",
                    "quantity": rng.randint(1, 5),
                    "status": rng.choice(["open", "partlyMet", "met"]),
                    "skill": [skills.expand(rng.choice(all_skills))],
                    "due": f"{day}:00:00Z",
                }
            )
        else:
            made.append(
                {
                    **base,
                    "type": ["Pledge", "Note"],
                    "amount": rng.randint(50, 500),
                    "currency": "EUR",
                    "due": f"{day}:00:00Z",
                    "funds": f"https://communs.example/projet/{rng.randint(1, 30)}",
                }
            )
    return made


async def build(path: Path, count: int) -> tuple[PublicGraph, float, float, float]:
    store = await Store(path).open()
    started = time.perf_counter()
    async with store.write() as db:
        for document in objects(count, random.Random(4)):
            await sync(db, document["id"], document, local=False)
    stored = time.perf_counter() - started
    # What the node's GraphWorker does in the background as objects arrive.
    started = time.perf_counter()
    while await convert_pending(store, limit=500):
        pass
    converted = time.perf_counter() - started
    graph = PublicGraph()
    started = time.perf_counter()
    await graph.refresh(store)
    loaded = time.perf_counter() - started
    await store.close()
    return graph, stored, converted, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        graph, stored, converted, loaded = asyncio.run(
            build(Path(folder) / "bench.sqlite3", args.objects)
        )
    print(f"{args.objects} objects, {len(graph.graph)} triples")
    print(f"storing (in the inbox's transaction): {stored / args.objects * 1000:.2f} ms per object")
    print(
        f"JSON-LD -> N-Triples (background worker): {converted:.1f} s "
        f"({converted / args.objects * 1000:.2f} ms per object)"
    )
    print(f"loading the in-memory graph (first query after a start): {loaded:.1f} s")
    for name, text in QUERIES.items():
        prepared = prepareQuery(
            text, initNs={**PREFIXES, "xsd": "http://www.w3.org/2001/XMLSchema#"}
        )
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            body, _ = _run(graph, prepared, 30.0, "json", "turtle")
            timings.append((time.perf_counter() - started) * 1000)
        rows = len(json.loads(body)["results"]["bindings"])
        timings.sort()
        print(
            f"{name:45s} p50 {statistics.median(timings):7.1f} ms  "
            f"p95 {timings[int(len(timings) * 0.95) - 1]:7.1f} ms  ({len(body)} bytes, {rows} rows)"
        )


if __name__ == "__main__":
    main()
