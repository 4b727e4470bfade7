"""Watch the PC/SC readers; read every card put on one; hand the result to a callback.

    monitor = DoorMonitor(on_card)         # on_card(reader_name, CardData | DoorError)
    monitor.start()
    ...
    monitor.stop()

Two threads: a *watcher* waits on PC/SC state changes (`SCardGetStatusChange`) and queues each
card insertion; a *reader* thread connects to the card, runs `reader.card.read_card`, and calls
`on_card` with the `CardData`, or with the `DoorError` that stopped the read (`CardRemoved` when
the card left mid-read, `CardUnreadable`, `ReaderUnavailable`). Callbacks run on the reader
thread, one at a time, in tap order; an exception in a callback is logged, never fatal. The
decision (is this grant good, open the door?) belongs to the caller (`reader.daemon`).

Why not pyscard's `smartcard.CardMonitoring.CardMonitor`: it was the first choice, and it fails
two things a door needs (pyscard 2.3, checked against a real pcscd): its monitoring thread
*dies for good* when pcscd stops or restarts (it prints a traceback, stops on
`SCARD_E_NO_SERVICE`, and the process-wide singleton is never restarted: the door would go
deaf until restarted), and it cannot be stopped promptly (a 60 s wait, one singleton thread per
process). It also compares cards by (reader, ATR) and so can miss a remove-then-tap of two
cards of the same kind. This module keeps its observer shape (a callback per inserted card)
on pyscard's PC/SC binding (`smartcard.scard`), and:

- **pcscd stops or restarts**: the watcher sees `SCARD_E_NO_SERVICE` / `SCARD_F_COMM_ERROR` /
  `SCARD_E_INVALID_HANDLE`, releases its context, calls `on_status(ReaderUnavailable)` once,
  and tries again every `retry` seconds; when pcscd is back it calls `on_status(None)` and
  watches again. A card lying on the reader when the watcher (re)starts is read then.
  A read interrupted by the outage gives `ReaderUnavailable` (or `CardRemoved`) to `on_card`.
- **card removed mid-read**: `on_card(reader, CardRemoved(...))`; the next tap is read anew.
- **a quick remove-and-tap** between two polls is still seen, through pcsc-lite's event
  counter (upper 16 bits of the reader's event state).
- **readers plugged or unplugged**: the reader list is refreshed on pcsc-lite's PnP
  notification and at every `poll` timeout; `readers=` restricts the watch to some names.

pyscard is untyped: all its calls are in this module and `reader.card`.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from reader.card import MAX_MESSAGE, CardData, read_reader
from reader.errors import CardUnreadable, DoorError, ReaderUnavailable

log = logging.getLogger(__name__)

OnCard = Callable[[str, "CardData | DoorError"], None]
"""on_card(reader_name, result): a card was read (CardData) or could not be (DoorError)."""
OnStatus = Callable[["ReaderUnavailable | None"], None]
"""on_status(error): the PC/SC service went away (a ReaderUnavailable) or is back (None)."""
OnRemoved = Callable[[str], None]
"""on_removed(reader_name): the card left the reader."""

PNP_READER = "\\\\?PnP?\\Notification"

# PC/SC result codes (pcsclite.h), unsigned.
_E_CANCELLED = 0x80100002
_E_TIMEOUT = 0x8010000A
_E_UNKNOWN_READER = 0x80100009
_E_NO_READERS = 0x8010002E
_E_READER_UNAVAILABLE = 0x80100017
_SERVICE_LOST = {
    0x8010001D,  # SCARD_E_NO_SERVICE
    0x8010001E,  # SCARD_E_SERVICE_STOPPED
    0x80100013,  # SCARD_F_COMM_ERROR: pcscd died while we waited
    0x80100003,  # SCARD_E_INVALID_HANDLE: our context belonged to a pcscd that is gone
}


class _ServiceLost(Exception):
    def __init__(self, hresult: int, doing: str) -> None:
        from smartcard import scard

        text = scard.SCardGetErrorMessage(hresult)
        super().__init__(f"{doing}: {text} (0x{hresult:08X})")
        self.hresult = hresult


@dataclass
class _ReaderState:
    event_state: int
    present: bool
    count: int  # pcsc-lite's insert/remove event counter


class DoorMonitor:
    """Reads every card put on the watched readers and reports it to `on_card`.

    `readers`: names to watch (all by default). `poll`: seconds between reader-list refreshes
    (and the longest `stop()` waits for the watcher). `retry`: seconds between attempts to
    reach pcscd while it is down. `read`: how one reader's card is read (default
    `reader.card.read_reader`; tests and the daemon may wrap it).
    """

    def __init__(
        self,
        on_card: OnCard,
        *,
        readers: Collection[str] | None = None,
        on_removed: OnRemoved | None = None,
        on_status: OnStatus | None = None,
        poll: float = 1.0,
        retry: float = 1.0,
        max_message: int = MAX_MESSAGE,
        read: Callable[[str], CardData] | None = None,
    ) -> None:
        self.on_card = on_card
        self.on_removed = on_removed
        self.on_status = on_status
        self.readers = frozenset(readers) if readers is not None else None
        self.poll = poll
        self.retry = retry
        self._read = read or (lambda name: read_reader(name, max_message=max_message))
        self._stop = threading.Event()
        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._watcher: threading.Thread | None = None
        self._worker: threading.Thread | None = None
        self._context_lock = threading.Lock()
        self._context: Any = None
        self._available: bool | None = None
        self.watching = threading.Event()
        """Set while the watcher holds a PC/SC context and waits for cards."""

    # --- life cycle -----------------------------------------------------------------------------

    def start(self) -> DoorMonitor:
        if self._watcher is not None:
            raise RuntimeError("monitor already started")
        self._stop.clear()
        self._worker = threading.Thread(target=self._work, name="door-reader", daemon=True)
        self._watcher = threading.Thread(target=self._watch, name="door-watcher", daemon=True)
        self._worker.start()
        self._watcher.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching; wait for the read in progress (and its callback) to finish."""
        self._stop.set()
        self._cancel()
        watcher, worker = self._watcher, self._worker
        self._watcher = self._worker = None
        if watcher is not None:
            watcher.join(timeout)
        self._queue.put(None)
        if worker is not None:
            worker.join(timeout)

    @property
    def running(self) -> bool:
        return self._watcher is not None and self._watcher.is_alive()

    def __enter__(self) -> DoorMonitor:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- reader thread --------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            kind, name = item
            if kind == "removed":
                if self.on_removed is not None:
                    self._call(self.on_removed, name)
                continue
            result: CardData | DoorError
            try:
                result = self._read(name)
            except DoorError as exc:
                result = exc
            except Exception as exc:  # a bug must not make the door deaf
                log.exception("unexpected error reading the card on %s", name)
                result = CardUnreadable(f"unexpected error: {exc!r}")
                result.__cause__ = exc
            self._call(self.on_card, name, result)

    @staticmethod
    def _call(callback: Callable[..., object], *args: object) -> None:
        try:
            callback(*args)
        except Exception:
            log.exception("door monitor callback %r failed", callback)

    def _status(self, error: ReaderUnavailable | None) -> None:
        available = error is None
        if self._available == available:
            return
        first = self._available is None
        self._available = available
        if error is not None:
            log.warning("PC/SC unavailable: %s", error.log)
        elif not first:
            log.info("PC/SC service back")
        if self.on_status is not None and not (first and available):
            self._call(self.on_status, error)

    # --- watcher thread -------------------------------------------------------------------------

    def _watch(self) -> None:
        from smartcard import scard

        while not self._stop.is_set():
            try:
                self._watch_once(scard)
            except _ServiceLost as exc:
                self._status(ReaderUnavailable(str(exc)))
            except Exception as exc:
                log.exception("door watcher error")
                self._status(ReaderUnavailable(f"watcher error: {exc!r}"))
            finally:
                self.watching.clear()
                self._release(scard)
            self._stop.wait(self.retry)

    def _watch_once(self, scard: Any) -> None:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise _ServiceLost(hresult & 0xFFFFFFFF, "establishing a PC/SC context")
        with self._context_lock:
            self._context = context
        if self._stop.is_set():
            return
        states: dict[str, _ReaderState] = {}
        pnp_state = scard.SCARD_STATE_UNAWARE
        first = True
        while not self._stop.is_set():
            names = self._list_readers(scard, context)
            for gone in set(states) - set(names):
                if states.pop(gone).present:
                    self._queue.put(("removed", gone))
            query = [(n, states[n].event_state if n in states else 0) for n in names]
            query.append((PNP_READER, pnp_state))
            self.watching.set()
            if first:
                self._status(None)
                first = False
            timeout = 0 if any(n not in states for n in names) else int(self.poll * 1000)
            hresult, answers = scard.SCardGetStatusChange(context, timeout, query)
            hresult &= 0xFFFFFFFF
            if hresult in (_E_TIMEOUT, _E_UNKNOWN_READER, _E_READER_UNAVAILABLE):
                continue  # nothing happened, or the reader list changed under us
            if hresult == _E_CANCELLED:
                return
            if hresult in _SERVICE_LOST:
                raise _ServiceLost(hresult, "waiting for cards")
            if hresult != scard.SCARD_S_SUCCESS:
                raise _ServiceLost(hresult, "SCardGetStatusChange")
            for name, event_state, _atr in answers:
                current = event_state & ~scard.SCARD_STATE_CHANGED
                if name == PNP_READER:
                    pnp_state = current
                    continue
                self._update(name, current, states, scard)

    def _update(
        self, name: str, event_state: int, states: dict[str, _ReaderState], scard: Any
    ) -> None:
        present = bool(event_state & scard.SCARD_STATE_PRESENT) and not (
            event_state & scard.SCARD_STATE_MUTE
        )
        count = (event_state >> 16) & 0xFFFF
        before = states.get(name)
        states[name] = _ReaderState(event_state, present, count)
        if before is None:
            if present:
                self._queue.put(("inserted", name))
            return
        if before.present and (not present or before.count != count):
            self._queue.put(("removed", name))
        if present and (not before.present or before.count != count):
            self._queue.put(("inserted", name))

    def _list_readers(self, scard: Any, context: Any) -> list[str]:
        hresult, names = scard.SCardListReaders(context, [])
        hresult &= 0xFFFFFFFF
        if hresult == _E_NO_READERS:
            return []
        if hresult != scard.SCARD_S_SUCCESS:
            raise _ServiceLost(hresult, "listing readers")
        return [str(n) for n in names if self.readers is None or n in self.readers]

    def _cancel(self) -> None:
        with self._context_lock:
            context = self._context
        if context is not None:
            from smartcard import scard

            with contextlib.suppress(Exception):
                scard.SCardCancel(context)

    def _release(self, scard: Any) -> None:
        with self._context_lock:
            context, self._context = self._context, None
        if context is not None:
            with contextlib.suppress(Exception):
                scard.SCardReleaseContext(context)
