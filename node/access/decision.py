"""The door's decision (pure): a grant, a card, a trust bundle, a time -> accept or refuse.

The same function decides at a reader offline, in `interlieux checkin`, and when a node checks
a tap report; so a door and its node never disagree on what a grant means.

The bundle travels sealed (`seal`, `unseal`): its JSON text signed with the place's Ed25519
key, which the door learnt when it was enrolled. A door takes no bundle whose signature fails
(whoever sits between it and its node cannot add an issuer or drop a revocation), and decides
from none older than its maximum (`max_age`): a door cut off from its node for days would
otherwise go on honouring revoked grants.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from ..errors import InterlieuxError
from ..multibase import ed25519_from_multibase, ed25519_to_multibase
from .grant import REASONS_EN, REASONS_FR, Grant, GrantError, card_hash, check_signature, read

CLOCK_SKEW = 300  # a door's clock may be a few minutes off: do not refuse a fresh grant for it
# A door decides from a bundle at most this old (its node unreachable meanwhile): past it,
# revocations it has not heard of may be honoured. `interlieux reader --max-bundle-age`.
MAX_BUNDLE_AGE = 72 * 3600


@dataclass(frozen=True)
class TrustBundle:
    """What a door needs to decide offline, refreshed from its node."""

    place: str  # the deciding place's actor id
    issuers: dict[str, dict[bytes, ed25519.Ed25519PublicKey]]  # issuer -> kid -> key
    revoked: frozenset[tuple[str, str]] = frozenset()  # (issuer, grant id)
    generated_at: float = 0.0
    refresh_seconds: float = 20.0
    names: dict[str, str] = field(default_factory=dict)
    # Crédit Inter-Lieux: issuer -> account -> (remaining, overdraft) in cents, as the selling
    # place last announced; and what a visit costs here for each issuer's members, in cents.
    credit: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    rates: dict[str, int] = field(default_factory=dict)
    # The deciding place's door policy (`node.access.policy`): refuse a grant shown without
    # its card (a QR code alone).
    card_required: bool = False
    # The policy's exception to `stale_bundle`: the place's own members still get in at its
    # doors from a bundle past its age (their grants are checked with the place's own keys).
    stale_own_members: bool = False
    # The place's enrolled doors: name -> Ed25519 public key (multibase), for its peers.
    doors: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "generated_at": self.generated_at,
            "refresh_seconds": self.refresh_seconds,
            "issuers": {
                issuer: {
                    "name": self.names.get(issuer, ""),
                    "keys": {kid.hex(): ed25519_to_multibase(key) for kid, key in keys.items()},
                }
                for issuer, keys in self.issuers.items()
            },
            "revoked": sorted([issuer, gid] for issuer, gid in self.revoked),
            "credit": {
                issuer: {name: list(values) for name, values in accounts.items()}
                for issuer, accounts in self.credit.items()
            },
            "rates": self.rates,
            "card_required": self.card_required,
            "stale_own_members": self.stale_own_members,
            "doors": self.doors,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrustBundle:
        issuers: dict[str, dict[bytes, ed25519.Ed25519PublicKey]] = {}
        for issuer, entry in data["issuers"].items():
            keys: dict[bytes, ed25519.Ed25519PublicKey] = {}
            for kid, encoded in entry["keys"].items():
                key = ed25519_from_multibase(encoded)
                if key is not None:
                    keys[bytes.fromhex(kid)] = key
            issuers[issuer] = keys
        return cls(
            place=data["place"],
            issuers=issuers,
            revoked=frozenset((i, g) for i, g in data.get("revoked", [])),
            generated_at=float(data.get("generated_at", 0)),
            refresh_seconds=float(data.get("refresh_seconds", 20)),
            names={i: e.get("name", "") for i, e in data["issuers"].items()},
            credit={
                issuer: {name: (int(v[0]), int(v[1])) for name, v in accounts.items()}
                for issuer, accounts in data.get("credit", {}).items()
            },
            rates={issuer: int(cents) for issuer, cents in data.get("rates", {}).items()},
            # A bundle from a node older than the policy: no rule, as that node applied.
            card_required=bool(data.get("card_required", False)),
            stale_own_members=bool(data.get("stale_own_members", False)),
            doors={str(name): str(key) for name, key in data.get("doors", {}).items()},
        )

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)


@dataclass(frozen=True)
class Decision:
    accepted: bool
    reason: str  # "ok" or the refusal's reason word
    grant: Grant | None = None
    card_checked: bool = False

    def to_json(self, lang: str = "fr") -> dict[str, Any]:
        messages = REASONS_EN if lang.startswith("en") else REASONS_FR
        result: dict[str, Any] = {
            "decision": "accept" if self.accepted else "refuse",
            "reason": self.reason,
            "message": messages.get(self.reason, "Bienvenue !" if lang == "fr" else "Welcome!"),
            "card_checked": self.card_checked,
        }
        if self.grant is not None:
            result.update(
                grant=self.grant.grant_id,
                issuer=self.grant.issuer,
                member=self.grant.member,
                expires=self.grant.expires,
            )
        return result


class BundleError(InterlieuxError):
    """A sealed bundle the door does not take: unreadable, or not signed by its place."""

    status = 400


def seal(bundle: TrustBundle, key: ed25519.Ed25519PrivateKey) -> dict[str, Any]:
    """The bundle as served: its JSON text and the place's signature of exactly that text (no
    canonical form to agree on: the door checks the bytes it received, then parses them)."""
    text = bundle.dumps()
    return {
        "bundle": text,
        "signature": base64.urlsafe_b64encode(key.sign(text.encode())).decode().rstrip("="),
        "key": ed25519_to_multibase(key.public_key()),
    }


def unseal(sealed: dict[str, Any], place_key: ed25519.Ed25519PublicKey) -> TrustBundle:
    """The bundle if `place_key` signed it (the key the door was enrolled with)."""
    try:
        text = str(sealed["bundle"])
        signature = base64.urlsafe_b64decode(str(sealed["signature"]) + "==")
        place_key.verify(signature, text.encode())
    except (KeyError, TypeError, ValueError, binascii.Error, InvalidSignature) as exc:
        raise BundleError(
            f"trust bundle signature does not verify: {exc!r}",
            fr="Paquet de confiance refusé : sa signature n'est pas celle du lieu auprès duquel "
            "ce lecteur a été inscrit. Le lecteur garde le dernier paquet valable. Si le lieu "
            "a changé de clés (« interlieux keys rotate »), inscrivez à nouveau le lecteur.",
            en="Trust bundle refused: its signature is not the place's this reader was "
            "enrolled with. The reader keeps the last valid bundle. If the place rotated its "
            "keys ('interlieux keys rotate'), enrol the reader again.",
        ) from exc
    try:
        return TrustBundle.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BundleError(
            f"unreadable trust bundle: {exc!r}",
            fr="Paquet de confiance illisible : mettez à jour le lecteur.",
            en="Unreadable trust bundle: update the reader.",
        ) from exc


def decide(
    data: bytes,
    uid: bytes | None,
    bundle: TrustBundle,
    now: float,
    max_age: float | None = None,
) -> Decision:
    """Checks in the order a door's team would want to hear them. `max_age`: at a door, how
    old a bundle may be (None where the bundle was made just now, as at the node)."""
    try:
        grant, signed, signature = read(data)
        keys = bundle.issuers.get(grant.issuer)
        if keys is None:
            return Decision(False, "unknown_issuer", grant)
        grant = check_signature(grant, signed, signature, keys)
    except GrantError as exc:
        return Decision(False, exc.reason)
    # Past its age, only the place's own grants can be judged without news from the network
    # (its own revocations came with the bundle), and only if the place chose to trust it so.
    stale = max_age is not None and now - bundle.generated_at > max_age
    if stale and not (bundle.stale_own_members and grant.issuer == bundle.place):
        return Decision(False, "stale_bundle", grant)
    if (grant.issuer, grant.grant_id) in bundle.revoked:
        return Decision(False, "revoked", grant)
    if now + CLOCK_SKEW < grant.not_before:
        return Decision(False, "not_yet_valid", grant)
    if now >= grant.expires:
        return Decision(False, "expired", grant)
    if bundle.card_required and (uid is None or grant.card_hash is None):
        # Only a card the grant is bound to proves the holder has it: a QR code alone, or a
        # grant bound to no card, proves nothing a photograph could not.
        return Decision(False, "card_required", grant)
    if grant.credit_account is not None:
        known = bundle.credit.get(grant.issuer, {}).get(grant.credit_account)
        # Unknown balance (not announced yet): accepted, the claim will settle it.
        if known is not None and known[0] - bundle.rates.get(grant.issuer, 0) < -known[1]:
            return Decision(False, "no_credit", grant)
    if uid is not None:
        if grant.card_hash is not None and card_hash(grant.grant_id, uid) != grant.card_hash:
            return Decision(False, "wrong_card", grant)
        return Decision(True, "ok", grant, card_checked=grant.card_hash is not None)
    return Decision(True, "ok", grant)
