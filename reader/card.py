"""Read a badge through PC/SC: its UID and the grant in its NDEF message.

Two kinds of NFC tag carry badges. NFC Forum Type 4 tags (ISO 14443-4 cards: DESFire, phones)
answer ISO 7816-4 APDUs (mapping version 2.0):

    FF CA 00 00 00                      GET DATA UID (PC/SC part 3 pseudo-APDU) -> UID
    00 A4 04 00 07 D2760000850101 00    SELECT the NDEF application (retried without Le)
    00 A4 00 0C 02 E103                 SELECT the capability container (CC)
    00 B0 00 00 0F                      READ BINARY the CC -> MLe, NDEF file id, max size
    00 A4 00 0C 02 <file id>            SELECT the NDEF file
    00 B0 00 00 02                      READ BINARY NLEN, the NDEF message's length
    00 B0 <offset> <n <= MLe> ...       READ BINARY the message, in chunks of at most MLe bytes

NFC Forum Type 2 tags (NTAG21x, the cards sold cheaply) are memory pages that the reader reads
for us (`FF B0`, see `reader.type2`). Which one is on the reader: the ATR first (a PC/SC reader
builds a storage-card ATR naming the MIFARE Ultralight family for a Type 2 tag), else the
Type 4 SELECT, and when that fails, page 3 read as a Type 2 capability container (for readers
whose ATR does not tell).

Then the NDEF message is decoded and the grant record's payload taken (`reader.ndef`).

The pure parts (APDU building, CC parsing, status-word checks, the sequences over a `Transmit`
callable) need no reader; `read_card`, `connect` and `list_readers` are the only places that
touch pyscard (untyped), and they translate its exceptions into `reader.errors`.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reader import ndef, type2
from reader.apdu import SW_OK as SW_OK
from reader.apdu import Response as Response
from reader.apdu import Transmit as Transmit
from reader.apdu import check as check
from reader.errors import CardRemoved, CardUnreadable, DoorError, ReaderUnavailable

NDEF_AID = bytes.fromhex("D2760000850101")
CC_FILE_ID = 0xE103
GET_UID = bytes.fromhex("FFCA000000")

MAX_MESSAGE = 1024
"""Largest NDEF message the door accepts (a grant is at most 456 bytes, `grant.MAX_BYTES`)."""


@dataclass(frozen=True)
class CardData:
    """What a tap gives: the card's UID (anti-collision identifier) and the grant's bytes."""

    uid: bytes
    grant: bytes


# --- APDUs --------------------------------------------------------------------------------------


def select_aid(aid: bytes, *, le: bool = True) -> bytes:
    """SELECT by DF name (ISO 7816-4), first or only occurrence; with Le 00 unless `le=False`."""
    if not 5 <= len(aid) <= 16:
        raise ValueError("an AID is 5 to 16 bytes")
    return bytes([0x00, 0xA4, 0x04, 0x00, len(aid)]) + aid + (b"\x00" if le else b"")


def select_file(file_id: int, *, mapping_major: int = 2) -> bytes:
    """SELECT by file identifier: P2 0C (no FCI) for mapping 2.x, 00 for mapping 1.0."""
    p2 = 0x0C if mapping_major >= 2 else 0x00
    return bytes([0x00, 0xA4, 0x00, p2, 0x02]) + struct.pack(">H", file_id)


def read_binary(offset: int, length: int) -> bytes:
    """READ BINARY of `length` (1..256) bytes at `offset` (0..0x7FFF) of the selected file."""
    if not 0 <= offset <= 0x7FFF:
        raise ValueError(f"READ BINARY offset {offset} out of 0..0x7FFF")
    if not 1 <= length <= 256:
        raise ValueError(f"READ BINARY length {length} out of 1..256")
    return bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, length & 0xFF])


# --- capability container -----------------------------------------------------------------------


@dataclass(frozen=True)
class CapabilityContainer:
    """The parts of a Type 4 tag's CC file that the door uses."""

    version: int  # mapping version, major in the high nibble: 0x20 for 2.0
    mle: int  # maximum data bytes in one READ BINARY response
    mlc: int  # maximum data bytes in one command
    ndef_file_id: int
    ndef_max_size: int  # NDEF file size, NLEN included
    read_access: int
    write_access: int

    @property
    def major(self) -> int:
        return self.version >> 4


_RESERVED_FILE_IDS = {0x0000, 0xE102, 0xE103, 0x3F00, 0x3FFF, 0xFFFF}


def parse_cc(data: bytes) -> CapabilityContainer:
    """Parse the first 15 bytes of a capability container; CardUnreadable(BAD_CC) if invalid."""

    def bad(why: str) -> CardUnreadable:
        return CardUnreadable(f"bad capability container: {why}", code=CardUnreadable.BAD_CC)

    if len(data) < 15:
        raise bad(f"{len(data)} bytes, expected at least 15")
    cclen, version, mle, mlc = struct.unpack_from(">HBHH", data, 0)
    tag, length = data[7], data[8]
    file_id, max_size, read_access, write_access = struct.unpack_from(">HHBB", data, 9)
    if cclen < 15:
        raise bad(f"CCLEN {cclen} < 15")
    if version >> 4 not in (1, 2):
        raise bad(f"unsupported mapping version {version >> 4}.{version & 0xF}")
    if mle < 0x0F:
        raise bad(f"MLe {mle} < 15")
    if mlc < 0x01:
        raise bad("MLc 0")
    if tag != 0x04 or length != 0x06:
        raise bad(f"expected an NDEF File Control TLV (04 06), found {tag:02X} {length:02X}")
    if file_id in _RESERVED_FILE_IDS:
        raise bad(f"reserved NDEF file id {file_id:04X}")
    if not 0x0005 <= max_size <= 0xFFFE:
        raise bad(f"NDEF file size {max_size} out of 5..65534")
    if read_access != 0x00:
        raise bad(f"NDEF file not freely readable (read access {read_access:02X})")
    return CapabilityContainer(version, mle, mlc, file_id, max_size, read_access, write_access)


# --- the sequence, over any transmit ------------------------------------------------------------


def read_uid(transmit: Transmit) -> bytes:
    uid = check(transmit(GET_UID), "GET DATA UID", code=CardUnreadable.NO_UID)
    if not uid:
        raise CardUnreadable("GET DATA UID gave an empty UID", code=CardUnreadable.NO_UID)
    return uid


def select_ndef_application(transmit: Transmit) -> None:
    response = transmit(select_aid(NDEF_AID))
    if response.sw in (0x6700, 0x6A87):  # some mapping 1.0 tags refuse the Le byte
        response = transmit(select_aid(NDEF_AID, le=False))
    check(response, "SELECT NDEF application", code=CardUnreadable.NOT_NFC_TAG)


def read_cc(transmit: Transmit) -> CapabilityContainer:
    check(
        transmit(select_file(CC_FILE_ID)), "SELECT capability container", code=CardUnreadable.BAD_CC
    )
    data = check(transmit(read_binary(0, 15)), "READ capability container")
    return parse_cc(data)


def read_file(transmit: Transmit, offset: int, length: int, chunk: int) -> bytes:
    """`length` bytes of the selected file from `offset`, in READ BINARYs of at most `chunk`."""
    out = bytearray()
    while len(out) < length:
        position = offset + len(out)
        asked = min(chunk, 256, length - len(out))
        data = check(transmit(read_binary(position, asked)), f"READ BINARY at {position}")
        if not data or len(data) > asked:
            raise CardUnreadable(
                f"READ BINARY at {position} for {asked} bytes gave {len(data)}",
                code=CardUnreadable.CARD_ERROR,
            )
        out += data
    return bytes(out)


def read_ndef_message(transmit: Transmit, *, max_message: int = MAX_MESSAGE) -> bytes:
    """The NDEF message of the Type 4 tag behind `transmit` (the NDEF application is selected)."""
    cc = read_cc(transmit)
    check(
        transmit(select_file(cc.ndef_file_id, mapping_major=cc.major)),
        f"SELECT NDEF file {cc.ndef_file_id:04X}",
        code=CardUnreadable.BAD_CC,
    )
    (nlen,) = struct.unpack(">H", read_file(transmit, 0, 2, cc.mle))
    if nlen == 0:
        raise CardUnreadable("the tag holds no NDEF message", code=CardUnreadable.NDEF_EMPTY)
    if nlen > cc.ndef_max_size - 2:
        raise CardUnreadable(
            f"NLEN {nlen} exceeds the NDEF file ({cc.ndef_max_size} bytes)",
            code=CardUnreadable.BAD_CC,
        )
    if nlen > max_message:
        raise CardUnreadable(
            f"NDEF message of {nlen} bytes, over the door's {max_message}",
            code=CardUnreadable.NDEF_TOO_LARGE,
        )
    return read_file(transmit, 2, nlen, cc.mle)


def read_message(transmit: Transmit, atr: bytes | None, *, max_message: int) -> bytes:
    """The NDEF message of the tag behind `transmit`, Type 2 or Type 4 (see the docstring)."""
    announced = type2.storage_card(atr) if atr is not None else None
    if announced is not None and announced.is_type2:
        return type2.read_ndef_message(transmit, max_message=max_message)
    try:
        select_ndef_application(transmit)
    except CardUnreadable as not_type4:
        if not_type4.code != CardUnreadable.NOT_NFC_TAG:
            raise
        # Some readers give every contactless card a generic ATR: look for a Type 2 CC.
        try:
            start = type2.read_start(transmit)
        except CardUnreadable as not_type2:
            raise CardUnreadable(
                f"{not_type4.log}; page 3: {not_type2.log}", code=CardUnreadable.NOT_NFC_TAG
            ) from not_type2
        return type2.read_ndef_message(transmit, max_message=max_message, start=start)
    return read_ndef_message(transmit, max_message=max_message)


def read_tag(
    transmit: Transmit, *, atr: bytes | None = None, max_message: int = MAX_MESSAGE
) -> CardData:
    """UID and grant of the card behind `transmit` (whose ATR is `atr` if known), no pyscard."""
    uid = read_uid(transmit)
    message = read_message(transmit, atr, max_message=max_message)
    try:
        grant = ndef.grant_from_message(message)
    except ndef.NoGrantRecord as exc:
        raise CardUnreadable(str(exc), code=CardUnreadable.NO_GRANT) from exc
    except ndef.NdefError as exc:
        raise CardUnreadable(f"malformed NDEF: {exc}", code=CardUnreadable.BAD_NDEF) from exc
    return CardData(uid=uid, grant=grant)


# --- pyscard ------------------------------------------------------------------------------------

# PC/SC result codes, by what they mean for the door (values from pcsclite.h / winscard.h).
_CARD_GONE = {
    0x80100069,  # SCARD_W_REMOVED_CARD
    0x8010000C,  # SCARD_E_NO_SMARTCARD
    0x80100068,  # SCARD_W_RESET_CARD
    0x80100067,  # SCARD_W_UNPOWERED_CARD
    0x80100066,  # SCARD_W_UNRESPONSIVE_CARD
    0x80100013,  # SCARD_F_COMM_ERROR: the card stopped answering mid-exchange
    0x80100016,  # SCARD_E_NOT_TRANSACTED: idem
    0x8010002F,  # SCARD_E_COMM_DATA_LOST
}
_READER_GONE = {
    0x8010001D,  # SCARD_E_NO_SERVICE: pcscd is not running
    0x8010001E,  # SCARD_E_SERVICE_STOPPED
    0x80100017,  # SCARD_E_READER_UNAVAILABLE
    0x80100009,  # SCARD_E_UNKNOWN_READER
    0x8010002E,  # SCARD_E_NO_READERS_AVAILABLE
    0x80100003,  # SCARD_E_INVALID_HANDLE: the context died with pcscd
}


def translate(exc: BaseException, doing: str, *, transmitting: bool = False) -> DoorError:
    """A pyscard exception (anything with an `hresult`) as the door's error.

    While `transmitting`, an empty response with a success code (pyscard: "Card returned no
    valid response") is what a contactless card that leaves the field gives: CardRemoved.
    """
    hresult = getattr(exc, "hresult", -1)
    code = hresult & 0xFFFFFFFF if isinstance(hresult, int) and hresult != -1 else None
    detail = f"{doing}: {exc}"
    if code in _CARD_GONE or (transmitting and code == 0):
        return CardRemoved(detail)
    if code in _READER_GONE:
        return ReaderUnavailable(detail)
    return CardUnreadable(detail, code=CardUnreadable.CARD_ERROR)


def _pyscard_errors() -> tuple[type[BaseException], ...]:
    from smartcard.Exceptions import SmartcardException
    from smartcard.pcsc.PCSCExceptions import BaseSCardException

    return (SmartcardException, BaseSCardException)


def list_readers() -> list[str]:
    """Names of the PC/SC readers ([] if none); ReaderUnavailable if pcscd cannot be reached."""
    from smartcard.System import readers

    try:
        return [str(reader) for reader in readers()]
    except _pyscard_errors() as exc:
        raise ReaderUnavailable(f"listing PC/SC readers: {exc}") from exc


def connect(reader_name: str) -> Any:
    """A pyscard connection to the card on `reader_name` (T=0 or T=1).

    ReaderUnavailable if there is no such reader or no pcscd, CardRemoved if no card is there.
    """
    from smartcard.pcsc.PCSCReader import PCSCReader

    try:
        connection = PCSCReader(reader_name).createConnection()
        connection.connect()
    except _pyscard_errors() as exc:
        raise translate(exc, f"connecting to the card on {reader_name}") from exc
    return connection


def disconnect(connection: Any) -> None:
    """Disconnect and release, ignoring errors (the card or pcscd may be gone already)."""
    with contextlib.suppress(*_pyscard_errors()):
        connection.disconnect()
    release = getattr(connection, "release", None)
    if release is not None:
        with contextlib.suppress(*_pyscard_errors()):
            release()


@contextlib.contextmanager
def connected(reader_name: str) -> Iterator[Any]:
    """`with connected(name) as connection:` connect, then always disconnect."""
    connection = connect(reader_name)
    try:
        yield connection
    finally:
        disconnect(connection)


def transmitter(connection: Any) -> Transmit:
    """A `Transmit` over a connected pyscard connection, translating its exceptions."""
    errors = _pyscard_errors()

    def transmit(apdu: bytes) -> Response:
        try:
            data, sw1, sw2 = connection.transmit(list(apdu))
        except errors as exc:
            raise translate(exc, f"sending {apdu[:4].hex(' ').upper()}", transmitting=True) from exc
        return Response(bytes(data), (sw1 << 8) | sw2)

    return transmit


def read_card(connection: Any, *, max_message: int = MAX_MESSAGE) -> CardData:
    """UID and grant of the card on a connected pyscard `CardConnection`.

    Raises CardRemoved, CardUnreadable or ReaderUnavailable (all DoorError), never a pyscard
    exception.
    """
    try:
        atr = bytes(connection.getATR())
    except _pyscard_errors() as exc:
        raise translate(exc, "reading the ATR") from exc
    return read_tag(transmitter(connection), atr=atr, max_message=max_message)


def read_reader(reader_name: str, *, max_message: int = MAX_MESSAGE) -> CardData:
    """Connect to the card on `reader_name`, read it, disconnect."""
    with connected(reader_name) as connection:
        return read_card(connection, max_message=max_message)
