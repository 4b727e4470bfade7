"""How much one activity may hold and cost: the limits on what peers and clients send, in one
place, and the deadline that bounds reading one object as JSON-LD.

The figures leave room above what fediverse servers send (Mastodon attaches at most 4 media to
a local post, GoToSocial 6 by default; a post mentioning a hundred people is already spam)
while keeping a single object's cost small: every list the node walks, stores or turns into
triples is bounded before anything reads it.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass
class _Watched:
    thread: int
    deadline: float
    sent: bool = False


class _Watchdog:
    """One daemon thread that raises _Stop in the threads whose deadline has passed.

    Its condition's lock is held while it sends an interruption and while a `within` ends:
    once `within` has said it is done, nothing is sent to its thread, and what was sent but
    not raised yet is taken back, so it never surfaces after `within` has returned."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.watched: dict[int, _Watched] = {}
        self.thread: threading.Thread | None = None

    def watch(self, watched: _Watched) -> int:
        with self.condition:
            token = id(watched)
            self.watched[token] = watched
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="deadlines", daemon=True)
                self.thread.start()
            self.condition.notify()
            return token

    def done(self, token: int) -> None:
        with self.condition:
            watched = self.watched.pop(token)
            if watched.sent:
                _interrupt(watched.thread, None)

    def _run(self) -> None:
        with self.condition:
            while True:
                now = time.monotonic()
                for watched in self.watched.values():
                    if not watched.sent and watched.deadline <= now:
                        watched.sent = True
                        _interrupt(watched.thread, _Stop)
                waiting = [w.deadline for w in self.watched.values() if not w.sent]
                self.condition.wait(min(waiting) - now if waiting else None)


_watchdog = _Watchdog()


def within(seconds: float, work: Callable[[], T]) -> T:
    """Run `work` in this thread, stopping it with TooSlow once `seconds` have passed.

    A watchdog thread raises inside the running thread when the deadline passes: the
    conversions it bounds (pyld) are pure Python, so they stop at their next bytecode, and no
    thread is left running (a deadline around a thread, as asyncio.wait_for, would answer on
    time but leave the CPU burning). Nothing runs meanwhile: a trace function checking the
    time at every call cost 3 to 6 times the conversion itself."""
    try:
        token = _watchdog.watch(_Watched(threading.get_ident(), time.monotonic() + seconds))
        try:
            return work()
        finally:
            _watchdog.done(token)
    except _Stop:
        raise TooSlow(f"reading the document took over {seconds} s") from None
