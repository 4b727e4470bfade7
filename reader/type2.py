"""Read a badge from an NFC Forum Type 2 tag (NTAG213/215/216, MIFARE Ultralight): cheap cards.

The tag's memory is pages of 4 bytes. Pages 0-2 hold the UID, an internal byte and the static
lock bytes; page 3 is the capability container (CC) ``E1 <version> <size / 8> <access>``; the
data area starts at page 4 and is a sequence of TLV blocks (NFC Forum Type 2 Tag, section 2.3):

    00                  NULL TLV: padding, skipped
    01 L V, 02 L V      Lock / Memory Control TLV: where reserved bytes lie; skipped
    03 L V              NDEF Message TLV: the NDEF message (`reader.ndef`) is V
    FD L V              proprietary TLV: skipped
    FE                  Terminator TLV: nothing after it

L is one byte (00..FE), or FF followed by two bytes (00FF..FFFE). An NTAG215 has 504 bytes of
user memory (pages 4..129) and announces 496 in its CC (``E1 10 3E 00``).

A PC/SC reader reaches the pages through the storage-card pseudo-APDU READ BINARY
``FF B0 <page MSB> <page LSB> <Le>`` (PC/SC part 3). The tag's own READ command returns four
pages, so the door asks for 16 bytes per command: the first read (page 3) gives the CC and the
first 12 bytes of the data area, and the door reads on only as far as the NDEF TLV's length
needs (a typical grant's 267-byte message: 18 reads), never the whole memory.

Pure, but for `read_ndef_message`, which runs over a `Transmit` (`reader.apdu`) like the Type 4
sequence in `reader.card`.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.apdu import Transmit, check
from reader.errors import CardUnreadable

PAGE_SIZE = 4
CC_PAGE = 3
DATA_PAGE = 4
DATA_OFFSET = DATA_PAGE * PAGE_SIZE  # byte address of the data area in the tag's memory
READ_LENGTH = 16  # what one READ of a Type 2 tag returns, and what ACR122U-style readers take
CC_MAGIC = 0xE1

TLV_NULL, TLV_LOCK_CONTROL, TLV_MEMORY_CONTROL, TLV_NDEF = 0x00, 0x01, 0x02, 0x03
TLV_PROPRIETARY, TLV_TERMINATOR = 0xFD, 0xFE

# PC/SC part 3 ATR of a contactless storage card: 3B 8F 80 01, then the historical
# bytes 80 4F 0C <RID A0 00 00 03 06> <SS: standard> <C0 C1: card name> 00 00 00 00, then TCK.
PCSC_RID = bytes.fromhex("A000000306")
STANDARD_ISO14443A_3 = 0x03
# Card names (PC/SC part 3 supplemental document) of the Type 2 family: readers give NTAG21x the
# name of the MIFARE Ultralight they descend from.
MIFARE_ULTRALIGHT = 0x0003
MIFARE_ULTRALIGHT_C = 0x003A
TYPE2_CARD_NAMES = frozenset({MIFARE_ULTRALIGHT, MIFARE_ULTRALIGHT_C})


# --- the ATR ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StorageCard:
    """What a PC/SC reader says of a contactless storage card in its ATR."""

    standard: int  # SS: 03 = ISO/IEC 14443 A part 3
    card_name: int  # C0 C1

    @property
    def is_type2(self) -> bool:
        return self.standard == STANDARD_ISO14443A_3 and self.card_name in TYPE2_CARD_NAMES


def storage_card(atr: bytes) -> StorageCard | None:
    """The storage card an ATR announces, or None for any other ATR (an ISO 14443-4 card)."""
    if len(atr) < 4 or atr[0] != 0x3B or atr[1] & 0xF0 != 0x80 or atr[2:4] != b"\x80\x01":
        return None
    historical = atr[4 : 4 + (atr[1] & 0x0F)]
    if len(historical) < 11 or historical[:2] != b"\x80\x4f" or historical[2] < 8:
        return None
    if historical[3:8] != PCSC_RID:
        return None
    return StorageCard(historical[8], (historical[9] << 8) | historical[10])


# --- the capability container -------------------------------------------------------------------


@dataclass(frozen=True)
class CapabilityContainer:
    """Page 3 of a Type 2 tag."""

    version: int  # mapping version, major in the high nibble: 0x10 for 1.0
    data_size: int  # bytes in the data area, from page 4 (the CC's size byte times 8)
    read_access: int  # high nibble of the access byte: 0 = free
    write_access: int  # low nibble: 0 = free, F = read-only


def parse_cc(page: bytes) -> CapabilityContainer:
    """Parse page 3; CardUnreadable(BAD_CC) if it is no NDEF capability container."""

    def bad(why: str) -> CardUnreadable:
        return CardUnreadable(f"bad Type 2 capability container: {why}", code=CardUnreadable.BAD_CC)

    if len(page) < PAGE_SIZE:
        raise bad(f"{len(page)} bytes, expected 4")
    magic, version, size, access = page[:4]
    if magic != CC_MAGIC:
        # A blank NTAG has 00 00 00 00 here until an app formats it; an NDEF app writes E1.
        raise bad(f"magic {magic:02X}, expected E1 (card not NDEF-formatted)")
    if version >> 4 != 1:
        raise bad(f"unsupported mapping version {version >> 4}.{version & 0xF}")
    if size == 0:
        raise bad("data area of 0 bytes")
    if access >> 4 != 0:
        raise bad(f"data area not freely readable (access {access:02X})")
    return CapabilityContainer(version, size * 8, access >> 4, access & 0x0F)


# --- the TLV area -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NdefTlv:
    """Where the NDEF message lies in the data area (offsets from page 4)."""

    offset: int
    length: int

    @property
    def end(self) -> int:
        return self.offset + self.length


def _bad_tlv(why: str) -> CardUnreadable:
    return CardUnreadable(f"bad Type 2 TLV area: {why}", code=CardUnreadable.BAD_TLV)


def _tlv_length(area: bytes, at: int, size: int) -> tuple[int, int] | None:
    """(length, bytes the length field takes) of the TLV whose L field is at `at`.

    None if `area` ends before the field does but the data area goes on (read more).
    """
    width = 3 if at < len(area) and area[at] == 0xFF else 1
    if at + width > len(area):
        if at + width > size:
            raise _bad_tlv(f"TLV length at byte {at} runs past the data area ({size} bytes)")
        return None
    if width == 1:
        return area[at], 1
    length = (area[at + 1] << 8) | area[at + 2]
    if length == 0xFFFF:
        raise _bad_tlv(f"reserved TLV length FFFF at byte {at}")
    return length, 3


def _reserved_area(value: bytes, *, lock: bool) -> range | None:
    """The byte addresses (from page 0) a Lock or Memory Control TLV reserves."""
    if len(value) != 3:
        return None  # not the 3-byte form the specification defines: nothing to honour
    page_address, byte_offset = value[0] >> 4, value[0] & 0x0F
    size = value[1] or 256  # lock bits for a Lock Control TLV, bytes for a Memory Control TLV
    bytes_per_page = 1 << (value[2] & 0x0F)
    start = page_address * bytes_per_page + byte_offset
    return range(start, start + (-(-size // 8) if lock else size))


def locate_ndef(area: bytes, size: int) -> NdefTlv | None:
    """Find the first NDEF Message TLV in the data area's first bytes `area`.

    `size` is the data area's size (from the CC). Returns None when `area` ends before the
    NDEF TLV's header does and the data area goes on: read more pages and call again.
    Raises CardUnreadable: NDEF_EMPTY (a terminator or the end of the data area before any
    NDEF TLV, or an empty one: a blank card), BAD_TLV (a TLV running past the data area, or
    reserved bytes inside the message).
    """
    reserved: list[range] = []
    at = 0
    while True:
        if at >= size:
            raise CardUnreadable(
                "no NDEF message TLV in the data area", code=CardUnreadable.NDEF_EMPTY
            )
        if at >= len(area):
            return None
        tag = area[at]
        if tag == TLV_NULL:
            at += 1
            continue
        if tag == TLV_TERMINATOR:
            raise CardUnreadable(
                f"terminator TLV at byte {at} before any NDEF message TLV",
                code=CardUnreadable.NDEF_EMPTY,
            )
        header = _tlv_length(area, at + 1, size)
        if header is None:
            return None
        length, width = header
        value = at + 1 + width
        if value + length > size:
            raise _bad_tlv(
                f"TLV {tag:02X} at byte {at} of {length} bytes runs past the data area "
                f"({size} bytes)"
            )
        if tag == TLV_NDEF:
            if length == 0:
                raise CardUnreadable("empty NDEF message TLV", code=CardUnreadable.NDEF_EMPTY)
            found = NdefTlv(value, length)
            message = range(DATA_OFFSET + found.offset, DATA_OFFSET + found.end)
            for area_range in reserved:
                # Tags whose reserved bytes lie inside the data area (dynamic layouts) would
                # need them skipped; the NTAG21x keep theirs after it. Refuse, never misread.
                if area_range.start < message.stop and message.start < area_range.stop:
                    raise _bad_tlv(
                        f"reserved bytes {area_range.start}..{area_range.stop - 1} inside the "
                        "NDEF message: unsupported memory layout"
                    )
            return found
        if tag in (TLV_LOCK_CONTROL, TLV_MEMORY_CONTROL):
            if value + length > len(area):
                return None
            reserved_range = _reserved_area(
                area[value : value + length], lock=tag == TLV_LOCK_CONTROL
            )
            if reserved_range is not None:
                reserved.append(reserved_range)
        at = value + length  # a proprietary or unknown TLV: skipped by its length


def ndef_message(area: bytes) -> bytes:
    """The NDEF message in a whole data area (a dump of the pages from page 4)."""
    found = locate_ndef(area, len(area))
    if found is None:  # cannot happen: the whole area is there
        raise _bad_tlv("data area truncated")
    return area[found.offset : found.end]


def tlv_area(message: bytes) -> bytes:
    """The TLV bytes that hold `message` on a Type 2 tag: NDEF Message TLV + Terminator TLV.

    What a card-writing app puts at page 4; the door's tests write emulated cards with it.
    """
    if len(message) < 0xFF:
        header = bytes([TLV_NDEF, len(message)])
    elif len(message) <= 0xFFFE:
        header = bytes([TLV_NDEF, 0xFF, len(message) >> 8, len(message) & 0xFF])
    else:
        raise ValueError("an NDEF message TLV holds at most 65534 bytes")
    return header + message + bytes([TLV_TERMINATOR])


# --- the sequence, over any transmit ------------------------------------------------------------


def read_pages_apdu(page: int, length: int = READ_LENGTH) -> bytes:
    """PC/SC READ BINARY of `length` bytes from `page` of a storage card."""
    if not 0 <= page <= 0xFFFF:
        raise ValueError(f"page {page} out of 0..65535")
    if not 1 <= length <= 255:
        raise ValueError(f"READ BINARY length {length} out of 1..255")
    return bytes([0xFF, 0xB0, page >> 8, page & 0xFF, length])


def read_pages(transmit: Transmit, page: int) -> bytes:
    """Up to 16 bytes from `page` on; whole pages only (a reader may give 4 bytes, not 16)."""
    data = check(transmit(read_pages_apdu(page)), f"READ BINARY of page {page}")
    if not data or len(data) % PAGE_SIZE or len(data) > READ_LENGTH:
        raise CardUnreadable(
            f"READ BINARY of page {page} gave {len(data)} bytes, expected 4 to 16 in whole pages",
            code=CardUnreadable.CARD_ERROR,
        )
    return data


def read_start(transmit: Transmit) -> tuple[CapabilityContainer, bytes]:
    """The CC and the data area's first bytes, from one read at page 3."""
    first = read_pages(transmit, CC_PAGE)
    return parse_cc(first[:PAGE_SIZE]), first[PAGE_SIZE:]


def read_ndef_message(
    transmit: Transmit,
    *,
    max_message: int,
    start: tuple[CapabilityContainer, bytes] | None = None,
) -> bytes:
    """The NDEF message of the Type 2 tag behind `transmit`; `start` if page 3 was read already."""
    cc, first = start if start is not None else read_start(transmit)
    area = bytearray(first)

    def more() -> None:
        area.extend(read_pages(transmit, DATA_PAGE + len(area) // PAGE_SIZE))

    while (found := locate_ndef(bytes(area), cc.data_size)) is None:
        more()
    if found.length > max_message:
        raise CardUnreadable(
            f"NDEF message of {found.length} bytes, over the door's {max_message}",
            code=CardUnreadable.NDEF_TOO_LARGE,
        )
    while len(area) < found.end:
        more()
    return bytes(area[found.offset : found.end])
