"""Which server a URL names (pure): its origin, scheme and host as RFC 6454 compares them.

Apart from `fetch`, which re-exports both, so that the pure modules that check where an id
comes from (`activity`, and through it `audience` and `tables.public`) do not import the HTTP
client, which imports the tables' owners through `knocking`.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.netloc.lower()) == (pb.scheme, pb.netloc.lower())


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"
