"""Contactless cards emulated on vsmartcard's vpcd protocol: an NFC Forum Type 4 Tag with a UID
(`VirtualCard`), and an NTAG215, a Type 2 tag, as a PC/SC reader presents it (`VirtualNtag215`).

Standard library only, so that any test (the door's, the daemon's, federation tests) can use it.

pcscd loads the vpcd driver (``/etc/reader.conf.d/vpcd``), which listens on TCP port 35963 for
reader slot ``Virtual PCD 00 00`` and 35964 for ``Virtual PCD 00 01``. A card is *inserted* while
a client is connected to its slot's port and *removed* when the client disconnects: connect then
disconnect is a tap, which pyscard's ``CardMonitor`` sees.

The protocol: every message, both ways, is a 2-byte big-endian length and that many bytes. From
the driver, a 1-byte message is a control code (0 power off, 1 power on, 2 reset: no answer;
4: answer with the ATR); a longer one is a command APDU, answered with the response APDU.

The card answers:

- ``FF CA 00 00 00`` (PC/SC part 3 GET DATA UID): the UID + ``90 00``;
- SELECT of the NDEF application ``D2 76 00 00 85 01 01`` (with or without Le);
- SELECT of the capability container ``E1 03`` and of the NDEF file (``E1 04`` by default),
  READ BINARY with offset and length (``67 00`` if Le exceeds MLe), and status words for errors:
  ``6A 82`` no such file or application, ``6B 00`` offset out of the file, ``69 86`` no file
  selected, ``6D 00`` unknown instruction, ``6E 00`` unknown class, ``6A 86`` wrong P1/P2,
  ``67 00`` wrong length, ``69 82`` writing (the tag is read-only).

The NTAG215 answers as an ACR122U-style reader does for it: a storage-card ATR (PC/SC part 3,
card name 00 03, MIFARE Ultralight family), ``FF CA 00 00 00`` (UID) and ``FF B0 00 <page> <Le>``
READ BINARY of up to 16 bytes from a page (rolling over to page 0 past the last one, as the
tag does); ``63 00`` for a page beyond the memory, ``67 00`` for a length over 16, ``6A 81`` for
ISO 7816 commands (no ISO 14443-4 layer: no NDEF application to SELECT).

Misbehaviour for error-path tests: ``remove_on`` (the card leaves the field when it receives a
matching command, without answering), ``respond`` (rewrite any response), ``ndef_app=False`` (a
contactless card that is not a Type 4 tag), ``cc`` (a capability container of your own).

    with VirtualCard(uid, message) as card:   # inserted
        ...                                    # the reader sees it; card.seen_apdus records
                                               # every command APDU received
    # removed
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from types import TracebackType

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963
"""Port of vpcd's first slot; slot ``n`` listens on ``VPCD_PORT + n``."""

NDEF_AID = bytes.fromhex("D2760000850101")
CC_FILE_ID = 0xE103
NDEF_FILE_ID = 0xE104

SW_OK = b"\x90\x00"
SW_WRONG_LENGTH = b"\x67\x00"
SW_SECURITY = b"\x69\x82"
SW_NO_CURRENT_EF = b"\x69\x86"
SW_FUNC_NOT_SUPPORTED = b"\x6a\x81"
SW_NOT_FOUND = b"\x6a\x82"
SW_WRONG_P1P2 = b"\x6a\x86"
SW_WRONG_OFFSET = b"\x6b\x00"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_CLA_NOT_SUPPORTED = b"\x6e\x00"

_CTRL_OFF, _CTRL_ON, _CTRL_RESET, _CTRL_ATR = 0, 1, 2, 4


def reader_name(port: int = VPCD_PORT) -> str:
    """PC/SC name of the vpcd slot that a card connecting to ``port`` lands in."""
    return f"Virtual PCD 00 {port - VPCD_PORT:02d}"


def contactless_atr(historical: bytes = b"\x80") -> bytes:
    """The ATR a PC/SC reader builds for an ISO 14443-4 card (PC/SC part 3, section 3.1.3.2.3).

    ``3B 8n 80 01`` + historical bytes (from the ATS) + TCK. With the default, ``3B 81 80 01 80
    80``, as for a MIFARE DESFire.
    """
    if len(historical) > 15:
        raise ValueError("at most 15 historical bytes")
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
    tck = 0
    for byte in body:
        tck ^= byte
    return b"\x3b" + body + bytes([tck])


def capability_container(
    *,
    mle: int,
    mlc: int,
    ndef_file_id: int = NDEF_FILE_ID,
    ndef_max_size: int,
    read_access: int = 0x00,
    write_access: int = 0xFF,
    version: int = 0x20,
) -> bytes:
    """The 15-byte capability container of a Type 4 tag (mapping version 2.0 by default)."""
    return (
        struct.pack(">HBHH", 15, version, mle, mlc)
        + bytes([0x04, 0x06])
        + struct.pack(">HHBB", ndef_file_id, ndef_max_size, read_access, write_access)
    )


def storage_card_atr(card_name: int = 0x0003, standard: int = 0x03) -> bytes:
    """The ATR a PC/SC reader builds for a contactless storage card (PC/SC part 3).

    ``3B 8F 80 01`` + ``80 4F 0C`` + RID ``A0 00 00 03 06`` + standard (03: ISO 14443 A part 3)
    + card name (00 03: MIFARE Ultralight, which readers also say of NTAG21x) + ``00 00 00 00``
    + TCK.
    """
    historical = (
        bytes.fromhex("804F0CA000000306") + bytes([standard]) + card_name.to_bytes(2, "big")
    ) + bytes(4)
    return contactless_atr(historical)


class VirtualCard:
    """An NFC Forum Type 4 tag on vpcd; insert with :meth:`insert`, remove with :meth:`remove`.

    ``uid``: what GET DATA UID answers. ``ndef_message``: the content of the NDEF file after
    its 2-byte NLEN. ``mle``/``mlc``: the maximum R-APDU / C-APDU data sizes written in the
    capability container (the default 59 is a real DESFire's and makes a grant take several
    reads). ``ndef_max_size``: the NDEF file's size (NLEN included), by default enough for the
    message and at least 1 KiB; the file is padded with zeros. ``nlen``: override the NLEN
    written on the card (for a lying tag).
    """

    def __init__(
        self,
        uid: bytes,
        ndef_message: bytes,
        *,
        host: str = VPCD_HOST,
        port: int = VPCD_PORT,
        atr: bytes | None = None,
        mle: int = 0x3B,
        mlc: int = 0x34,
        ndef_max_size: int | None = None,
        nlen: int | None = None,
        ndef_app: bool = True,
        cc: bytes | None = None,
        remove_on: Callable[[bytes], bool] | None = None,
        respond: Callable[[bytes, bytes], bytes] | None = None,
    ) -> None:
        self.uid = uid
        self.ndef_message = ndef_message
        self.host = host
        self.port = port
        self.atr = atr if atr is not None else contactless_atr()
        self.mle = mle
        self.ndef_app = ndef_app
        self.remove_on = remove_on
        self.respond = respond
        size = ndef_max_size if ndef_max_size is not None else max(len(ndef_message) + 2, 1024)
        self.ndef_file = struct.pack(">H", len(ndef_message) if nlen is None else nlen)
        self.ndef_file += ndef_message + bytes(max(0, size - 2 - len(ndef_message)))
        self.cc = (
            cc
            if cc is not None
            else capability_container(mle=mle, mlc=mlc, ndef_max_size=len(self.ndef_file))
        )
        self.seen_apdus: list[bytes] = []
        """Every command APDU received, in order (across insertions)."""
        self.seen_controls: list[int] = []
        """Every control code received (0 off, 1 on, 2 reset, 4 ATR), in order."""
        self.accepted = threading.Event()
        """Set once vpcd has spoken to the card since the last insertion (pcscd polls it)."""
        self.removed_itself = threading.Event()
        """Set when the card left on its own (``remove_on`` matched) or vpcd hung up."""
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._app_selected = False
        self._selected: bytes | None = None

    @property
    def reader_name(self) -> str:
        """The PC/SC reader this card is inserted into."""
        return reader_name(self.port)

    @property
    def inserted(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- insertion and removal ----------------------------------------------------------------

    def insert(self, timeout: float = 5.0) -> VirtualCard:
        """Put the card on the reader: connect to vpcd (retrying until ``timeout``)."""
        if self.inserted:
            raise RuntimeError("card already inserted")
        self._join()
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
                break
            except OSError as exc:
                if time.monotonic() >= deadline:
                    raise ConnectionError(
                        f"cannot reach vpcd on {self.host}:{self.port} ({exc}): is pcscd running "
                        "with the vpcd driver? (bash federation_tests/door/setup.sh)"
                    ) from exc
                time.sleep(0.05)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.removed_itself.clear()
        self.accepted.clear()
        self._app_selected = False
        self._selected = None
        self._sock = sock
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), name=f"vcard-{self.uid.hex()}", daemon=True
        )
        self._thread.start()
        return self

    tap = insert

    def remove(self) -> None:
        """Take the card off the reader: disconnect from vpcd. Idempotent."""
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._join()

    def _join(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)

    def __enter__(self) -> VirtualCard:
        return self.insert()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()

    # --- the vpcd conversation ----------------------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                message = _recv_message(sock)
                if message is None:
                    break
                self.accepted.set()
                if len(message) == 1:
                    self.seen_controls.append(message[0])
                    if message[0] == _CTRL_ATR:
                        _send_message(sock, self.atr)
                    elif message[0] in (_CTRL_OFF, _CTRL_RESET):
                        self._app_selected = False
                        self._selected = None
                    continue
                self.seen_apdus.append(message)
                if self.remove_on is not None and self.remove_on(message):
                    break
                _send_message(sock, self.answer(message))
        except OSError:
            pass
        finally:
            with self._lock:
                mine = self._sock is sock
                if mine:
                    self._sock = None
            if mine:  # left on its own (or vpcd went away), not through remove()
                self.removed_itself.set()
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    # --- the card's logic ---------------------------------------------------------------------

    def _files(self) -> dict[bytes, bytes]:
        ndef_id = self.cc[9:11] if len(self.cc) >= 11 else NDEF_FILE_ID.to_bytes(2, "big")
        return {CC_FILE_ID.to_bytes(2, "big"): self.cc, ndef_id: self.ndef_file}

    def answer(self, apdu: bytes) -> bytes:
        """The response to `apdu`, through the `respond` hook if any (what vpcd receives)."""
        response = self.process_apdu(apdu)
        return self.respond(apdu, response) if self.respond is not None else response

    def process_apdu(self, apdu: bytes) -> bytes:
        """The response APDU (data + SW1 SW2) to one command APDU (short APDUs only)."""
        if len(apdu) < 4:
            return SW_WRONG_LENGTH
        cla, ins, p1, p2 = apdu[:4]
        parsed = _parse_body(apdu[4:])
        if parsed is None:
            return SW_WRONG_LENGTH
        data, le = parsed
        if cla == 0xFF:
            if ins != 0xCA:
                return SW_INS_NOT_SUPPORTED
            if p1 != 0x00 or p2 != 0x00:
                return SW_FUNC_NOT_SUPPORTED
            if le is not None and le != 256 and le < len(self.uid):
                return bytes([0x6C, len(self.uid)])
            return self.uid + SW_OK
        if cla != 0x00:
            return SW_CLA_NOT_SUPPORTED
        if ins == 0xA4:
            return self._select(p1, p2, data)
        if ins == 0xB0:
            return self._read_binary(p1, p2, le)
        if ins == 0xD6:
            return SW_SECURITY
        return SW_INS_NOT_SUPPORTED

    def _select(self, p1: int, p2: int, data: bytes) -> bytes:
        if p1 == 0x04:  # by DF name (AID)
            if p2 != 0x00:
                return SW_WRONG_P1P2
            if data != NDEF_AID or not self.ndef_app:
                return SW_NOT_FOUND
            self._app_selected = True
            self._selected = None
            return SW_OK
        if p1 == 0x00:  # by file id: P2 0C (mapping 2.0, no FCI) or 00 (mapping 1.0)
            if p2 not in (0x00, 0x0C):
                return SW_WRONG_P1P2
            if len(data) != 2:
                return SW_WRONG_LENGTH
            if not self._app_selected or data not in self._files():
                return SW_NOT_FOUND
            self._selected = data
            return SW_OK
        return SW_WRONG_P1P2

    def _read_binary(self, p1: int, p2: int, le: int | None) -> bytes:
        if self._selected is None:
            return SW_NO_CURRENT_EF
        if p1 & 0x80:
            return SW_WRONG_P1P2
        if le is None:
            return SW_WRONG_LENGTH
        # The CC is read before MLe is known; the NDEF file respects MLe.
        limit = 256 if self._selected == CC_FILE_ID.to_bytes(2, "big") else self.mle
        if le > limit:
            return SW_WRONG_LENGTH
        content = self._files()[self._selected]
        offset = (p1 << 8) | p2
        if offset >= len(content):
            return SW_WRONG_OFFSET
        return content[offset : offset + le] + SW_OK


def _parse_body(body: bytes) -> tuple[bytes, int | None] | None:
    """(data, Le) of a short APDU's body; Le 0 means 256; None if malformed."""
    if not body:
        return b"", None
    if len(body) == 1:
        return b"", body[0] or 256
    lc = body[0]
    if lc == 0:
        return None
    if len(body) == 1 + lc:
        return body[1:], None
    if len(body) == 2 + lc:
        return body[1 : 1 + lc], body[-1] or 256
    return None


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        _quickack(sock)
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


def _quickack(sock: socket.socket) -> None:
    # vpcd writes a message's length and its bytes in two writes: with Nagle on its side and a
    # delayed ACK on ours, each APDU would take 40 ms. Linux clears TCP_QUICKACK after use.
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


def _recv_message(sock: socket.socket) -> bytes | None:
    header = _recv_exact(sock, 2)
    if header is None:
        return None
    (length,) = struct.unpack(">H", header)
    return _recv_exact(sock, length)


def _send_message(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">H", len(payload)) + payload)


# --- NTAG215 (NFC Forum Type 2) ---------------------------------------------------------------

NTAG215_ATR = storage_card_atr()
NTAG215_PAGES = 135  # 0-2 UID and static lock, 3 CC, 4-129 user memory, 130-134 lock and config
NTAG215_USER_BYTES = 504
NTAG215_CC = bytes.fromhex("E1103E00")  # mapping 1.0, 0x3E * 8 = 496 bytes, free read/write
SW_OPERATION_FAILED = b"\x63\x00"


def type2_tlvs(message: bytes, before: bytes = b"") -> bytes:
    """Data area bytes as a card-writing app leaves them: `before`, NDEF TLV, terminator."""
    if len(message) < 0xFF:
        length = bytes([len(message)])
    else:
        length = b"\xff" + struct.pack(">H", len(message))
    return before + b"\x03" + length + message + b"\xfe"


class VirtualNtag215(VirtualCard):
    """An NTAG215 (7-byte UID) holding ``ndef_message`` in its user memory, behind a PC/SC reader.

    ``before``: TLVs written ahead of the NDEF TLV (a Lock Control TLV, NULL padding).
    ``user_memory``: the 504 bytes of pages 4..129 exactly as given (a corrupt or blank card).
    ``cc``: page 3. Other arguments as for `VirtualCard` (the ATR defaults to `NTAG215_ATR`).
    """

    def __init__(
        self,
        uid: bytes,
        ndef_message: bytes,
        *,
        before: bytes = b"",
        user_memory: bytes | None = None,
        cc: bytes = NTAG215_CC,
        atr: bytes | None = None,
        host: str = VPCD_HOST,
        port: int = VPCD_PORT,
        remove_on: Callable[[bytes], bool] | None = None,
        respond: Callable[[bytes, bytes], bytes] | None = None,
    ) -> None:
        super().__init__(
            uid, ndef_message, host=host, port=port, atr=NTAG215_ATR if atr is None else atr,
            ndef_app=False, remove_on=remove_on, respond=respond,
        )  # fmt: skip
        if len(uid) != 7:
            raise ValueError("an NTAG215 has a 7-byte UID")
        user = type2_tlvs(ndef_message, before) if user_memory is None else user_memory
        if len(user) > NTAG215_USER_BYTES:
            raise ValueError(f"{len(user)} bytes do not fit the NTAG215's {NTAG215_USER_BYTES}")
        bcc0 = 0x88 ^ uid[0] ^ uid[1] ^ uid[2]  # cascade tag 88 enters the first check byte
        bcc1 = uid[3] ^ uid[4] ^ uid[5] ^ uid[6]
        self.memory = (
            uid[:3] + bytes([bcc0]) + uid[3:] + bytes([bcc1, 0x48, 0x00, 0x00]) + cc[:4]
            + user + bytes(NTAG215_USER_BYTES - len(user))
            + bytes.fromhex("000000BD 040000FF 00050000 FFFFFFFF 00000000".replace(" ", ""))
        )  # fmt: skip
        assert len(self.memory) == NTAG215_PAGES * 4

    def process_apdu(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return SW_WRONG_LENGTH
        cla, ins, p1, p2 = apdu[:4]
        if cla != 0xFF:
            return SW_FUNC_NOT_SUPPORTED  # no ISO 14443-4 layer behind this reader
        if ins == 0xCA:
            return super().process_apdu(apdu)
        if ins != 0xB0:
            return SW_INS_NOT_SUPPORTED
        parsed = _parse_body(apdu[4:])
        if parsed is None or parsed[1] is None or parsed[1] > 16:
            return SW_WRONG_LENGTH
        page, length = (p1 << 8) | p2, parsed[1]
        if page >= NTAG215_PAGES:
            return SW_OPERATION_FAILED
        start = page * 4
        data = (self.memory[start:] + self.memory)[:length]  # the tag rolls over to page 0
        return data + SW_OK
