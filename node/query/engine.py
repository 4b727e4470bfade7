"""The graph engine: a process of its own that owns the knowledge graph and answers queries.

    python -m node.query.engine --database /path/to/node.db
    python -m node.query.engine --database /path/to/node.db --once rebuild|status

Why a process: Oxigraph cannot stop a query that runs too long, and a query run in the node's
process would hold a core the node's routes need. The node (`client.GraphEngine`) kills this
process at a query's deadline and starts another; the store on disk is ready again at once, and
what was being applied is applied again (`dataset`). Everything slow about the graph — reading
JSON-LD into quads, applying changes — happens here too, off the node's event loop.

It speaks on stdin/stdout: a request is one JSON line; an answer is one JSON line (`id`, `ok`,
`media`, `length`, or `error`) followed by `length` bytes of body. Requests run in a few threads
(Oxigraph reads from consistent snapshots while changes are applied); a thread applies the
node's changes as they come. It ends when its stdin closes: it never outlives the node.

With `--once`, it does one operator's command (`interlieux graph rebuild|status`, node stopped)
and prints its outcome as one JSON line: the store is only ever opened by this module's
process, so the node's own process never loads Oxigraph (14 MB of resident memory).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

from .dataset import KnowledgeGraph, StoreBusy, TooLarge

log = logging.getLogger("node.query.engine")

POLL = 1.0  # seconds between looks at the node's changes when no query asks
# Rows a query applies first, so that it sees what was committed just before it; a longer
# backlog (a rebuild, a migration) is left to the applying thread and the query answers
# from what is applied.
CATCH_UP_BEFORE_QUERY = 2000
THREADS = 4


class Engine:
    def __init__(self, graph: KnowledgeGraph, out: IO[bytes]) -> None:
        self.graph = graph
        self.out = out
        self.writing = threading.Lock()

    def answer(self, request_id: Any, body: bytes = b"", **header: Any) -> None:
        head = json.dumps({"id": request_id, "length": len(body), **header}).encode() + b"\n"
        with self.writing:
            self.out.write(head + body)
            self.out.flush()

    def handle(self, request: dict[str, Any]) -> None:
        request_id = request.get("id")
        op = request.get("op")
        try:
            if op == "ask":
                self.graph.catch_up(most=CATCH_UP_BEFORE_QUERY)
                body, media = self.graph.ask(
                    request["query"], request["select_format"], request["graph_format"],
                    int(request["max_bytes"]),
                )  # fmt: skip
                self.answer(request_id, body, ok=True, media=media)
            elif op == "export":
                self.graph.catch_up()
                body = self.graph.export(request["graph_format"])
                self.answer(request_id, body, ok=True, media="")
            elif op == "status":
                body = json.dumps(self.graph.status()).encode()
                self.answer(request_id, body, ok=True, media="application/json")
            elif op == "sync":
                count = self.graph.catch_up()
                self.answer(request_id, json.dumps({"applied": count}).encode(), ok=True, media="")
            else:
                self.answer(request_id, ok=False, error="unknown", detail=str(op))
        except SyntaxError as exc:
            self.answer(request_id, ok=False, error="syntax", detail=str(exc))
        except TooLarge as exc:
            self.answer(request_id, ok=False, error="too_large", detail=str(exc))
        except Exception as exc:  # one request's failure is reported, the engine goes on
            log.exception("graph request %s failed", op)
            self.answer(request_id, ok=False, error="failed", detail=repr(exc))

    def keep_in_step(self) -> None:
        while True:  # a daemon thread: it ends with the process
            try:
                self.graph.catch_up()
            except Exception:  # a bad row must not stop the thread; it is logged
                log.exception("applying the node's changes to the graph failed")
            time.sleep(POLL)


def serve(database: Path, stdin: IO[bytes], stdout: IO[bytes]) -> None:
    graph = KnowledgeGraph(database)
    engine = Engine(graph, stdout)
    applier = threading.Thread(target=engine.keep_in_step, name="graph-applier", daemon=True)
    applier.start()
    engine.answer(None, ok=True, media="", ready=True)
    pool = ThreadPoolExecutor(THREADS, thread_name_prefix="graph-query")
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError:
            continue
        pool.submit(engine.handle, request)
    # The node is gone (its end of the pipe closed): leave at once, without waiting for a
    # query that may run for long, so that the store's lock is free for the next start.
    # Nothing is lost: queries only read, and applying is safe to cut (see dataset).
    stdout.flush()
    os._exit(0)


def once(database: Path, command: str) -> dict[str, Any]:
    """One operator's command on the store: `rebuild` (read every public object again) or
    `status`; what it found, or `{"busy": …}` when the running node holds the store."""
    try:
        graph = KnowledgeGraph(database)
    except StoreBusy as exc:
        return {"busy": str(exc)}
    try:
        started = time.perf_counter()
        count = graph.rebuild() if command == "rebuild" else None
        seconds = time.perf_counter() - started
        return {"count": count, "seconds": seconds, **graph.status()}
    finally:
        graph.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m node.query.engine")
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--once", choices=["rebuild", "status"])
    args = parser.parse_args(argv)
    logging.basicConfig(
        # An operator's command shows its problems, not the engine's running commentary.
        level=logging.WARNING if args.once else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s graph-engine %(message)s",
    )
    if args.once:
        print(json.dumps(once(args.database, args.once)))
        return
    # The node's routes come first: this process yields the cores to them under load.
    os.nice(5)
    serve(args.database, sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
