"""The contexts every document a node serves is compacted against.

The `tl:` namespace is one string for the whole network, never derived from a node's URL, so
that documents from any two places expand to the same terms.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

TL = "https://w3id.org/interlieux/ns#"
AS = "https://www.w3.org/ns/activitystreams"
SECURITY = "https://w3id.org/security/v1"
MULTIKEY = "https://w3id.org/security/multikey/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# Addressing to Public may use any of these forms (AS2 §5.6 and what servers send).
PUBLIC_FORMS = frozenset({PUBLIC, "as:Public", "Public"})

# Terms that Mastodon and others read but that the AS2 context does not define.
_EXTENSIONS: dict[str, Any] = {
    "tl": TL,
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "toot": "http://joinmastodon.org/ns#",
    "discoverable": "toot:discoverable",
}

CONTEXTS_DIR = Path(__file__).parent / "contexts"

# Every URL a document may name, and the bundled file that stands for it. The http forms and
# the `.jsonld` spellings are what servers actually write.
BUNDLED: dict[str, str] = {
    AS: "activitystreams.jsonld",
    "http://www.w3.org/ns/activitystreams": "activitystreams.jsonld",
    "https://www.w3.org/ns/activitystreams.jsonld": "activitystreams.jsonld",
    SECURITY: "security-v1.jsonld",
    "https://w3id.org/security/v1.jsonld": "security-v1.jsonld",
    MULTIKEY: "multikey-v1.jsonld",
    TL.rstrip("#"): "interlieux.jsonld",
    TL: "interlieux.jsonld",
}


@cache
def bundled(url: str) -> dict[str, Any]:
    """The bundled document for `url`, parsed once (KeyError if it is not bundled)."""
    name = BUNDLED.get(url.split("#")[0] if url != TL else url)
    if name is None:
        raise KeyError(url)
    document: dict[str, Any] = json.loads((CONTEXTS_DIR / name).read_text())
    return document


# The full `tl:` context (every term the network's documents use), a data file loaded once.
TL_CONTEXT: dict[str, Any] = json.loads((CONTEXTS_DIR / "interlieux.jsonld").read_text())[
    "@context"
]
# Inline in every document, so that any JSON-LD processor expands tl: terms with no fetch.
INLINE_CONTEXT: dict[str, Any] = {**TL_CONTEXT, **_EXTENSIONS}

DOCUMENT_CONTEXT: list[Any] = [AS, SECURITY, MULTIKEY, INLINE_CONTEXT]
