"""Run an unmodified bovine-herd server on 127.0.0.1. Executed by the third-party venv.

Usage: ``python bovine_launcher.py --port 8501 --workdir DIR``

This is the app from bovine-herd's own README (``app = Quart(__name__);
BovineHerd(app)``) served by hypercorn, with three deployment choices made here:

* the SQLite database lives in ``DIR/bovine.sqlite3`` and the working directory is
  ``DIR`` (bovine also writes ``bovine_jsonld_cache.sqlite`` to the cwd);
* JSON-LD contexts are pre-seeded (see ``bovine_common.seed_jsonld_contexts``);
* plain http: bovine-herd derives every URL from the request URL
  (``bovine_herd.server.utils.path_from_request``) and only upgrades to https when a
  proxy sends ``X-Forwarded-Proto: https``; actors are registered with the domain
  ``http://127.0.0.1:PORT`` (``BovineAdminStore(domain=...)`` accepts a scheme "for end
  to end tests"), and its aiohttp client follows whatever scheme the remote ids use.
  So no https patch is needed.

The process stops cleanly on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bovine_common import seed_jsonld_contexts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args()

    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    os.chdir(workdir)

    logging.basicConfig(
        level=args.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )

    seed_jsonld_contexts()

    from bovine_herd import BovineHerd
    from hypercorn.asyncio import serve
    from hypercorn.config import Config
    from quart import Quart

    app = Quart("bovine_herd_thirdparty")
    BovineHerd(app, db_url=f"sqlite://{workdir / 'bovine.sqlite3'}")

    config = Config()
    config.bind = [f"127.0.0.1:{args.port}"]
    config.accesslog = "-"
    config.errorlog = "-"
    config.graceful_timeout = 2

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(app, config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]

    asyncio.run(run())


if __name__ == "__main__":
    main()
