"""The contexts every document a node serves is compacted against.

The `tl:` namespace is one string for the whole network, never derived from a node's URL, so
that documents from any two places expand to the same terms.
"""

from __future__ import annotations

import json
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
# The full `tl:` context (every term the network's documents use), a data file loaded once.
TL_CONTEXT: dict[str, Any] = json.loads((CONTEXTS_DIR / "interlieux.jsonld").read_text())[
    "@context"
]
# Inline in every document, so that any JSON-LD processor expands tl: terms with no fetch.
INLINE_CONTEXT: dict[str, Any] = {**TL_CONTEXT, **_EXTENSIONS}

DOCUMENT_CONTEXT: list[Any] = [AS, SECURITY, MULTIKEY, INLINE_CONTEXT]
