"""Test support for a real PC/SC stack: make sure pcscd + vpcd run, put emulated cards on a reader.

    from federation_tests.door.pcsc import pcscd  # the session fixture, in a conftest.py

    def test_tap(pcscd: str) -> None:          # pcscd: the reader name of vpcd's first slot
        with on_reader(VirtualCard(uid, message)) as card:
            ...

The `pcscd` fixture runs `federation_tests/door/setup.sh` once per session (idempotent: fast
when pcscd already runs) and *fails*, never skips, when the stack cannot be had: CI runs these
tests for real. Uses pyscard (the `reader` extra).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from federation_tests.door.vcard import VirtualCard, reader_name

SETUP = Path(__file__).with_name("setup.sh")
READER = reader_name()
"""`Virtual PCD 00 00`: the reader a VirtualCard on the default port lands in."""


def ensure_pcscd(timeout: float = 600.0) -> None:
    """Run setup.sh; RuntimeError with its output if it fails."""
    try:
        done = subprocess.run(
            ["bash", str(SETUP)],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{SETUP} did not finish within {timeout:.0f}s") from exc
    if done.returncode != 0:
        raise RuntimeError(
            f"{SETUP} failed (exit {done.returncode}): the door's tests need pcscd with the "
            f"vpcd driver.\n{done.stdout}{done.stderr}"
        )


def pcscd_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "pcscd":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def restart_pcscd(*, hard: bool = True, down: float = 0.0) -> None:
    """Kill pcscd (SIGKILL: a crash; or SIGTERM), stay `down` seconds, start it with setup.sh."""
    pids = pcscd_pids()
    for pid in pids:
        os.kill(pid, signal.SIGKILL if hard else signal.SIGTERM)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        if time.monotonic() > deadline:
            raise RuntimeError(f"pcscd {pids} did not stop")
        time.sleep(0.02)
    time.sleep(down)
    ensure_pcscd()


def card_state(reader: str = READER) -> tuple[bool, int]:
    """(card present?, pcsc-lite's insert/remove event counter) of `reader` right now."""
    from smartcard import scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise RuntimeError(f"pcscd unreachable: {scard.SCardGetErrorMessage(hresult)}")
    try:
        hresult, states = scard.SCardGetStatusChange(
            context, 0, [(reader, scard.SCARD_STATE_UNAWARE)]
        )
        if hresult != scard.SCARD_S_SUCCESS:
            raise RuntimeError(f"no reader {reader!r}: {scard.SCardGetErrorMessage(hresult)}")
        event_state = int(states[0][1])
        return bool(event_state & scard.SCARD_STATE_PRESENT), (event_state >> 16) & 0xFFFF
    finally:
        scard.SCardReleaseContext(context)


def wait_card(
    present: bool, reader: str = READER, *, events: int = 0, since: int = 0, timeout: float = 10.0
) -> int:
    """Poll until pcscd sees a card on `reader` (or none); returns the event counter then.

    `events`, `since`: also wait until pcscd's event counter has moved by at least `events`
    from `since`, i.e. until its event handler has registered the insertions and removals
    (after a card left mid-exchange, the reader reads "empty" before that, and vpcd takes a
    new card only once it has). TimeoutError otherwise.
    """
    deadline = time.monotonic() + timeout
    while True:
        now, counter = card_state(reader)
        if now == present and (counter - since) % 0x10000 >= events:
            return counter
        if time.monotonic() > deadline:
            state = "present" if present else "absent"
            raise TimeoutError(f"no card became {state} on {reader} within {timeout}s")
        time.sleep(0.02)


@contextmanager
def on_reader(card: VirtualCard, *, wait: bool = True) -> Iterator[VirtualCard]:
    """Insert `card` (and wait until pcscd sees it); on exit remove it and wait until pcscd has.

    `wait=False` for a card that may leave on its own before the wait would see it (a monitor
    may read it, and the card remove itself, within milliseconds).
    """
    _, before = card_state(card.reader_name)
    card.insert()
    try:
        if wait:
            if not card.accepted.wait(5.0):
                raise TimeoutError(
                    f"vpcd never spoke to the card on {card.reader_name} (port {card.port})"
                )
            wait_card(True, card.reader_name, events=1, since=before)
        yield card
    finally:
        card.remove()
    wait_card(False, card.reader_name, events=2, since=before)


@pytest.fixture(scope="session")
def pcscd() -> str:
    """pcscd running with vpcd (started by setup.sh if needed); the first vpcd slot's name."""
    try:
        ensure_pcscd()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        import smartcard  # noqa: F401
    except ImportError:
        pytest.fail(
            "pyscard is not installed: pip install -e '.[reader]' (after setup.sh, which "
            "installs swig and libpcsclite-dev to build it)",
            pytrace=False,
        )
    from reader.card import list_readers

    names = list_readers()
    if READER not in names:
        pytest.fail(f"pcscd runs but lists {names}, not {READER!r}", pytrace=False)
    return READER
