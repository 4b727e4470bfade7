"""`/ns`: the `tl:` vocabulary, as JSON-LD for programs and as a French page for people."""

from __future__ import annotations

import html
import json
from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from vocab import skills
from vocab.context import CONTEXTS_DIR, TL, TL_CONTEXT

TERMS_FILE = CONTEXTS_DIR.parent / "terms.json"


@cache
def _terms() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(TERMS_FILE.read_text())
    return loaded


def _iri(term: str) -> str:
    definition = TL_CONTEXT.get(term)
    iri = definition.get("@id") if isinstance(definition, dict) else definition
    return str(iri).replace("tl:", TL).replace("schema:", "http://schema.org/")


def page(lang: str = "fr") -> str:
    en = lang == "en"
    terms = _terms()
    title = "Interlieux vocabulary" if en else "Vocabulaire Interlieux"
    out = [
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{title}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:0 .2em}"
        "dt{margin-top:1em;font-weight:bold}dd{margin-left:1.5em}</style></head><body>",
        f"<h1>{title}</h1>",
        "<p>"
        + (
            f"Namespace <code>{TL}</code>. Documents use the ActivityStreams and security "
            "contexts and an inline context defining these terms; the full context is served "
            "here as JSON-LD (<code>Accept: application/ld+json</code>)."
            if en
            else f"Espace de noms <code>{TL}</code>. Les documents utilisent les contextes "
            "ActivityStreams et sécurité, plus un contexte en ligne qui définit ces termes ; "
            "le contexte complet est servi ici en JSON-LD (<code>Accept: application/ld+json"
            "</code>)."
        )
        + "</p>",
    ]
    for section, heading in (
        ("classes", "Types"),
        ("properties", "Properties" if en else "Propriétés"),
        ("values", "Values" if en else "Valeurs"),
    ):
        out.append(f"<h2>{heading}</h2><dl>")
        for term, doc in terms[section].items():
            anchor = html.escape(term)
            out.append(f'<dt id="{anchor}"><code>{anchor}</code> — <code>'
                       f"{html.escape(_iri(term))}</code></dt>")  # fmt: skip
            out.append(f"<dd>{html.escape(doc['en' if en else 'fr'])}")
            if "why" in doc:
                why = "Why a new term: " if en else "Pourquoi un terme nouveau : "
                out.append(f"<br><em>{why}</em>{html.escape(doc['why'])}")
            out.append("</dd>")
        out.append("</dl>")
    out.append(f"<h2>{'Skills nomenclature' if en else 'Nomenclature des compétences'}</h2><ul>")
    for skill in skills.all_skills():
        indent = ' style="margin-left:1.5em"' if skill.broader else ""
        out.append(f"<li{indent}><code>{html.escape(skill.short)}</code> — "
                   f"{html.escape(skill.label(lang))}</li>")  # fmt: skip
    out.append("</ul></body></html>")
    return "\n".join(out)


async def ns(request: Request) -> Response:
    accept = request.headers.get("accept", "")
    if "application/ld+json" in accept or "application/json" in accept:
        return Response(
            (CONTEXTS_DIR / "interlieux.jsonld").read_bytes(), media_type="application/ld+json"
        )
    if "text/turtle" in accept:
        return Response(skills.TURTLE_FILE.read_bytes(), media_type="text/turtle")
    lang = "en" if request.headers.get("accept-language", "fr").lower().startswith("en") else "fr"
    return HTMLResponse(page(lang))


ROUTES = [Route("/ns", ns)]
