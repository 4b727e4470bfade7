"""A coroutine that lives as long as the server: started with it, cancelled when it stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)


class Worker:
    name = "worker"

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        raise NotImplementedError


class QueueWorker(Worker):
    """Works through a queue of rows: at once when woken, else every `poll` seconds, which
    also picks up rows that another process (the CLI) queued and could not wake it for."""

    poll = 2.0
    # Seconds to let rows gather after a wake before working: under load a row arrives every
    # millisecond or so, and a pass's fixed costs (its commit, the other workers' looks) are
    # then shared by a batch of them instead of paid by each. 0: work at once.
    gather = 0.0

    def __init__(self) -> None:
        super().__init__()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def work(self) -> bool:
        """One piece of work; True while there may be more at once."""
        raise NotImplementedError

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            if self.gather:
                await asyncio.sleep(self.gather)
            try:
                while await self.work():
                    pass
            except Exception:  # the worker must outlive any one bad row or fault
                log.exception("%s: pass failed", self.name)
            await sleep_until_woken(self._wake, self.poll)


async def sleep_until_woken(wake: asyncio.Event, seconds: float) -> None:
    """Wait for `wake`, at most `seconds`.

    Not `asyncio.wait_for`: on Python 3.11 it can swallow a cancellation that arrives as the
    event is set, and a worker being stopped then loops on forever (seen as a server that
    never finishes shutting down). `asyncio.timeout` tells its own cancel from the caller's."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await wake.wait()
