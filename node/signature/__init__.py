"""HTTP signatures: the two schemes the fediverse speaks, and which one a request uses.

    cavage.py     draft-cavage-http-signatures-12 (`Signature: keyId=…`), what Mastodon < 4.5,
                  bovine and most servers send and expect
    rfc9421.py    RFC 9421 HTTP Message Signatures (`Signature-Input` + `Signature`), what
                  Fedify and Mastodon ≥ 4.5 send first
    keys.py       the public keys both are checked with, and the lookup they take

Incoming, `authenticate` takes either. Outgoing, a node signs with RFC 9421 first and knocks
again with draft-cavage when a server refuses it (`node/knocking.py` remembers which worked).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlsplit

from . import cavage, rfc9421
from .cavage import (
    check_request,
    digest_header,
    http_date,
    parse_signature_header,
    sign_request,
    signing_string,
    verify_request,
    verify_signature,
)
from .keys import DEFAULT_MAX_SKEW, KeyLookup, PublicKey, load_public_key, public_pem_of

__all__ = [
    "DEFAULT_MAX_SKEW",
    "KeyLookup",
    "PublicKey",
    "authenticate",
    "cavage",
    "check_request",
    "digest_header",
    "http_date",
    "load_public_key",
    "parse_signature_header",
    "public_pem_of",
    "rfc9421",
    "sign_request",
    "signing_string",
    "verify_request",
    "verify_signature",
]


async def authenticate(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    lookup: KeyLookup,
    now: datetime | None = None,
    max_skew: float = DEFAULT_MAX_SKEW,
) -> tuple[str, str]:
    """Check a signed request, whichever scheme signed it. Returns (key id, owner actor id).

    `url` is the absolute URL the request was sent to; `headers` have lower-case names. A
    request with `Signature-Input` is RFC 9421 (its `Signature` header is a dictionary, not
    draft-cavage's list of parameters); any other is draft-cavage, checked as before.
    """
    if rfc9421.is_rfc9421(headers):
        return await rfc9421.verify_request(method, url, headers, body, lookup, now, max_skew)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return await cavage.verify_request(method, target, headers, body, lookup, now, max_skew)
