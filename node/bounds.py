"""How much one activity may hold and cost: the limits on what peers and clients send, in one
place, and the deadline that bounds reading one object as JSON-LD.

The figures leave room above what fediverse servers send (Mastodon attaches at most 4 media to
a local post, GoToSocial 6 by default; a post mentioning a hundred people is already spam)
while keeping a single object's cost small: every list the node walks, stores or turns into
triples is bounded before anything reads it.
"""

from __future__ import annotations

import ctypes
import heapq
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .errors import InvalidActivity

# Entries of an object's `tag` (mentions, hashtags, custom emoji) and of its `attachment`.
MAX_TAGS = 100
MAX_ATTACHMENTS = 32
# References across the five addressing properties (to, cc, bto, bcc, audience) of one
# document: an activity and its object are counted each on its own. A place's revocation is
# addressed to every peer and place following it: a network of a thousand places fits.
MAX_RECIPIENTS = 1000
# How deep JSON objects and lists may nest in a received activity: real payloads stay under
# 10 (an Accept of a Follow, a note's replies collection and its first page).
MAX_DEPTH = 32
# Seconds one object may take to be read as JSON-LD (expanded to triples): a few milliseconds
# for a real note or event; a document built to be slow (contexts redefining terms at every
# level) is stopped there, when it is received and when the public graph converts it.
CONVERSION_SECONDS = 0.5

_COUNTED = {"tag": MAX_TAGS, "attachment": MAX_ATTACHMENTS}
_ADDRESSING = ("to", "cc", "bto", "bcc", "audience")

T = TypeVar("T")


def check_bounds(document: Any) -> None:
    """Refuse (InvalidActivity, 400) a document nested too deep, or one of whose objects has
    too many tags, attachments or recipients. Walks the document once, iteratively (a
    recursion would itself be the weakness)."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _over(f"document nested deeper than {MAX_DEPTH}",
                        f"imbriqué sur plus de {MAX_DEPTH} niveaux",
                        f"nested deeper than {MAX_DEPTH} levels")  # fmt: skip
        if isinstance(value, dict):
            for field, limit in _COUNTED.items():
                if _count(value.get(field)) > limit:
                    raise _over(f"more than {limit} entries in {field}",
                                f"plus de {limit} éléments dans « {field} »",
                                f"more than {limit} entries in '{field}'")  # fmt: skip
            if sum(_count(value.get(f)) for f in _ADDRESSING) > MAX_RECIPIENTS:
                raise _over(f"more than {MAX_RECIPIENTS} recipients",
                            f"plus de {MAX_RECIPIENTS} destinataires",
                            f"more than {MAX_RECIPIENTS} recipients")  # fmt: skip
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))


def _over(log: str, fr: str, en: str) -> InvalidActivity:
    return InvalidActivity(log, fr=f"Document refusé : {fr}.", en=f"Document refused: {en}.")


def _count(value: Any) -> int:
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1


class TooSlow(InvalidActivity):
    """Reading one document took longer than its deadline (refused as 400 when received)."""


class _Stop(BaseException):
    # Not an Exception: pyld wraps the exceptions it meets (`except Exception`) and the graph
    # retries a failed conversion with another context; the deadline must not be caught
    # there and the work go on untimed.
    pass


def _interrupt(thread: int, exc: type[BaseException] | None) -> None:
    # CPython's way of raising in another thread (the exception is raised there at its next
    # bytecode); None takes back one not raised yet.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread), ctypes.py_object(exc) if exc else ctypes.c_void_p(None)
    )


def _taken() -> threading.Lock:
    lock = threading.Lock()
    lock.acquire()
    return lock


@dataclass
class _Watched:
    """One `within` under way. The interruption may surface in its thread at any bytecode,
    even inside the code that ends `within` (a Python-level lock taken there could stay taken
    for ever): so that code holds no lock across bytecodes, and two C locks decide instead.
    Whoever takes `gate` first decides: the thread, that it ended in time (nothing will be
    sent); the watchdog, that it sends, and it releases `sent` once it has."""

    thread: int
    deadline: float
    gate: threading.Lock = field(default_factory=threading.Lock)
    sent: threading.Lock = field(default_factory=_taken)

    def __lt__(self, other: _Watched) -> bool:
        return self.deadline < other.deadline

    def finish(self) -> None:
        """Called by the thread when its work has ended, in time or not: afterwards no
        interruption is pending for it."""
        try:
            if not self.gate.acquire(blocking=False):
                self.sent.acquire()  # the watchdog decided: wait until it has sent
                _interrupt(self.thread, None)  # not raised yet: taken back
        except _Stop:
            pass  # the one interruption surfaced here: it is spent


_arrivals: queue.SimpleQueue[_Watched] = queue.SimpleQueue()
_started = threading.Lock()
_watchdog: list[threading.Thread] = []


def _watch() -> None:
    """The watchdog: one daemon thread for the process, raising _Stop in the threads whose
    deadline has passed."""
    waiting: list[_Watched] = []
    while True:
        timeout = max(0.0, waiting[0].deadline - time.monotonic()) if waiting else None
        try:
            heapq.heappush(waiting, _arrivals.get(timeout=timeout))
            continue
        except queue.Empty:
            pass
        now = time.monotonic()
        while waiting and waiting[0].deadline <= now:
            due = heapq.heappop(waiting)
            if due.gate.acquire(blocking=False):
                _interrupt(due.thread, _Stop)
                due.sent.release()


def within(seconds: float, work: Callable[[], T]) -> T:
    """Run `work` in this thread, stopping it with TooSlow once `seconds` have passed.

    A watchdog thread raises inside the running thread when the deadline passes: the
    conversions it bounds (pyld) are pure Python, so they stop at their next bytecode, and no
    thread is left running (a deadline around a thread, as asyncio.wait_for, would answer on
    time but leave the CPU burning). Nothing runs meanwhile: a trace function checking the
    time at every call cost 3 to 6 times the conversion itself."""
    with _started:
        if not _watchdog:
            _watchdog.append(threading.Thread(target=_watch, name="deadlines", daemon=True))
            _watchdog[0].start()
    watched = _Watched(threading.get_ident(), time.monotonic() + seconds)
    try:
        try:
            _arrivals.put(watched)
            return work()
        finally:
            watched.finish()
    except _Stop:
        raise TooSlow(f"reading the document took over {seconds} s") from None
