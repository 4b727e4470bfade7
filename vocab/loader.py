"""pyld's JSON-LD document loader: bundled contexts, and nothing fetched.

The node reads JSON-LD with Oxigraph (`node.query.convert`); pyld, a second processor, is kept
for the tests, which check with it that the node's documents and contexts mean what they say.

A node reads documents from any server; letting pyld fetch the contexts they name would let a
peer make the node call any URL (and hang on it), and would make expansion depend on the
network. So the loader answers from `vocab/contexts/` and refuses everything else; callers
that meet an unknown context decide what to do (the query graph reads the document against
the network's own context instead).
"""

from __future__ import annotations

from typing import Any

from pyld import jsonld

from .context import bundled


class ContextRefused(jsonld.JsonLdError):  # type: ignore[misc]
    """A document names a context that is not bundled: it is never fetched."""


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
