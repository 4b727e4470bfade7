"""`/sparql` (SPARQL 1.1 Protocol, read-only, with a time limit) and the open-data exports.

The node answers network-wide questions from its own copy: it follows the places it cares
about, keeps their public objects, and queries them here. No central index.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from typing import Any
from urllib.parse import parse_qs

from pyparsing import ParseException
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vocab.context import DOCUMENT_CONTEXT

from ..actors.routes import node_of
from ..config import tuning
from ..incoming import read_bounded
from ..tables import public_graph as graph_table
from .graph import PREFIXES, PublicGraph, QueryTimeout, public_graph

MAX_QUERY = 20_000  # characters: a query longer than that is not a question, it is an attack
# Bytes of a POSTed query, refused with 413 while reading: a form-encoded query of MAX_QUERY
# characters takes up to three bytes a character (%XX), and a little more for the field names.
MAX_QUERY_BODY = 100_000

SELECT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
}
GRAPH_TYPES = {
    "turtle": "text/turtle",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
}


def _lang(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "fr").lower().startswith("en") else "fr"


def _error(request: Request, status: int, fr: str, en: str) -> Response:
    return JSONResponse({"error": en if _lang(request) == "en" else fr}, status_code=status)


async def _query_text(request: Request) -> str | None:
    if request.method == "GET":
        return request.query_params.get("query")
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type == "application/sparql-query":
        return (await read_bounded(request, MAX_QUERY_BODY)).decode("utf-8", "replace")
    if content_type == "application/x-www-form-urlencoded":
        # Parsed here: starlette's form parser needs python-multipart for one field.
        form = parse_qs((await read_bounded(request, MAX_QUERY_BODY)).decode("utf-8", "replace"))
        return form.get("query", [None])[0]
    return None


def _select_format(request: Request) -> str:
    asked = request.query_params.get("format")
    if asked in SELECT_TYPES:
        return asked
    accept = request.headers.get("accept", "")
    for name, media in SELECT_TYPES.items():
        if media in accept:
            return name
    return "xml" if "application/xml" in accept else "json"


def _graph_format(request: Request) -> str:
    accept = request.headers.get("accept", "")
    for name, media in GRAPH_TYPES.items():
        if media in accept:
            return name
    return "turtle"


async def sparql(request: Request) -> Response:
    text = await _query_text(request)
    if not text:
        return _error(
            request, 400,
            "Donnez une requête SPARQL dans le paramètre « query » (GET ou formulaire POST) ou "
            "en corps application/sparql-query.",
            "Give a SPARQL query in the 'query' parameter (GET or POST form) or as an "
            "application/sparql-query body.",
        )  # fmt: skip
    if len(text) > MAX_QUERY:
        return _error(request, 413, "Requête trop longue.", "Query too long.")
    try:
        prepared = prepareQuery(text, initNs=PREFIXES)
    except (ParseException, ValueError, Exception) as exc:  # rdflib raises several kinds
        first = text.lstrip().split(None, 1)[0].upper() if text.strip() else ""
        if first in {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "WITH"}:
            return _error(
                request, 400,
                "Ce point d'accès est en lecture seule : seules les requêtes SELECT, ASK, "
                "CONSTRUCT et DESCRIBE sont acceptées.",
                "This endpoint is read-only: only SELECT, ASK, CONSTRUCT and DESCRIBE queries.",
            )  # fmt: skip
        return _error(
            request, 400,
            f"La requête SPARQL est mal formée : {exc}. Vérifiez la syntaxe (préfixes déjà "
            f"connus : {', '.join(PREFIXES)}).",
            f"The SPARQL query is malformed: {exc}. Check the syntax (known prefixes: "
            f"{', '.join(PREFIXES)}).",
        )  # fmt: skip
    node = node_of(request)
    public = public_graph(node.store)
    await public.refresh(node.store)
    limit = tuning("sparql_timeout", 10.0)
    select_format, graph_format = _select_format(request), _graph_format(request)
    try:
        body, media = await asyncio.to_thread(
            _run, public, prepared, limit, select_format, graph_format
        )
    except QueryTimeout:
        return _error(
            request, 503,
            f"La requête a dépassé {limit:g} secondes et a été arrêtée : ajoutez un LIMIT ou "
            "des motifs plus précis.",
            f"The query ran past {limit:g} seconds and was stopped: add a LIMIT or more "
            "specific patterns.",
        )  # fmt: skip
    return Response(body, media_type=media)


def _run(
    public: PublicGraph, prepared: Any, limit: float, select_format: str, graph_format: str
) -> tuple[bytes, str]:
    with public.lock:
        public.graph.deadline = time.monotonic() + limit
        try:
            result: Result = public.graph.query(prepared)
            if result.type in ("CONSTRUCT", "DESCRIBE"):
                assert result.graph is not None
                for prefix, iri in PREFIXES.items():
                    result.graph.bind(prefix, iri)
                serialized = result.graph.serialize(format=graph_format, encoding="utf-8")
                return serialized, f"{GRAPH_TYPES[graph_format]}; charset=utf-8"
            data = result.serialize(format=select_format, encoding="utf-8")
            assert isinstance(data, bytes)
            return data, f"{SELECT_TYPES[select_format]}; charset=utf-8"
        finally:
            public.graph.deadline = float("inf")


async def data_turtle(request: Request) -> Response:
    node = node_of(request)
    public = public_graph(node.store)
    await public.refresh(node.store)
    with public.lock:
        data = public.graph.serialize(format="turtle", encoding="utf-8")
    return Response(data, media_type="text/turtle; charset=utf-8")


async def _documents(request: Request, kind: str | None = None) -> list[dict[str, Any]]:
    node = node_of(request)
    documents = await graph_table.documents(node.store.reads, kind)
    for document in documents:
        document.pop("@context", None)
    return documents


async def data_jsonld(request: Request) -> Response:
    body = {"@context": DOCUMENT_CONTEXT, "@graph": await _documents(request)}
    return Response(json.dumps(body, ensure_ascii=False).encode(), media_type="application/ld+json")


async def data_csv(request: Request) -> Response:
    """One CSV per object type (`/data/Event.csv`): one row per object, one column per
    top-level property; nested objects are shown by their id or name."""
    kind = request.path_params["kind"]
    documents = await _documents(request, kind)
    if not documents:
        known = await graph_table.types(node_of(request).store.reads)
        return _error(
            request, 404,
            f"Aucun objet public de type « {kind} ». Types disponibles : {', '.join(known)}.",
            f"No public object of type '{kind}'. Available types: {', '.join(known)}.",
        )  # fmt: skip
    columns: list[str] = ["id"]
    for document in documents:
        columns += [k for k in document if k not in columns]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for document in documents:
        writer.writerow([_cell(document.get(c)) for c in columns])
    return Response(out.getvalue().encode(), media_type="text/csv; charset=utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " | ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("id") or value.get("name") or json.dumps(value, ensure_ascii=False))
    return str(value)


ROUTES = [
    Route("/sparql", sparql, methods=["GET", "POST"]),
    Route("/data.ttl", data_turtle),
    Route("/data.jsonld", data_jsonld),
    Route("/data/{kind}.csv", data_csv),
]
