"""NFC Forum Type 2 tags (NTAG21x) without a reader: ATR, capability container, TLV area, and
the page-reading sequence over the NTAG215 emulator's logic."""

from __future__ import annotations

import pytest

from federation_tests.door.vcard import (
    NTAG215_ATR,
    VirtualCard,
    VirtualNtag215,
    contactless_atr,
    storage_card_atr,
    type2_tlvs,
)
from reader import card, ndef, type2
from reader.card import CardData, Response, read_tag
from reader.errors import CardUnreadable
from reader.type2 import NdefTlv, locate_ndef, ndef_message, parse_cc, storage_card

UID = bytes.fromhex("04A224B2C31580")
GRANT = bytes(range(256)) + bytes(range(40))  # 296 bytes: a long NDEF record, 3-byte TLV length
# A MIFARE Ultralight C's Lock Control TLV: 16 lock bits at byte 160 (page 40), after its
# 144-byte data area; on an NTAG215, inside the data area (a large message would cover it).
LOCK_TLV = bytes.fromhex("0103A01044")
FAR_LOCK_TLV = bytes.fromhex("0103F01045")  # 2 bytes at byte 480 (block 15 of 32 bytes)
MEMORY_TLV = bytes.fromhex("0203F00243")  # Memory Control TLV: 2 bytes at page 30 (byte 120)


def over(vcard: VirtualCard) -> card.Transmit:
    """A Transmit straight into the emulator's logic (no socket, no pcscd)."""

    def transmit(apdu: bytes) -> Response:
        vcard.seen_apdus.append(apdu)
        return Response.parse(vcard.answer(apdu))

    return transmit


def unreadable(area: bytes, size: int | None = None) -> CardUnreadable:
    with pytest.raises(CardUnreadable) as info:
        locate_ndef(area, len(area) if size is None else size)
    return info.value


# --- the ATR --------------------------------------------------------------------------------------


def test_the_ntag215_atr_is_the_pcsc_storage_card_atr_of_the_ultralight_family() -> None:
    assert NTAG215_ATR.hex().upper() == "3B8F8001804F0CA0000003060300030000000068"
    assert storage_card(NTAG215_ATR) == type2.StorageCard(0x03, 0x0003)
    assert type2.StorageCard(0x03, 0x0003).is_type2
    assert storage_card(storage_card_atr(0x003A)) == type2.StorageCard(0x03, 0x003A)  # UL C
    assert type2.StorageCard(0x03, 0x003A).is_type2
    classic = storage_card(storage_card_atr(0x0001))  # MIFARE Classic 1K: not a Type 2 tag
    assert classic is not None and not classic.is_type2
    for other in (contactless_atr(), b"", bytes.fromhex("3B8F8001804F0CA0000003"), b"\x3b\x00"):
        assert storage_card(other) is None


# --- the capability container ---------------------------------------------------------------------


def test_parse_cc() -> None:
    assert parse_cc(bytes.fromhex("E1103E00")) == type2.CapabilityContainer(0x10, 496, 0, 0)
    assert parse_cc(bytes.fromhex("E1106D0F")).data_size == 872  # an NTAG216, read-only


@pytest.mark.parametrize(
    ("page", "why"),
    [
        (bytes.fromhex("00000000"), "magic 00"),  # blank, never NDEF-formatted
        (bytes.fromhex("E1203E00"), "version 2.0"),
        (bytes.fromhex("E1100000"), "0 bytes"),
        (bytes.fromhex("E1103E80"), "not freely readable"),
        (bytes.fromhex("E110"), "2 bytes"),
    ],
)
def test_bad_cc(page: bytes, why: str) -> None:
    with pytest.raises(CardUnreadable, match=why) as info:
        parse_cc(page)
    assert info.value.code == CardUnreadable.BAD_CC


# --- the TLV area ---------------------------------------------------------------------------------


def test_a_short_ndef_tlv() -> None:
    area = bytes.fromhex("0303D00000FE") + bytes(10)
    assert locate_ndef(area, len(area)) == NdefTlv(2, 3)
    assert ndef_message(area) == bytes.fromhex("D00000")


def test_a_three_byte_length() -> None:
    message = ndef.grant_message(GRANT)
    area = type2_tlvs(message) + bytes(496 - len(message) - 5)
    assert area[:4] == b"\x03\xff" + len(message).to_bytes(2, "big")
    assert locate_ndef(area, 496) == NdefTlv(4, len(message))
    assert ndef_message(area) == message


def test_lock_memory_null_and_proprietary_tlvs_before_the_ndef_tlv_are_skipped() -> None:
    before = LOCK_TLV + b"\x00\x00" + MEMORY_TLV + bytes.fromhex("FD02ABCD")
    area = type2_tlvs(b"\xd0\x00\x00", before) + bytes(20)
    assert ndef_message(area) == b"\xd0\x00\x00"
    three_byte_lock = bytes.fromhex("01FF0003A01044")  # the long length form on any TLV
    assert ndef_message(type2_tlvs(b"\xd0\x00\x00", three_byte_lock)) == b"\xd0\x00\x00"


def test_reserved_bytes_inside_the_message_are_refused_not_misread() -> None:
    # The Memory Control TLV reserves bytes 120-121 (page 30): inside a 296-byte message.
    area = type2_tlvs(ndef.grant_message(GRANT), MEMORY_TLV)
    error = unreadable(area + bytes(16))
    assert error.code == CardUnreadable.BAD_TLV and "reserved bytes 120..121" in error.log


@pytest.mark.parametrize(
    "area",
    [
        bytes.fromhex("FE0000"),  # terminator first
        bytes.fromhex("0000FE"),  # NULL padding then terminator
        bytes.fromhex("0300FE"),  # a formatted blank NTAG: empty NDEF TLV
        bytes(16),  # NULLs to the end of the data area
        LOCK_TLV + b"\xfe",  # control TLVs, then nothing
    ],
)
def test_no_ndef_message_is_a_blank_card(area: bytes) -> None:
    error = unreadable(area)
    assert error.code == CardUnreadable.NDEF_EMPTY
    assert "vierge" in error.message("fr")


@pytest.mark.parametrize(
    ("area", "why"),
    [
        (bytes.fromhex("0310D000"), "runs past the data area"),  # 16 bytes announced, 2 there
        (bytes.fromhex("03FF01"), "TLV length at byte 1"),  # 3-byte length cut short
        (bytes.fromhex("03"), "TLV length at byte 1"),
        (bytes.fromhex("0106A01044"), "TLV 01 at byte 0"),  # a lock TLV past the end
        (bytes.fromhex("03FFFFFF") + bytes(8), "reserved TLV length FFFF"),
    ],
)
def test_truncated_tlvs_are_a_clear_error(area: bytes, why: str) -> None:
    error = unreadable(area)
    assert error.code == CardUnreadable.BAD_TLV
    assert why in error.log


def test_a_partial_area_asks_for_more() -> None:
    message = ndef.grant_message(GRANT)
    area = type2_tlvs(message, FAR_LOCK_TLV)
    assert locate_ndef(area[:3], 496) is None  # inside the lock TLV
    assert locate_ndef(area[:7], 496) is None  # inside the 3-byte length
    assert locate_ndef(area[:9], 496) == NdefTlv(9, len(message))  # the header is enough
    with pytest.raises(CardUnreadable) as info:
        locate_ndef(area[:9], 100)  # the message cannot fit a 100-byte data area
    assert info.value.code == CardUnreadable.BAD_TLV


# --- the sequence ---------------------------------------------------------------------------------


def test_an_ntag215_is_read_from_its_atr_without_a_select() -> None:
    message = ndef.grant_message(GRANT)
    ntag = VirtualNtag215(UID, message)
    assert read_tag(over(ntag), atr=ntag.atr) == CardData(UID, GRANT)
    apdus = [a.hex().upper() for a in ntag.seen_apdus]
    assert apdus[:3] == ["FFCA000000", "FFB0000310", "FFB0000710"]
    # Only the pages the TLV needs: page 3 (CC + 12 bytes), then 16 bytes at a time.
    needed = 4 + len(message)
    assert len(apdus) == 1 + 1 + -(-(needed - 12) // 16)
    assert not any(a.startswith("00A4") for a in apdus)


def test_an_ntag215_behind_a_reader_with_a_generic_atr_is_found_by_its_cc() -> None:
    ntag = VirtualNtag215(UID, ndef.grant_message(GRANT), atr=contactless_atr())
    assert read_tag(over(ntag), atr=ntag.atr) == CardData(UID, GRANT)
    apdus = [a.hex().upper() for a in ntag.seen_apdus]
    assert apdus[:3] == ["FFCA000000", "00A4040007D276000085010100", "FFB0000310"]


def test_a_type4_tag_is_still_read_as_one() -> None:
    vcard = VirtualCard(UID, ndef.grant_message(GRANT))
    assert read_tag(over(vcard), atr=vcard.atr) == CardData(UID, GRANT)
    assert not any(a[:2] == b"\xff\xb0" for a in vcard.seen_apdus)


def test_a_reader_that_gives_one_page_per_read() -> None:
    ntag = VirtualNtag215(UID, ndef.grant_message(GRANT))
    ntag.respond = lambda apdu, r: r[:4] + r[-2:] if apdu[:2] == b"\xff\xb0" else r
    assert read_tag(over(ntag), atr=ntag.atr).grant == GRANT


def test_lock_tlv_and_small_message_on_the_card() -> None:
    message = ndef.grant_message(b"g")  # 34 bytes
    ntag = VirtualNtag215(UID, message, before=LOCK_TLV)
    assert read_tag(over(ntag), atr=ntag.atr).grant == b"g"
    needed = len(LOCK_TLV) + 2 + len(message)  # 41 bytes: page 3's 12, then 16 and 16
    assert len([a for a in ntag.seen_apdus if a[1] == 0xB0]) == 1 + -(-(needed - 12) // 16) == 3


def read_error(ntag: VirtualNtag215, atr: bytes | None = None, **kwargs: int) -> CardUnreadable:
    with pytest.raises(CardUnreadable) as info:
        read_tag(over(ntag), atr=ntag.atr if atr is None else atr, **kwargs)
    return info.value


def test_cards_that_cannot_be_read() -> None:
    blank = VirtualNtag215(UID, b"", user_memory=bytes.fromhex("0300FE"))
    assert read_error(blank).code == CardUnreadable.NDEF_EMPTY
    unformatted = VirtualNtag215(UID, b"", user_memory=b"", cc=bytes(4))
    assert read_error(unformatted).code == CardUnreadable.BAD_CC
    # Behind a generic ATR, an unformatted NTAG looks like no NFC tag at all.
    assert read_error(unformatted, atr=contactless_atr()).code == CardUnreadable.NOT_NFC_TAG
    truncated = VirtualNtag215(UID, b"", user_memory=bytes.fromhex("03FF0300") + bytes(100))
    assert read_error(truncated).code == CardUnreadable.BAD_TLV  # 768 bytes in a 496-byte area
    large = VirtualNtag215(UID, ndef.grant_message(bytes(400)))
    error = read_error(large, max_message=300)
    assert error.code == CardUnreadable.NDEF_TOO_LARGE
    assert len([a for a in large.seen_apdus if a[1] == 0xB0]) == 1  # refused before reading on
    no_grant = ndef.encode_message([ndef.Record(ndef.TNF_WELL_KNOWN, b"U", b"\x04x.example")])
    assert read_error(VirtualNtag215(UID, no_grant)).code == CardUnreadable.NO_GRANT
    liar = VirtualNtag215(UID, ndef.grant_message(GRANT))
    liar.respond = lambda apdu, r: r[:5] + r[-2:] if apdu[:2] == b"\xff\xb0" else r
    assert read_error(liar).code == CardUnreadable.CARD_ERROR  # 5 bytes: not whole pages


def test_neither_type4_nor_type2() -> None:
    error = read_error(VirtualNtag215(UID, b"", user_memory=b"", cc=bytes(4)), contactless_atr())
    assert "page 3" in error.log and "SELECT NDEF application" in error.log
    assert "NTAG215" in error.message("fr")
    with pytest.raises(CardUnreadable) as info:
        read_tag(over(VirtualCard(UID, b"", ndef_app=False)))
    assert info.value.code == CardUnreadable.NOT_NFC_TAG


def test_page_apdus() -> None:
    assert type2.read_pages_apdu(3) == bytes.fromhex("FFB0000310")
    assert type2.read_pages_apdu(0x0104, 4) == bytes.fromhex("FFB0010404")
    with pytest.raises(ValueError):
        type2.read_pages_apdu(-1)
    with pytest.raises(ValueError):
        type2.read_pages_apdu(4, 0)
    assert type2.tlv_area(b"ab") == bytes.fromhex("03026162FE")
    assert type2.tlv_area(bytes(300))[:4] == bytes.fromhex("03FF012C")
    assert type2.tlv_area(bytes(300)) == type2_tlvs(bytes(300))  # the emulator agrees
