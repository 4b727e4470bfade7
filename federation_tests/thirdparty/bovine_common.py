"""Code shared by the two scripts that run INSIDE the third-party venv.

``bovine_launcher.py`` (the server) and ``bovine_ctl.py`` (the user's client and the
admin tool) both import bovine, and bovine's JSON-LD layer needs two adjustments on a
machine without internet access. Nothing here is imported by the pytest process.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTEXTS_FILE = HERE / "jsonld_contexts.json"


def seed_jsonld_contexts() -> None:
    """Give bovine offline copies of the contexts it names in every document it sends.

    bovine's document loader (``bovine.jsonld.wrapper_with_context``) first looks in an
    in-memory ``JsonLDCache`` and, on a miss, fetches the URL; when that fails (no
    network here) it substitutes an EMPTY context and caches it in
    ``bovine_jsonld_cache.sqlite`` in the working directory. With an empty security
    context ``publicKey``/``owner`` become unknown terms and are mangled when bovine
    compacts an incoming document. Putting our term maps in the in-memory cache first
    (without writing them to disk) avoids any fetch.
    """
    import bovine.jsonld

    contexts: dict[str, object] = json.loads(CONTEXTS_FILE.read_text(encoding="utf-8"))
    for url, context in contexts.items():
        if url.startswith("_"):
            continue
        bovine.jsonld.jsonld_cache.cache[url] = context
