"""What the HTTP layers alone cost per request, under the inbox bench's load.

    python bench/http_floor.py [--requests N] [--clients K] [--connections C]

The same clients as `inbox.py` (pre-encoded POSTs of an inbox-sized body on keep-alive
sockets, `wire.py`) against two servers that do nothing with what they receive, each run the
way `interlieux serve` runs the node (uvicorn, httptools, uvloop, the node's own protocol with
its deadlines, `node/server.py`):

- `asgi`: a bare ASGI app that reads the body and answers 202;
- `starlette`: a Starlette app with one route that does the same through a `Request` and a
  `JSONResponse`, behind the middleware the node's app has (`ServerErrorMiddleware`,
  `ExceptionMiddleware`; no `InFlightLimit`).

Printed for each: requests per second and the server's CPU per request. Set beside the node's
CPU per request in `inbox.py`, it says how much of it no Python inbox on this server stack can
avoid, and how much is the node's own work.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import wire  # noqa: E402
from bench.inbox import cpu_seconds  # noqa: E402

BODY = b'{"type": "Create"}' + b" " * 1060  # the size of the inbox bench's activity
HEADERS = {"content-type": "application/activity+json", "signature": "x" * 380}
CLIENT_TIMEOUT = 30.0
START_TIMEOUT = 20.0
# What a client process reports: when it finished and the CPU it used, or why it failed.
Finished = tuple[float, float] | str


def bare_app() -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 202,
                    "headers": [(b"content-type", b"application/json")]})  # fmt: skip
        await send({"type": "http.response.body", "body": b'{"status":"accepted"}'})

    return app


def starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def inbox(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse({"status": "accepted"}, status_code=202)

    return Starlette(routes=[Route("/inbox", inbox, methods=["POST"])])


def serve(kind: str, port: int) -> None:
    from node import server

    app = bare_app() if kind == "asgi" else starlette_app()
    server.serve(app, "127.0.0.1", port, server.ServeLimits())


def client(url: str, count: int, connections: int, results: mp.Queue[Finished]) -> None:
    """One client process: its requests sent, then when it finished and its CPU, or what went
    wrong (put on the queue, so that the parent says it at once instead of waiting)."""
    try:
        requests = [wire.encode(url, HEADERS, BODY) for _ in range(count)]
        cpu = time.process_time()
        outcome = wire.send_all(url, requests, connections, CLIENT_TIMEOUT)
    except Exception as exc:
        results.put(f"a client failed: {exc!r}")
        return
    if outcome.failures:
        results.put(f"not answered 202: {outcome.failures[:3]}")
        return
    results.put((time.perf_counter(), time.process_time() - cpu))


def measure(kind: str, port: int, requests: int, clients: int, connections: int) -> str:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port)], cwd=ROOT
    )
    try:
        url = f"http://127.0.0.1:{port}/inbox"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                wire.send_all(url, [wire.encode(url, HEADERS, BODY)], 1, 1.0)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"the {kind} server did not start") from None
                time.sleep(0.1)
        ctx = mp.get_context("spawn")
        results: mp.Queue[Finished] = ctx.Queue()
        shares = [requests // clients + (i < requests % clients) for i in range(clients)]
        workers = [ctx.Process(target=client, args=(url, share, connections, results))
                   for share in shares]  # fmt: skip
        _, cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        finished = [results.get(timeout=120) for _ in workers]
        _, cpu_after = cpu_seconds(process.pid)
        for worker in workers:
            worker.join()
        done = [item for item in finished if not isinstance(item, str)]
        if len(done) < len(finished):
            raise RuntimeError("; ".join(item for item in finished if isinstance(item, str)))
        # The clients' start-up is inside the wall time, so the rate is a lower bound; the
        # server's CPU per request is the figure.
        wall = max(finished for finished, _ in done) - started
        server_us = 1e6 * (cpu_after - cpu_before) / requests
        client_us = 1e6 * sum(cpu for _, cpu in done) / requests
        return (f"  {kind:<10} {requests / wall:>7.0f} requests/s (at least)   server CPU "
                f"{server_us:.0f} µs per request   clients {client_us:.0f} µs")  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive, per client")
    parser.add_argument("--port", type=int, default=18_765)
    parser.add_argument("--serve", choices=["asgi", "starlette"], help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.serve:
        serve(options.serve, options.port)
        return 0
    print(f"HTTP layers alone, {os.cpu_count()} cores: {options.clients} client processes ×"
          f" {options.connections} connections, {len(BODY)} B bodies, answered 202")  # fmt: skip
    for kind in ("asgi", "starlette"):
        print(measure(kind, options.port, options.requests, options.clients, options.connections))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
