"""HTTP Signatures (draft-cavage-http-signatures-12), as most of the fediverse still uses them.

Pure functions: building and checking take values and return values; the key lookup is a
parameter. What is enforced, and which attack each rule stops:

- the signed headers include `(request-target)` (else a signature is replayable on another
  path), `host` (on another server), `date` (forever) and, with a body, `digest` (with
  another body);
- `Digest: SHA-256=` matches the body;
- `Date` is within `max_skew` of our clock (Mastodon allows one hour): an old captured request
  is refused, and a replay inside the window is caught by the inbox's activity-id check;
- the algorithm is taken from the key, never from the header (the header's `algorithm` is only
  checked to be one we accept), so a forged `algorithm` cannot downgrade the check.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from ..errors import SignatureError
from .keys import DEFAULT_MAX_SKEW, KeyLookup, PublicKey, public_pem_of

ACCEPTED_ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})


@dataclass(frozen=True)
class SignatureParams:
    key_id: str
    algorithm: str
    headers: tuple[str, ...]
    signature: bytes
    created: int | None = None
    expires: int | None = None


def http_date(moment: datetime | None = None) -> str:
    return format_datetime(moment or datetime.now(UTC), usegmt=True)


def digest_header(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def parse_signature_header(value: str) -> SignatureParams:
    """Parse `keyId="…",algorithm="…",headers="…",signature="…"` (also `Signature …` form)."""
    if value.lower().startswith("signature "):
        value = value[len("signature ") :]
    fields: dict[str, str] = {}
    rest = value.strip()
    while rest:
        name, sep, rest = rest.partition("=")
        if not sep:
            raise SignatureError(f"malformed Signature header near {name!r}")
        name = name.strip().lower()
        rest = rest.lstrip()
        if rest.startswith('"'):
            end = rest.find('"', 1)
            if end < 0:
                raise SignatureError("malformed Signature header: unterminated quote")
            fields[name] = rest[1:end]
            rest = rest[end + 1 :].lstrip()
        else:
            raw, _, rest = rest.partition(",")
            fields[name] = raw.strip()
            rest = "," + rest if rest else ""
        if rest.startswith(","):
            rest = rest[1:].lstrip()
        elif rest:
            raise SignatureError("malformed Signature header: expected ','")
    for required in ("keyid", "signature"):
        if required not in fields:
            raise SignatureError(f"Signature header has no {required}")
    algorithm = fields.get("algorithm", "hs2019").lower()
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise SignatureError(f"signature algorithm {algorithm!r} is not accepted")
    try:
        signature = base64.b64decode(fields["signature"], validate=True)
    except ValueError as exc:
        raise SignatureError("signature is not base64") from exc
    # Per the draft, a missing `headers` means just `(created)`; the fediverse never sends
    # that, and we require more anyway, so the default only serves the error message.
    headers = tuple(fields.get("headers", "(created)").lower().split())
    return SignatureParams(
        key_id=fields["keyid"],
        algorithm=algorithm,
        headers=headers,
        signature=signature,
        created=_int_or_none(fields.get("created")),
        expires=_int_or_none(fields.get("expires")),
    )


def signing_string(
    params_headers: tuple[str, ...],
    method: str,
    target: str,
    headers: Mapping[str, str],
    created: int | None = None,
    expires: int | None = None,
) -> str:
    """The text that is signed: one `name: value` line per listed header."""
    lines = []
    for name in params_headers:
        if name == "(request-target)":
            value = f"{method.lower()} {target}"
        elif name == "(created)":
            if created is None:
                raise SignatureError("(created) is signed but the header has no created")
            value = str(created)
        elif name == "(expires)":
            if expires is None:
                raise SignatureError("(expires) is signed but the header has no expires")
            value = str(expires)
        else:
            found = headers.get(name)
            if found is None:
                raise SignatureError(f"signed header {name!r} is missing from the request")
            value = found.strip()
        lines.append(f"{name}: {value}")
    return "\n".join(lines)


def sign_request(
    method: str,
    url: str,
    key_id: str,
    private_key: rsa.RSAPrivateKey,
    body: bytes | None = None,
    extra_headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """Headers to send with a request so that Mastodon and Interlieux nodes accept it."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    headers = {"host": parts.netloc, "date": http_date(now)}
    if extra_headers:
        headers.update({k.lower(): v for k, v in extra_headers.items()})
    signed = ["(request-target)", "host", "date"]
    if body is not None:
        headers["digest"] = digest_header(body)
        signed.append("digest")
        if "content-type" in headers:
            signed.append("content-type")
    text = signing_string(tuple(signed), method, target, headers)
    signature = private_key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(signed)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return headers


def check_request(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes | None,
    now: datetime,
    max_skew: float = DEFAULT_MAX_SKEW,
) -> tuple[SignatureParams, str]:
    """Everything that can be checked before knowing the key. Returns params and signed text.

    `headers` must be a case-insensitive mapping (lower-case names).
    """
    raw = headers.get("signature")
    if raw is None:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("signature "):
            raw = auth
    if not raw:
        raise SignatureError("request is not signed (no Signature header)")
    params = parse_signature_header(raw)
    required = ["(request-target)", "host", "date"]
    if body:
        required.append("digest")
    missing = [h for h in required if h not in params.headers]
    if missing:
        raise SignatureError(f"signature does not cover {', '.join(missing)}")
    date_value = headers.get("date")
    try:
        sent = parsedate_to_datetime(date_value or "")
    except (TypeError, ValueError) as exc:
        raise SignatureError(f"unreadable Date header {date_value!r}") from exc
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    skew = abs((now - sent).total_seconds())
    if skew > max_skew:
        raise SignatureError(f"Date is {int(skew)} s away from our clock (max {int(max_skew)})")
    if params.expires is not None and params.expires < now.timestamp():
        raise SignatureError("signature has expired")
    if body:
        check_digest(headers.get("digest"), body)
    text = signing_string(params.headers, method, target, headers, params.created, params.expires)
    return params, text


def check_digest(value: str | None, body: bytes) -> None:
    if not value:
        raise SignatureError("request has a body but no Digest header")
    expected = hashlib.sha256(body).digest()
    for part in value.split(","):
        algo, _, encoded = part.strip().partition("=")
        if algo.lower() == "sha-256":
            try:
                given = base64.b64decode(encoded, validate=True)
            except ValueError as exc:
                raise SignatureError("Digest is not base64") from exc
            if given != expected:
                raise SignatureError("Digest does not match the body")
            return
    raise SignatureError("Digest has no SHA-256 value")


def verify_signature(params: SignatureParams, text: str, key: PublicKey) -> None:
    """Verify with the algorithm that the key's type dictates."""
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(params.signature, text.encode(), padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(params.signature, text.encode())
        else:  # pragma: no cover - load_public_key only returns the two above
            raise SignatureError("unsupported key type")
    except InvalidSignature as exc:
        raise SignatureError("signature does not verify") from exc


async def verify_request(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes | None,
    lookup: KeyLookup,
    now: datetime | None = None,
    max_skew: float = DEFAULT_MAX_SKEW,
) -> tuple[str, str]:
    """Check a signed request. Returns (key id, owner actor id).

    A failure with the cached key is retried once with a fresh copy: the sender may have
    rotated its key since we cached it.
    """
    params, text = check_request(method, target, headers, body, now or datetime.now(UTC), max_skew)
    owner, key = await lookup(params.key_id, False)
    try:
        verify_signature(params, text, key)
    except SignatureError:
        owner, fresh = await lookup(params.key_id, True)
        if public_pem_of(fresh) == public_pem_of(key):
            raise
        verify_signature(params, text, fresh)
    return params.key_id, owner


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise SignatureError(f"not a number: {value!r}") from exc
