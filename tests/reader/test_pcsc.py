"""The door on a real PC/SC stack: pcscd + vpcd + our emulated card, through pyscard.

Never skipped: the `pcscd` fixture starts the stack (federation_tests/door/setup.sh) or fails.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator

import pytest

from federation_tests.door.pcsc import on_reader, restart_pcscd, wait_card
from federation_tests.door.vcard import NTAG215_ATR, VirtualCard, VirtualNtag215, reader_name
from reader import card, ndef
from reader.card import CardData
from reader.errors import CardRemoved, CardUnreadable, DoorError, ReaderUnavailable
from reader.monitor import DoorMonitor

UID = bytes.fromhex("04A1B2C3D4E5F6")
GRANT = bytes.fromhex("D28443A10127A0") + bytes(range(256)) + bytes(200)  # ~460 bytes
NTAG_GRANT = GRANT[:300]  # what fits an NTAG215 (grant.MAX_BYTES is 456)
TIMEOUT = 5.0

Result = tuple[str, CardData | DoorError]


def second_ndef_read(apdu: bytes) -> bool:
    """The card leaves the field when asked for the message's second chunk (offset 2 + MLe)."""
    return apdu[:2] == b"\x00\xb0" and int.from_bytes(apdu[2:4], "big") == 2 + 0x3B


class Taps:
    """A DoorMonitor on the first vpcd slot whose results land in a queue."""

    def __init__(self, reader: str) -> None:
        self.results: queue.Queue[Result] = queue.Queue()
        self.statuses: queue.Queue[ReaderUnavailable | None] = queue.Queue()
        self.monitor = DoorMonitor(
            lambda name, result: self.results.put((name, result)),
            readers=[reader],
            on_status=self.statuses.put,
            poll=0.5,
            retry=0.1,
        )

    def next(self) -> Result:
        try:
            return self.results.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"no card reported within {TIMEOUT}s") from None


@pytest.fixture
def taps(pcscd: str) -> Iterator[Taps]:
    wait_card(False, pcscd)
    taps = Taps(pcscd)
    taps.monitor.start()
    assert taps.monitor.watching.wait(TIMEOUT), "the monitor never reached pcscd"
    try:
        yield taps
    finally:
        taps.monitor.stop()
    assert taps.results.empty(), f"unexpected results: {list(taps.results.queue)}"


def test_readers_listed(pcscd: str) -> None:
    assert pcscd == reader_name() == "Virtual PCD 00 00"
    assert {"Virtual PCD 00 00", "Virtual PCD 00 01"} <= set(card.list_readers())


def test_read_card(pcscd: str) -> None:
    vcard = VirtualCard(UID, ndef.grant_message(GRANT))
    with on_reader(vcard), card.connected(pcscd) as connection:
        assert card.read_card(connection) == CardData(UID, GRANT)
    assert vcard.seen_apdus[0] == card.GET_UID
    assert max(a[4] for a in vcard.seen_apdus if a[1] == 0xB0) <= vcard.mle


def test_read_an_ntag215(pcscd: str) -> None:
    ntag = VirtualNtag215(UID, ndef.grant_message(NTAG_GRANT))
    with on_reader(ntag), card.connected(pcscd) as connection:
        assert bytes(connection.getATR()) == NTAG215_ATR  # pcscd passes the reader's ATR on
        assert card.read_card(connection) == CardData(UID, NTAG_GRANT)
    assert ntag.seen_apdus[:2] == [card.GET_UID, bytes.fromhex("FFB0000310")]
    assert all(a[:2] == b"\xff\xb0" for a in ntag.seen_apdus[1:])  # no SELECT: the ATR told


def test_read_an_ntag215_behind_a_generic_atr(pcscd: str) -> None:
    ntag = VirtualNtag215(UID, ndef.grant_message(NTAG_GRANT), atr=VirtualCard(UID, b"").atr)
    with on_reader(ntag):
        assert card.read_reader(pcscd) == CardData(UID, NTAG_GRANT)
    assert ntag.seen_apdus[1][:2] == b"\x00\xa4"  # the Type 4 SELECT failed first


def test_ntag215_removed_mid_read(pcscd: str) -> None:
    ntag = VirtualNtag215(UID, ndef.grant_message(NTAG_GRANT), remove_on=lambda a: a[3] == 11)
    with on_reader(ntag), card.connected(pcscd) as connection, pytest.raises(CardRemoved):
        card.read_card(connection)


def test_second_slot(pcscd: str) -> None:
    vcard = VirtualCard(UID, ndef.grant_message(b"slot 1"), port=35964)
    assert vcard.reader_name == "Virtual PCD 00 01"
    with on_reader(vcard):
        assert card.read_reader(vcard.reader_name).grant == b"slot 1"


def test_no_card(pcscd: str) -> None:
    wait_card(False, pcscd)
    with pytest.raises(CardRemoved):
        card.read_reader(pcscd)


def test_unknown_reader(pcscd: str) -> None:
    with pytest.raises(ReaderUnavailable):
        card.read_reader("No Such Reader 00 00")


def test_removed_mid_read(pcscd: str) -> None:
    vcard = VirtualCard(UID, ndef.grant_message(GRANT), remove_on=second_ndef_read)
    with on_reader(vcard), card.connected(pcscd) as connection:
        with pytest.raises(CardRemoved) as info:
            card.read_card(connection)
        assert info.value.__cause__ is not None  # pyscard's exception, for the logs
        assert vcard.removed_itself.is_set()
        # The card is gone: every further exchange says so, as a DoorError.
        with pytest.raises((CardRemoved, CardUnreadable)):
            card.read_card(connection)


def test_not_a_type4_tag(pcscd: str) -> None:
    with on_reader(VirtualCard(UID, b"", ndef_app=False)), pytest.raises(CardUnreadable) as info:
        card.read_reader(pcscd)
    assert info.value.code == CardUnreadable.NOT_NFC_TAG


def test_monitor_reports_taps(taps: Taps) -> None:
    for i in range(3):
        uid = UID[:-1] + bytes([i])
        with on_reader(VirtualCard(uid, ndef.grant_message(GRANT + bytes([i])))):
            assert taps.next() == ("Virtual PCD 00 00", CardData(uid, GRANT + bytes([i])))


def test_monitor_reports_ntag215_and_type4_taps(taps: Taps) -> None:
    for kind in (VirtualNtag215, VirtualCard, VirtualNtag215):
        with on_reader(kind(UID, ndef.grant_message(NTAG_GRANT))):
            assert taps.next() == ("Virtual PCD 00 00", CardData(UID, NTAG_GRANT))


def test_monitor_reads_a_card_already_there(pcscd: str) -> None:
    results: queue.Queue[Result] = queue.Queue()
    card_there = on_reader(VirtualCard(UID, ndef.grant_message(GRANT)))
    with card_there, DoorMonitor(lambda n, r: results.put((n, r)), readers=[pcscd]):
        assert results.get(timeout=TIMEOUT) == (pcscd, CardData(UID, GRANT))


def test_monitor_card_removed_mid_read_then_next_tap(taps: Taps) -> None:
    vcard = VirtualCard(UID, ndef.grant_message(GRANT), remove_on=second_ndef_read)
    with on_reader(vcard, wait=False):
        name, result = taps.next()
    assert name == "Virtual PCD 00 00"
    assert isinstance(result, CardRemoved | CardUnreadable), result
    with on_reader(VirtualCard(UID, ndef.grant_message(GRANT))):
        assert taps.next() == ("Virtual PCD 00 00", CardData(UID, GRANT))


def test_monitor_unreadable_cards(taps: Taps) -> None:
    corrupt = VirtualCard(
        UID,
        ndef.grant_message(GRANT),
        respond=lambda apdu, r: b"\xff" * (len(r) - 2) + r[-2:] if apdu[1] == 0xB0 else r,
    )
    no_app = VirtualCard(UID, b"", ndef_app=False)
    blank = VirtualNtag215(UID, b"", user_memory=bytes.fromhex("0300FE"))
    for vcard, code in [
        (corrupt, CardUnreadable.BAD_CC),
        (no_app, CardUnreadable.NOT_NFC_TAG),
        (blank, CardUnreadable.NDEF_EMPTY),
    ]:
        with on_reader(vcard):
            _, result = taps.next()
        assert isinstance(result, CardUnreadable) and result.code == code, result


def test_monitor_survives_a_callback_error(pcscd: str) -> None:
    results: queue.Queue[Result] = queue.Queue()

    def on_card(name: str, result: CardData | DoorError) -> None:
        results.put((name, result))
        raise RuntimeError("a bug in the caller")

    with DoorMonitor(on_card, readers=[pcscd]) as monitor:
        assert monitor.watching.wait(TIMEOUT)
        for _ in range(2):
            with on_reader(VirtualCard(UID, ndef.grant_message(GRANT))):
                assert results.get(timeout=TIMEOUT) == (pcscd, CardData(UID, GRANT))


def test_monitor_survives_pcscd_restart(taps: Taps) -> None:
    restart_pcscd(hard=True, down=0.3)  # a crash, then pcscd is back (as systemd would do)
    lost = taps.statuses.get(timeout=TIMEOUT)
    assert isinstance(lost, ReaderUnavailable)
    assert taps.statuses.get(timeout=TIMEOUT) is None  # back
    with on_reader(VirtualCard(UID, ndef.grant_message(GRANT))):
        assert taps.next() == ("Virtual PCD 00 00", CardData(UID, GRANT))
