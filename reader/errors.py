"""The errors the door raises while reading a card, each with a message a place's team can act on.

    DoorError                   `log` for logs, `fr`/`en` for people, `code` for machines
    ├── ReaderUnavailable       no reader, or pcscd is not running / went away
    ├── CardRemoved             the card left the field (or stopped answering) during the read
    └── CardUnreadable          a card answered, but it holds no readable grant: neither an
                                NFC Forum Type 4 tag nor a Type 2 tag (NTAG21x), bad capability
                                container, bad TLV area, malformed NDEF, no grant record, blank
                                card, NDEF too large

pyscard's exceptions (and the NDEF decoder's NdefError) are translated at the boundary, in
`reader.card` and `reader.monitor`, with `raise ... from exc`: the original stays in
`__cause__` for the logs.
"""

from __future__ import annotations


class DoorError(Exception):
    """Base of every error the door raises on purpose."""

    code = "door-error"

    def __init__(
        self, log: str, fr: str | None = None, en: str | None = None, *, code: str | None = None
    ) -> None:
        super().__init__(log)
        self.log = log
        self.fr = fr or log
        self.en = en or log
        if code is not None:
            self.code = code

    def message(self, lang: str = "fr") -> str:
        return self.en if lang.startswith("en") else self.fr


class ReaderUnavailable(DoorError):
    """No card reader is connected, or the PC/SC service (pcscd) is not running."""

    code = "reader-unavailable"

    def __init__(self, log: str, fr: str | None = None, en: str | None = None) -> None:
        super().__init__(
            log,
            fr or "Lecteur de badge indisponible : vérifiez qu'il est branché et que pcscd tourne.",
            en or "Badge reader unavailable: check that it is plugged in and pcscd is running.",
        )


class CardRemoved(DoorError):
    """The card left the reader (or stopped answering) before the read was complete."""

    code = "card-removed"

    def __init__(self, log: str, fr: str | None = None, en: str | None = None) -> None:
        super().__init__(
            log,
            fr or "Badge retiré trop tôt : gardez-le sur le lecteur jusqu'au signal.",
            en or "Badge removed too soon: hold it on the reader until the signal.",
        )


class CardUnreadable(DoorError):
    """A card answered but holds no readable grant; `code` says why (see the constants)."""

    code = "card-unreadable"

    NO_UID = "no-uid"
    # Neither a Type 4 tag (no NDEF application) nor a Type 2 tag (no readable page 3 with the
    # E1 magic): a bank card, a MIFARE Classic, a transport pass.
    NOT_NFC_TAG = "not-nfc-tag"
    BAD_CC = "bad-capability-container"
    BAD_TLV = "bad-tlv"  # a Type 2 tag's TLV area is truncated or inconsistent
    NDEF_EMPTY = "ndef-empty"  # a blank (formatted, never written) card
    NDEF_TOO_LARGE = "ndef-too-large"
    BAD_NDEF = "bad-ndef"
    NO_GRANT = "no-grant"
    CARD_ERROR = "card-error"  # an unexpected status word or transmission error

    def __init__(
        self, log: str, fr: str | None = None, en: str | None = None, *, code: str | None = None
    ) -> None:
        code = code or self.CARD_ERROR
        # The two cases a team can fix at the desk get their own words; the rest is "damaged".
        default_fr, default_en = _UNREADABLE.get(
            code,
            (
                "Badge illisible : ce n'est pas un badge inter-lieux, ou il est abîmé.",
                "Unreadable badge: not an inter-place badge, or it is damaged.",
            ),
        )
        super().__init__(log, fr or default_fr, en or default_en, code=code)


_UNREADABLE = {
    CardUnreadable.NDEF_EMPTY: (
        "Carte vierge : écrivez-y le badge (fichier de « interlieux badge issue --out »).",
        "Blank card: write the badge on it (the file from 'interlieux badge issue --out').",
    ),
    CardUnreadable.NOT_NFC_TAG: (
        "Carte non prise en charge : il faut une carte NFC NTAG215/216 (Type 2) ou Type 4.",
        "Unsupported card: an NFC NTAG215/216 (Type 2) or Type 4 card is needed.",
    ),
}
