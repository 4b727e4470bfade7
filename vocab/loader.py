"""The only JSON-LD document loader a node uses: bundled contexts, and nothing fetched.

A node reads documents from any server; letting pyld fetch the contexts they name would let a
peer make the node call any URL (and hang on it), and would make expansion depend on the
network. So the loader answers from `vocab/contexts/` and refuses everything else; callers
that meet an unknown context decide what to do (the query graph reads the document against
the network's own context instead).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from pyld import jsonld

from .context import AS, CONTEXTS_DIR, MULTIKEY, SECURITY, TL

# Every URL a document may name, and the bundled file that stands for it. The http forms
# and the `.jsonld` spellings are what servers actually write.
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


class ContextRefused(jsonld.JsonLdError):  # type: ignore[misc]
    """A document names a context that is not bundled: it is never fetched."""


@cache
def bundled(url: str) -> dict[str, Any]:
    """The bundled document for `url`, parsed once."""
    name = BUNDLED.get(url.split("#")[0] if url != TL else url)
    if name is None:
        raise KeyError(url)
    document: dict[str, Any] = json.loads((CONTEXTS_DIR / name).read_text())
    return document


def load_document(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's loader interface: serve a bundled context or refuse."""
    try:
        document = bundled(url)
    except KeyError:
        raise ContextRefused(
            f"context {url} is not bundled and is never fetched",
            "jsonld.LoadDocumentError",
            code="loading remote context failed",
        ) from None
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }


def install() -> None:
    """Make `load_document` pyld's loader for the whole process (idempotent)."""
    jsonld.set_document_loader(load_document)


install()
