"""The tap report: what a door tells its node about one tap, in the one form both sides use.

The door daemon (`reader/`) writes it to its queue folder and POSTs it to `/access/taps`; the
node reads it there (and `interlieux checkin` builds one in place) and records it. So the JSON is
defined here, in a module light enough for the door to import, next to the decision it reports:

    {"report_id": "<uuid>", "grant": "BIL1:…", "card_uid": "04a1…" | null, "door": "entrée",
     "decided_at": 1746091800.75, "decision": "accept" | "refuse", "reason": "ok",
     "door_key": "z6Mk…", "door_signature": "<base64url>"}

`door_key` and `door_signature`: the door's own Ed25519 key (made at its enrolment) and its
signature of the other fields (`node.access.door`), so that a report is the door's and not
only its token's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from . import grant as grants
from .decision import Decision


@dataclass(frozen=True)
class TapReport:
    report_id: str  # minted at the door: the node records each report once, however often sent
    grant: bytes
    card_uid: bytes | None  # None for a grant shown as a QR code
    door: str
    decided_at: float  # POSIX time, on the door's clock
    accepted: bool
    reason: str
    door_key: str | None = None  # multibase Ed25519 public key of the door that signed
    door_signature: str | None = None  # base64url, over `node.access.door.statement`

    @classmethod
    def of(
        cls,
        decision: Decision,
        grant: bytes,
        card_uid: bytes | None,
        door: str,
        decided_at: float,
    ) -> TapReport:
        """The report of a decision just made, under a new id."""
        return cls(
            str(uuid.uuid4()), grant, card_uid, door, decided_at, decision.accepted, decision.reason
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TapReport:
        uid = data.get("card_uid")
        return cls(
            report_id=str(data["report_id"]),
            grant=grants.from_text(str(data["grant"])),
            card_uid=bytes.fromhex(uid) if uid else None,
            door=str(data.get("door") or "porte"),
            decided_at=float(data["decided_at"]),
            accepted=data["decision"] == "accept",
            reason=str(data.get("reason", "")),
            door_key=str(data["door_key"]) if data.get("door_key") else None,
            door_signature=str(data["door_signature"]) if data.get("door_signature") else None,
        )

    def to_json(self) -> dict[str, Any]:
        found = self.unsigned_json()
        if self.door_signature is not None:
            found["door_signature"] = self.door_signature
        return found

    def unsigned_json(self) -> dict[str, Any]:
        """Every field but the signature: what the door signs."""
        found: dict[str, Any] = {
            "report_id": self.report_id,
            "grant": grants.to_text(self.grant),
            "card_uid": self.card_uid.hex() if self.card_uid else None,
            "door": self.door,
            "decided_at": self.decided_at,
            "decision": "accept" if self.accepted else "refuse",
            "reason": self.reason,
        }
        if self.door_key is not None:
            found["door_key"] = self.door_key
        return found
