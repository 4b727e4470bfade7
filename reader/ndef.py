"""NDEF messages (NFC Forum NDEF 1.0), and the one record the badge carries: the grant.

Pure: bytes in, bytes out. A message is a sequence of records; each record's header byte holds
the flags MB (message begin), ME (message end), CF (chunk), SR (short record: 1-byte payload
length instead of 4), IL (an ID length is present) and the 3-bit TNF (type name format):

    MB ME CF SR IL TNF | TYPE LENGTH | PAYLOAD LENGTH (1 or 4) | [ID LENGTH] | TYPE | [ID] | PAYLOAD

The badge's grant is a MIME-type record (TNF 0x02) of type ``application/vnd.interlieux.bil``
whose payload is the grant's bytes (a COSE_Sign1 structure, opaque here).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

TNF_EMPTY = 0x00
TNF_WELL_KNOWN = 0x01
TNF_MIME = 0x02
TNF_URI = 0x03
TNF_EXTERNAL = 0x04
TNF_UNKNOWN = 0x05
TNF_UNCHANGED = 0x06
TNF_RESERVED = 0x07

GRANT_MIME_TYPE = b"application/vnd.interlieux.bil"

_MB, _ME, _CF, _SR, _IL = 0x80, 0x40, 0x20, 0x10, 0x08


class NdefError(ValueError):
    """Bytes that are not a well-formed NDEF message, or a message without the expected record."""


class NoGrantRecord(NdefError):
    """The message is well formed but holds no ``application/vnd.interlieux.bil`` record."""


@dataclass(frozen=True)
class Record:
    """One NDEF record (chunks already joined)."""

    tnf: int
    type: bytes = b""
    payload: bytes = b""
    id: bytes = b""

    def __post_init__(self) -> None:
        if not 0 <= self.tnf <= TNF_UNKNOWN:
            raise NdefError(f"TNF {self.tnf:#x} cannot be written as a record")
        if len(self.type) > 255 or len(self.id) > 255:
            raise NdefError("an NDEF type or id is at most 255 bytes")
        if self.tnf == TNF_EMPTY and (self.type or self.payload or self.id):
            raise NdefError("an empty record (TNF 0) has no type, id or payload")
        if self.tnf == TNF_UNKNOWN and self.type:
            raise NdefError("an unknown-type record (TNF 5) has no type")
        if self.tnf in (TNF_WELL_KNOWN, TNF_MIME, TNF_URI, TNF_EXTERNAL) and not self.type:
            raise NdefError(f"a record of TNF {self.tnf:#x} needs a type")


def encode_record(record: Record, *, first: bool, last: bool) -> bytes:
    """One record, as a short record when its payload is under 256 bytes."""
    if len(record.payload) > 0xFFFFFFFF:
        raise NdefError("an NDEF payload is at most 2^32 - 1 bytes")
    short = len(record.payload) < 256
    header = record.tnf
    header |= _MB if first else 0
    header |= _ME if last else 0
    header |= _SR if short else 0
    header |= _IL if record.id else 0
    out = bytearray([header, len(record.type)])
    out += struct.pack(">B" if short else ">I", len(record.payload))
    if record.id:
        out.append(len(record.id))
    out += record.type + record.id + record.payload
    return bytes(out)


def encode_message(records: Iterable[Record]) -> bytes:
    """A message of one or more records, MB on the first and ME on the last."""
    items = list(records)
    if not items:
        raise NdefError("an NDEF message has at least one record")
    return b"".join(
        encode_record(record, first=i == 0, last=i == len(items) - 1)
        for i, record in enumerate(items)
    )


def decode_message(data: bytes) -> list[Record]:
    """The records of one NDEF message, chunked records joined; NdefError if malformed.

    The message must start with MB, end with ME on the last byte, and hold nothing after it.
    """
    if not data:
        raise NdefError("empty NDEF message")
    records: list[Record] = []
    chunk: tuple[int, bytes, bytes, bytearray] | None = None  # tnf, type, id, payload so far
    pos = 0
    index = 0
    while True:
        header = _byte(data, pos, "record header")
        mb, me, cf = bool(header & _MB), bool(header & _ME), bool(header & _CF)
        sr, il, tnf = bool(header & _SR), bool(header & _IL), header & 0x07
        if mb != (index == 0):
            raise NdefError(
                f"record {index}: MB flag {'set' if mb else 'missing'} (only the first has it)"
            )
        type_len = _byte(data, pos + 1, "type length")
        pos += 2
        if sr:
            payload_len = _byte(data, pos, "payload length")
            pos += 1
        else:
            if pos + 4 > len(data):
                raise NdefError(f"record {index}: truncated payload length")
            (payload_len,) = struct.unpack_from(">I", data, pos)
            pos += 4
        id_len = 0
        if il:
            id_len = _byte(data, pos, "id length")
            pos += 1
        end = pos + type_len + id_len + payload_len
        if end > len(data):
            raise NdefError(f"record {index}: truncated ({end - len(data)} bytes missing)")
        rtype = data[pos : pos + type_len]
        rid = data[pos + type_len : pos + type_len + id_len]
        payload = data[pos + type_len + id_len : end]
        pos = end

        if tnf == TNF_RESERVED:
            raise NdefError(f"record {index}: reserved TNF 7")
        if chunk is None:
            if tnf == TNF_UNCHANGED:
                raise NdefError(f"record {index}: TNF 6 (unchanged) outside a chunked record")
            if cf:  # first chunk of a chunked record
                chunk = (tnf, rtype, rid, bytearray(payload))
            else:
                records.append(_record(index, tnf, rtype, payload, rid))
        else:
            if tnf != TNF_UNCHANGED or type_len or il:
                raise NdefError(f"record {index}: a middle or last chunk must have TNF 6, no type")
            chunk[3].extend(payload)
            if not cf:
                records.append(_record(index, chunk[0], chunk[1], bytes(chunk[3]), chunk[2]))
                chunk = None
        if me:
            if chunk is not None:
                raise NdefError(f"record {index}: ME set inside a chunked record")
            if pos != len(data):
                raise NdefError(f"{len(data) - pos} bytes after the last record (ME)")
            return records
        if pos >= len(data):
            raise NdefError("no record with ME: the message is truncated")
        index += 1


def _byte(data: bytes, pos: int, what: str) -> int:
    if pos >= len(data):
        raise NdefError(f"truncated NDEF message: {what} missing at byte {pos}")
    return data[pos]


def _record(index: int, tnf: int, rtype: bytes, payload: bytes, rid: bytes) -> Record:
    try:
        return Record(tnf, rtype, payload, rid)
    except NdefError as exc:
        raise NdefError(f"record {index}: {exc}") from None


def _mime_base(rtype: bytes) -> bytes:
    """A MIME type without its parameters, lower-cased (MIME types are case-insensitive)."""
    return rtype.split(b";", 1)[0].strip().lower()


def grant_record(grant: bytes) -> Record:
    return Record(TNF_MIME, GRANT_MIME_TYPE, grant)


def grant_message(grant: bytes) -> bytes:
    """The NDEF message to write on a badge: one MIME record holding the grant's bytes."""
    if not grant:
        raise NdefError("empty grant")
    return encode_message([grant_record(grant)])


def grant_from_message(message: bytes) -> bytes:
    """The grant's bytes from an NDEF message read on a badge.

    Raises NdefError if the message is malformed, NoGrantRecord if it holds no (or an empty)
    ``application/vnd.interlieux.bil`` record, NdefError if it holds two (ambiguous).
    Other records are ignored.
    """
    grants = [
        record.payload
        for record in decode_message(message)
        if record.tnf == TNF_MIME and _mime_base(record.type) == GRANT_MIME_TYPE
    ]
    if not grants:
        raise NoGrantRecord(f"no {GRANT_MIME_TYPE.decode()} record in the NDEF message")
    if len(grants) > 1:
        raise NdefError(f"{len(grants)} {GRANT_MIME_TYPE.decode()} records: ambiguous")
    if not grants[0]:
        raise NoGrantRecord(f"the {GRANT_MIME_TYPE.decode()} record is empty")
    return grants[0]
