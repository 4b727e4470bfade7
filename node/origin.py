"""Which server a URL names (pure): its origin, scheme and host as RFC 6454 compares them.

Apart from `fetch`, which re-exports both, so that the pure modules that check where an id
comes from (`activity`, and through it `audience` and `tables.public`) do not import the HTTP
client, which imports the tables' owners through `knocking`.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit


@lru_cache(maxsize=4096)
def _scheme_and_host(url: str) -> tuple[str, str]:
    # Cached: each received activity asks this of its actor's id several times (signer,
    # actor, attributions, ownership), and a busy inbox hears from the same actors again.
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def same_origin(a: str, b: str) -> bool:
    return _scheme_and_host(a) == _scheme_and_host(b)


def origin_of(url: str) -> str:
    scheme, host = _scheme_and_host(url)
    return f"{scheme}://{host}"
