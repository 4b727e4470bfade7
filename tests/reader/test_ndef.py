"""NDEF encoding and decoding, and the grant record."""

from __future__ import annotations

import struct

import pytest

from reader import ndef
from reader.ndef import GRANT_MIME_TYPE, NdefError, NoGrantRecord, Record


def test_short_record_bytes() -> None:
    message = ndef.encode_message([Record(ndef.TNF_MIME, b"a/b", b"xyz")])
    # MB ME SR, TNF 2; type length 3; payload length 3; type; payload
    assert message == bytes([0xD2, 3, 3]) + b"a/b" + b"xyz"


def test_long_record_and_id() -> None:
    payload = bytes(300)
    message = ndef.encode_message([Record(ndef.TNF_MIME, b"a/b", payload, id=b"#1")])
    assert message[0] == 0xC0 | 0x08 | ndef.TNF_MIME  # MB ME IL, not SR
    assert struct.unpack(">I", message[2:6]) == (300,)
    assert message[6] == 2  # id length
    assert ndef.decode_message(message) == [Record(ndef.TNF_MIME, b"a/b", payload, b"#1")]


def test_round_trip_several_records() -> None:
    records = [
        Record(ndef.TNF_WELL_KNOWN, b"U", b"\x04example.org"),
        Record(ndef.TNF_MIME, GRANT_MIME_TYPE, bytes(range(256)) * 2),
        Record(ndef.TNF_EMPTY),
        Record(ndef.TNF_UNKNOWN, b"", b"?"),
    ]
    message = ndef.encode_message(records)
    assert ndef.decode_message(message) == records
    flags = [message[0]]
    assert flags[0] & 0x80 and not flags[0] & 0x40  # MB on the first only


def test_chunked_record_is_joined() -> None:
    first = bytes([0x80 | 0x20 | 0x10 | ndef.TNF_MIME, 3, 2]) + b"a/b" + b"he"
    middle = bytes([0x20 | 0x10 | ndef.TNF_UNCHANGED, 0, 2]) + b"ll"
    last = bytes([0x40 | 0x10 | ndef.TNF_UNCHANGED, 0, 1]) + b"o"
    assert ndef.decode_message(first + middle + last) == [Record(ndef.TNF_MIME, b"a/b", b"hello")]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty"),
        (bytes([0x52, 3, 3]) + b"a/bxyz", "MB flag missing"),
        (bytes([0xD2, 3, 9]) + b"a/bxyz", "truncated"),
        (bytes([0x92, 3, 3]) + b"a/bxyz", "no record with ME"),
        (bytes([0xD2, 3, 3]) + b"a/bxyz" + b"\x00", "after the last record"),
        (bytes([0xD7, 0, 0]), "reserved TNF"),
        (bytes([0xD6, 0, 0]), "TNF 6"),
        (bytes([0xD0, 1, 0]) + b"x", "empty record"),
        (bytes([0xD2]), "type length missing"),
        (bytes([0xC2, 3, 0, 0]), "truncated payload length"),
        (bytes([0xF2, 3, 1]) + b"a/bx", "ME set inside a chunked record"),
    ],
)
def test_malformed_messages(data: bytes, why: str) -> None:
    with pytest.raises(NdefError, match=why):
        ndef.decode_message(data)


def test_record_validation() -> None:
    with pytest.raises(NdefError):
        Record(ndef.TNF_MIME, b"", b"x")
    with pytest.raises(NdefError):
        Record(ndef.TNF_UNCHANGED, b"")
    with pytest.raises(NdefError):
        ndef.encode_message([])


def test_grant_round_trip() -> None:
    grant = bytes(range(200)) * 2  # 400 bytes: a long record
    message = ndef.grant_message(grant)
    assert ndef.decode_message(message) == [Record(ndef.TNF_MIME, GRANT_MIME_TYPE, grant)]
    assert ndef.grant_from_message(message) == grant
    small = ndef.grant_message(b"\xd2\x84")
    assert small[0] & 0x10  # short record
    assert ndef.grant_from_message(small) == b"\xd2\x84"


def test_grant_among_other_records_and_mime_case() -> None:
    message = ndef.encode_message(
        [
            Record(ndef.TNF_WELL_KNOWN, b"U", b"\x04interlieux.example"),
            Record(ndef.TNF_MIME, b"Application/VND.Interlieux.BIL; v=1", b"grant"),
        ]
    )
    assert ndef.grant_from_message(message) == b"grant"


def test_no_grant_record() -> None:
    message = ndef.encode_message([Record(ndef.TNF_MIME, b"text/plain", b"hello")])
    with pytest.raises(NoGrantRecord, match=r"application/vnd\.interlieux\.bil"):
        ndef.grant_from_message(message)
    # The type must be a MIME type (TNF 2), not an external type of the same name.
    external = ndef.encode_message([Record(ndef.TNF_EXTERNAL, GRANT_MIME_TYPE, b"g")])
    with pytest.raises(NoGrantRecord):
        ndef.grant_from_message(external)


def test_two_grants_are_ambiguous() -> None:
    message = ndef.encode_message([ndef.grant_record(b"a"), ndef.grant_record(b"b")])
    with pytest.raises(NdefError, match="ambiguous"):
        ndef.grant_from_message(message)


def test_empty_grant() -> None:
    with pytest.raises(NdefError):
        ndef.grant_message(b"")
    with pytest.raises(NoGrantRecord, match="empty"):
        ndef.grant_from_message(ndef.encode_message([ndef.grant_record(b"")]))
