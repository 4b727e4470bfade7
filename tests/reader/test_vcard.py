"""The card emulator's answers, without pcscd (its status words are what the reader relies on)."""

from __future__ import annotations

import pytest

from federation_tests.door.vcard import VirtualCard

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
