"""The card-reading sequence without a reader: APDUs, CC parsing, and the emulator's logic."""

from __future__ import annotations

import pytest

from federation_tests.door.vcard import VirtualCard, capability_container, contactless_atr
from reader import card, ndef
from reader.card import CardData, Response, parse_cc, read_tag
from reader.errors import CardRemoved, CardUnreadable, DoorError, ReaderUnavailable

UID = bytes.fromhex("04A1B2C3D4E5F6")
GRANT = bytes(range(256)) + bytes(range(200))  # 456 bytes, like a real COSE_Sign1 grant


def over(vcard: VirtualCard) -> card.Transmit:
    """A Transmit straight into the emulator's logic (no socket, no pcscd)."""

    def transmit(apdu: bytes) -> Response:
        vcard.seen_apdus.append(apdu)
        return Response.parse(vcard.answer(apdu))

    return transmit


def test_apdus() -> None:
    assert card.select_aid(card.NDEF_AID) == bytes.fromhex("00A4040007D276000085010100")
    assert card.select_aid(card.NDEF_AID, le=False) == bytes.fromhex("00A4040007D2760000850101")
    assert card.select_file(0xE103) == bytes.fromhex("00A4000C02E103")
    assert card.select_file(0xE104, mapping_major=1) == bytes.fromhex("00A4000002E104")
    assert card.read_binary(0x0102, 0x3B) == bytes.fromhex("00B001023B")
    assert card.read_binary(0, 256) == bytes.fromhex("00B0000000")
    with pytest.raises(ValueError):
        card.read_binary(0x8000, 1)
    with pytest.raises(ValueError):
        card.read_binary(0, 0)


def test_response_and_check() -> None:
    response = Response.parse(b"\x01\x02\x90\x00")
    assert response == Response(b"\x01\x02", 0x9000)
    assert card.check(response, "x") == b"\x01\x02"
    with pytest.raises(CardUnreadable, match="6A82") as info:
        card.check(Response(b"", 0x6A82), "SELECT", code=CardUnreadable.NOT_NFC_TAG)
    assert info.value.code == CardUnreadable.NOT_NFC_TAG
    with pytest.raises(CardUnreadable):
        Response.parse(b"\x90")


def test_parse_cc() -> None:
    cc = parse_cc(bytes.fromhex("000F20003B00340406E1040800 00FF".replace(" ", "")))
    assert cc == card.CapabilityContainer(0x20, 0x3B, 0x34, 0xE104, 0x0800, 0x00, 0xFF)
    assert cc.major == 2


@pytest.mark.parametrize(
    ("cc", "why"),
    [
        (bytes.fromhex("000F20003B0034"), "7 bytes"),
        (bytes.fromhex("000E20003B00340406E104080000FF"), "CCLEN"),
        (bytes.fromhex("000F30003B00340406E104080000FF"), "mapping version 3.0"),
        (bytes.fromhex("000F2000050034 0406E104080000FF".replace(" ", "")), "MLe 5"),
        (bytes.fromhex("000F20003B00000406E104080000FF"), "MLc 0"),
        (bytes.fromhex("000F20003B00340506E104080000FF"), "NDEF File Control TLV"),
        (bytes.fromhex("000F20003B00340406E103080000FF"), "reserved NDEF file id"),
        (bytes.fromhex("000F20003B00340406E104000300FF"), "size 3"),
        (bytes.fromhex("000F20003B00340406E1040800FFFF"), "read access FF"),
    ],
)
def test_bad_cc(cc: bytes, why: str) -> None:
    with pytest.raises(CardUnreadable, match=why) as info:
        parse_cc(cc)
    assert info.value.code == CardUnreadable.BAD_CC


def test_read_tag_sequence() -> None:
    vcard = VirtualCard(UID, ndef.grant_message(GRANT))
    assert read_tag(over(vcard)) == CardData(UID, GRANT)
    apdus = [a.hex().upper() for a in vcard.seen_apdus]
    assert apdus[:6] == [
        "FFCA000000",
        "00A4040007D276000085010100",
        "00A4000C02E103",
        "00B000000F",
        "00A4000C02E104",
        "00B0000002",
    ]
    reads = [a for a in vcard.seen_apdus[6:] if a[1] == 0xB0]
    assert all(a[4] <= 0x3B for a in reads)  # never more than MLe
    assert len(reads) == -(-len(ndef.grant_message(GRANT)) // 0x3B)


@pytest.mark.parametrize("mle", [15, 16, 200, 0xFFFF])
def test_chunks_follow_mle(mle: int) -> None:
    vcard = VirtualCard(UID, ndef.grant_message(GRANT), mle=mle)
    assert read_tag(over(vcard)).grant == GRANT
    assert all(
        a[4] in range(1, min(mle, 256) + 1) or (a[4] == 0 and mle >= 256)
        for a in vcard.seen_apdus
        if a[1] == 0xB0
    )


def test_select_retried_without_le() -> None:
    vcard = VirtualCard(UID, ndef.grant_message(b"g"))

    def strict(apdu: bytes, response: bytes) -> bytes:
        return b"\x67\x00" if apdu[:2] == b"\x00\xa4" and len(apdu) == 13 else response

    vcard.respond = strict
    assert read_tag(over(vcard)).grant == b"g"
    assert vcard.seen_apdus[2].hex().upper() == "00A4040007D2760000850101"


def unreadable(vcard: VirtualCard, **kwargs: int) -> CardUnreadable:
    with pytest.raises(CardUnreadable) as info:
        read_tag(over(vcard), **kwargs)
    return info.value


def test_not_a_type4_tag() -> None:
    assert unreadable(VirtualCard(UID, b"", ndef_app=False)).code == CardUnreadable.NOT_NFC_TAG


def test_empty_tag() -> None:
    assert unreadable(VirtualCard(UID, b"")).code == CardUnreadable.NDEF_EMPTY


def test_no_grant_record() -> None:
    message = ndef.encode_message([ndef.Record(ndef.TNF_WELL_KNOWN, b"U", b"\x04x.example")])
    assert unreadable(VirtualCard(UID, message)).code == CardUnreadable.NO_GRANT


def test_corrupted_ndef() -> None:
    message = bytearray(ndef.grant_message(GRANT))
    message[0] = 0x12  # MB and ME cleared
    error = unreadable(VirtualCard(UID, bytes(message)))
    assert error.code == CardUnreadable.BAD_NDEF
    assert isinstance(error.__cause__, ndef.NdefError)


def test_too_large() -> None:
    vcard = VirtualCard(UID, ndef.grant_message(bytes(2000)))
    assert unreadable(vcard).code == CardUnreadable.NDEF_TOO_LARGE
    assert read_tag(over(VirtualCard(UID, ndef.grant_message(bytes(2000)))), max_message=4096)


def test_nlen_beyond_file() -> None:
    vcard = VirtualCard(UID, ndef.grant_message(b"g"), ndef_max_size=64, nlen=100)
    assert unreadable(vcard).code == CardUnreadable.BAD_CC


def test_bad_cc_on_card() -> None:
    cc = capability_container(mle=0x3B, mlc=0x34, ndef_max_size=64, read_access=0x80)
    assert unreadable(VirtualCard(UID, b"x", cc=cc)).code == CardUnreadable.BAD_CC


def test_no_uid() -> None:
    vcard = VirtualCard(b"", ndef.grant_message(b"g"))
    assert unreadable(vcard).code == CardUnreadable.NO_UID


def test_card_lying_about_length() -> None:
    vcard = VirtualCard(UID, ndef.grant_message(GRANT))
    vcard.respond = lambda apdu, r: bytes(80) + r[-2:] if apdu[1] == 0xB0 and apdu[3] > 2 else r
    assert unreadable(vcard).code == CardUnreadable.CARD_ERROR


class _Gone(Exception):
    def __init__(self, hresult: int) -> None:
        super().__init__("pyscard said no")
        self.hresult = hresult


@pytest.mark.parametrize(
    ("hresult", "kind"),
    [
        (0x80100069, CardRemoved),
        (-0x7FEFFF97, CardRemoved),  # the same, as a signed int
        (0x8010000C, CardRemoved),
        (0x80100013, CardRemoved),
        (0x8010001D, ReaderUnavailable),
        (0x80100009, ReaderUnavailable),
        (0x80100011, CardUnreadable),
        (-1, CardUnreadable),
    ],
)
def test_translate(hresult: int, kind: type[DoorError]) -> None:
    error = card.translate(_Gone(hresult), "doing")
    assert type(error) is kind
    assert error.log.startswith("doing: ")
    assert error.message("fr") != error.message("en")


def test_empty_response_while_transmitting_is_a_removal() -> None:
    assert isinstance(card.translate(_Gone(0), "x", transmitting=True), CardRemoved)
    assert isinstance(card.translate(_Gone(0), "x"), CardUnreadable)


def test_contactless_atr() -> None:
    assert contactless_atr() == bytes.fromhex("3B8180018080")
