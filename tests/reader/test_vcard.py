"""The card emulator's answers, without pcscd (its status words are what the reader relies on)."""

from __future__ import annotations

import pytest

from federation_tests.door.vcard import VirtualCard, VirtualNtag215

UID = bytes.fromhex("04112233445566")


@pytest.fixture
def vcard() -> VirtualCard:
    return VirtualCard(UID, b"\xd0\x00\x00", mle=16, ndef_max_size=40)


def send(vcard: VirtualCard, hex_apdu: str) -> str:
    return vcard.process_apdu(bytes.fromhex(hex_apdu)).hex().upper()


def test_uid(vcard: VirtualCard) -> None:
    assert send(vcard, "FFCA000000") == UID.hex().upper() + "9000"
    assert send(vcard, "FFCA000002") == "6C07"
    assert send(vcard, "FFCA010000") == "6A81"
    assert send(vcard, "FF12000000") == "6D00"


def test_select_application(vcard: VirtualCard) -> None:
    assert send(vcard, "00A4040007D276000085010100") == "9000"
    assert send(vcard, "00A4040007D2760000850101") == "9000"
    assert send(vcard, "00A4040007D276000085010200") == "6A82"
    assert send(vcard, "00A4040107D276000085010100") == "6A86"


def test_files_need_the_application(vcard: VirtualCard) -> None:
    assert send(vcard, "00A4000C02E103") == "6A82"
    assert send(vcard, "00B0000002") == "6986"
    send(vcard, "00A4040007D276000085010100")
    assert send(vcard, "00B0000002") == "6986"  # no file selected yet
    assert send(vcard, "00A4000C02E105") == "6A82"
    assert send(vcard, "00A4000C02E103") == "9000"
    assert send(vcard, "00B000000F") == "000F200010003404 06E104002800FF9000".replace(" ", "")


def test_read_binary(vcard: VirtualCard) -> None:
    send(vcard, "00A4040007D276000085010100")
    send(vcard, "00A4000C02E104")
    assert send(vcard, "00B0000005") == "0003D000009000"
    assert send(vcard, "00B0000011") == "6700"  # over MLe (16)
    assert send(vcard, "00B0002704") == "009000"  # short read at the end of the file
    assert send(vcard, "00B0002801") == "6B00"  # offset beyond the file
    assert send(vcard, "00B0800001") == "6A86"
    assert send(vcard, "00B00000") == "6700"  # no Le
    assert send(vcard, "00D60000010A") == "6982"  # read-only
    assert send(vcard, "00CA000000") == "6D00"
    assert send(vcard, "80B0000001") == "6E00"
    assert send(vcard, "00A4") == "6700"


def pages(spaced: str) -> str:
    return spaced.replace(" ", "")


def test_ntag215_answers_like_a_pcsc_reader_presenting_one() -> None:
    ntag = VirtualNtag215(UID, b"\xd0\x00\x00", before=b"\x00")
    assert send(ntag, "FFCA000000") == UID.hex().upper() + "9000"
    # Pages 0-3: UID with its check bytes (88 cascade tag), internal 48, static lock, the CC.
    assert send(ntag, "FFB0000010") == pages("041122BF 33445566 44480000 E1103E00 9000")
    assert send(ntag, "FFB0000410") == "000303D00000FE" + "00" * 9 + "9000"
    assert send(ntag, "FFB0000404") == "000303D09000"
    # Page 134 (PACK), then the tag rolls over to page 0.
    assert send(ntag, "FFB0008610") == pages("00000000 041122BF 33445566 44480000 9000")
    assert send(ntag, "FFB0008704") == "6300"  # beyond the last page
    assert send(ntag, "FFB0000411") == "6700"  # over 16 bytes
    assert send(ntag, "FFB00004") == "6700"  # no Le
    assert send(ntag, "00A4040007D276000085010100") == "6A81"  # no ISO 14443-4 layer
    assert send(ntag, "FFD6000404DEADBEEF") == "6D00"
    assert ntag.atr.hex().upper() == "3B8F8001804F0CA0000003060300030000000068"
