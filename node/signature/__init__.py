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

from ..errors import SignatureError
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
    "check_host",
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

    `url` is the absolute URL the request was sent to (our base URL and the target); `headers`
    have lower-case names. A request with `Signature-Input` is RFC 9421 (its `Signature`
    header is a dictionary, not draft-cavage's list of parameters); any other is
    draft-cavage, checked as before.
    """
    check_host(headers, url)
    if rfc9421.is_rfc9421(headers):
        return await rfc9421.verify_request(method, url, headers, body, lookup, now, max_skew)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return await cavage.verify_request(method, target, headers, body, lookup, now, max_skew)


DEFAULT_PORTS = {"http": "80", "https": "443"}


def check_host(headers: Mapping[str, str], url: str) -> None:
    """The request's `Host` must be the authority of `url`, ours. A request signed for another
    server (captured there, within its Date skew) must not be replayed here: draft-cavage signs
    the Host as sent, and RFC 9421's `@target-uri` and `@authority` are rebuilt from our URL,
    so such a request would fail, but only after a key fetch. Checked first, it costs none.
    Behind a reverse proxy, the proxy passes the client's Host through (as Mastodon needs)."""
    parts = urlsplit(url)
    sent = headers.get("host", "")
    if _authority(sent, parts.scheme) != _authority(parts.netloc, parts.scheme):
        raise SignatureError(
            f"signed for host {sent[:100]!r}, not {parts.netloc}",
            fr=f"Requête adressée à {sent[:100]!r}, pas à {parts.netloc} : refusée.",
            en=f"Request addressed to {sent[:100]!r}, not {parts.netloc}: refused.",
        )


def _authority(host: str, scheme: str) -> str:
    """`host[:port]` in lower case, without the scheme's default port."""
    host = host.strip().lower()
    default = DEFAULT_PORTS.get(scheme)
    if default and host.endswith(f":{default}") and not host.endswith("]"):
        host = host[: -len(default) - 1]
    return host
