"""The node's side of the graph engine (`engine`): start it, ask it, and kill it at a deadline.

One engine per database, started when the node starts (or at the first question), restarted
when it dies or is killed. A query past its deadline kills the engine: Oxigraph cannot stop a
query otherwise, and the process holds nothing that is not on disk. The other questions it was
answering at that moment are asked again once of the new engine (they are reads).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import tuning
from ..limits import Outstanding

log = logging.getLogger(__name__)

# The folder that holds the `node` package: the engine imports it from there.
_CODE = str(Path(__file__).resolve().parents[2])
START_SECONDS = 30.0  # opening the store; past that the engine is taken for broken
PER_CLIENT = 2  # queries one address may have running at once; the next get 429
AT_ONCE = 4  # queries running at once for everyone; the next get 503


class QueryTimeout(Exception):
    """A query ran past its deadline; the engine was killed and starts again."""


class EngineFailed(Exception):
    """The engine could not answer (it died, or refused the request): `kind` says why."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


class _Restarted(Exception):
    """The engine was killed while this request waited: ask again."""


@dataclass
class Answer:
    body: bytes
    media: str


class GraphEngine:
    """The engine process for one node database."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: dict[int, asyncio.Future[Answer]] = {}
        self._next = 0
        self._starting = asyncio.Lock()
        self._stopped = False
        self.starts = 0  # engine processes started, for the operator's log and the tests
        self.per_client = Outstanding(int(tuning("sparql_per_client", PER_CLIENT)))
        self.at_once = Outstanding(int(tuning("sparql_at_once", AT_ONCE)))

    async def start(self) -> None:
        async with self._starting:
            if self._stopped:
                raise EngineFailed("stopped", "the node is stopping")
            if self._process is not None and self._process.returncode is None:
                return
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(
                p for p in (_CODE, os.environ.get("PYTHONPATH", "")) if p)}  # fmt: skip
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "node.query.engine", "--database", str(self.database),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env,
                limit=2**20,
            )  # fmt: skip
            assert process.stdout is not None
            try:
                header = await asyncio.wait_for(process.stdout.readline(), START_SECONDS)
                if not json.loads(header or b"{}").get("ready"):
                    raise EngineFailed("start", header.decode("utf-8", "replace"))
            except (TimeoutError, ValueError, EngineFailed) as exc:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
                if isinstance(exc, EngineFailed):
                    raise
                raise EngineFailed("start", repr(exc)) from exc
            self._process = process
            self.starts += 1
            self._reader = asyncio.create_task(self._read(process))

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        try:
            while True:
                line = await process.stdout.readline()
                if not line:
                    break
                header = json.loads(line)
                body = await process.stdout.readexactly(int(header.get("length", 0)))
                future = self._waiting.pop(header.get("id"), None)
                if future is None or future.done():
                    continue
                if header.get("ok"):
                    future.set_result(Answer(body, header.get("media", "")))
                else:
                    future.set_exception(
                        EngineFailed(str(header.get("error")), str(header.get("detail", "")))
                    )
        except (asyncio.IncompleteReadError, ValueError, ConnectionError):
            pass
        finally:
            if self._process is process:
                self._process = None
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(_Restarted())
            self._waiting.clear()

    async def request(self, op: str, timeout: float, **fields: Any) -> Answer:
        """Send one request and wait for its answer; past `timeout` seconds the engine is
        killed (QueryTimeout). A request caught in a restart it did not cause is sent again
        once."""
        for attempt in (1, 2):
            await self.start()
            process = self._process
            assert process is not None and process.stdin is not None
            self._next += 1
            request_id = self._next
            future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
            self._waiting[request_id] = future
            line = json.dumps({"id": request_id, "op": op, **fields}).encode() + b"\n"
            try:
                process.stdin.write(line)
                await process.stdin.drain()
                return await asyncio.wait_for(future, timeout)
            except TimeoutError:
                log.warning("graph %s past %.1f s: the engine is restarted", op, timeout)
                await self._kill(process)
                raise QueryTimeout from None
            except (_Restarted, ConnectionError):
                if attempt == 2:
                    raise EngineFailed("restarted", "the engine stopped twice") from None
            finally:
                self._waiting.pop(request_id, None)
        raise AssertionError("unreachable")

    async def _kill(self, process: asyncio.subprocess.Process) -> None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await self._reader

    async def stop(self) -> None:
        # Before closing: a request caught in this stop must not start another engine.
        self._stopped = True
        process = self._process
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()  # the engine ends at the end of its input
        try:
            await asyncio.wait_for(process.wait(), 5.0)
        except TimeoutError:
            await self._kill(process)
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await self._reader
        self._process = None


_engines: dict[tuple[Path, int], GraphEngine] = {}


def engine_for(database: str | Path) -> GraphEngine:
    """This event loop's engine for the database at `database`, made on first use."""
    key = (Path(database).resolve(), id(asyncio.get_running_loop()))
    found = _engines.get(key)
    if found is None:
        found = _engines[key] = GraphEngine(key[0])
    return found


async def stop_engines() -> None:
    loop = id(asyncio.get_running_loop())
    for key in [k for k in _engines if k[1] == loop]:
        await _engines.pop(key).stop()
