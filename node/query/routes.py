"""`/sparql` (SPARQL 1.1 Protocol, read-only, with a time limit) and the open-data exports.

The node answers network-wide questions from its own copy: it follows the places it cares
about, keeps their public objects, and queries them here. No central index.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vocab.context import DOCUMENT_CONTEXT

from ..actors.routes import node_of
from ..config import tuning
from ..incoming import read_bounded
from ..tables import public_graph as graph_table
from . import safety
from .client import Answer, EngineFailed, QueryTimeout, engine_for
from .prefixes import PREFIXES

MAX_QUERY = 20_000  # characters: a query longer than that is not a question, it is an attack
# Bytes of a POSTed query, refused with 413 while reading: a form-encoded query of MAX_QUERY
# characters takes up to three bytes a character (%XX), and a little more for the field names.
MAX_QUERY_BODY = 100_000
MAX_RESULT_BYTES = 5_000_000  # an answer past that is refused (413): ask with a LIMIT
EXPORT_SECONDS = 120.0  # /data.ttl of a large graph takes a while; a query does not

SELECT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = {
    "turtle": "text/turtle",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
    "n-triples": "application/n-triples",
}


def _lang(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "fr").lower().startswith("en") else "fr"


def _error(
    request: Request, status: int, fr: str, en: str, headers: dict[str, str] | None = None
) -> Response:
    body = {"error": en if _lang(request) == "en" else fr}
    return JSONResponse(body, status_code=status, headers=headers)


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
    return await ask(request, text, _select_format(request), _graph_format(request))


async def ask(request: Request, text: str, select_format: str, graph_format: str) -> Response:
    """`text` asked of the graph with the endpoint's checks and limits (read-only, no SERVICE,
    per-client and overall concurrency, time limit, result size): the results, or the error
    as JSON with its French or English message. The query page (`node.web.questions`) asks
    through here too, so that its questions count against the same limits."""
    if len(text) > MAX_QUERY:
        return _error(request, 413, "Requête trop longue.", "Query too long.")
    try:
        safety.check(text)
    except safety.Refused as refused:
        if refused.keyword == "SERVICE":
            return _error(
                request, 400,
                "SERVICE est refusé : ce point d'accès ne répond que sur les données de ce "
                "nœud, il n'interroge pas d'autres serveurs.",
                "SERVICE is refused: this endpoint answers from this node's data only and "
                "queries no other server.",
            )  # fmt: skip
        return _error(
            request, 400,
            f"{refused.keyword} est refusé : ce point d'accès est en lecture seule, seules les "
            "requêtes SELECT, ASK, CONSTRUCT et DESCRIBE sont acceptées.",
            f"{refused.keyword} is refused: this endpoint is read-only (SELECT, ASK, CONSTRUCT "
            "and DESCRIBE only).",
        )  # fmt: skip
    limit = tuning("sparql_timeout", 10.0)
    try:
        answer = await _within_limits(
            request, "ask", limit, query=text, select_format=select_format,
            graph_format=graph_format,
            max_bytes=int(tuning("sparql_max_bytes", MAX_RESULT_BYTES)),
        )  # fmt: skip
    except QueryTimeout:
        return _error(
            request, 503,
            f"La requête a dépassé {limit:g} secondes et a été arrêtée : ajoutez un LIMIT "
            "ou des motifs plus précis.",
            f"The query ran past {limit:g} seconds and was stopped: add a LIMIT or more "
            "specific patterns.",
        )  # fmt: skip
    except EngineFailed as failed:
        return _engine_error(request, failed)
    except _Busy as busy:
        return busy.response
    return Response(answer.body, media_type=answer.media)


class _Busy(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response


async def _within_limits(request: Request, op: str, timeout: float, **fields: Any) -> Answer:
    """One request to the graph engine, counted against the per-client and overall limits
    (a query and an export alike: either can keep the engine busy, or get it killed)."""
    engine = engine_for(node_of(request).store.path)
    per_client, at_once = engine.per_client, engine.at_once
    client = request.client.host if request.client else "?"
    if per_client.busy(client):
        raise _Busy(_error(
            request, 429,
            f"Vous avez déjà {per_client.limit} requêtes en cours : attendez leur réponse.",
            f"You already have {per_client.limit} queries running: wait for their answers.",
            {"retry-after": "5"},
        ))  # fmt: skip
    if at_once.busy("all"):
        raise _Busy(_error(
            request, 503,
            "Le point d'accès SPARQL est occupé : réessayez dans quelques secondes.",
            "The SPARQL endpoint is busy: try again in a few seconds.",
            {"retry-after": "5"},
        ))  # fmt: skip
    with per_client.slot(client), at_once.slot("all"):
        return await engine.request(op, timeout, **fields)


def _engine_error(request: Request, failed: EngineFailed) -> Response:
    if failed.kind == "syntax":
        return _error(
            request, 400,
            f"La requête SPARQL est mal formée : {failed.detail}. Vérifiez la syntaxe "
            f"(préfixes déjà connus : {', '.join(PREFIXES)}).",
            f"The SPARQL query is malformed: {failed.detail}. Check the syntax (known "
            f"prefixes: {', '.join(PREFIXES)}).",
        )  # fmt: skip
    if failed.kind == "too_large":
        return _error(
            request, 413,
            "La réponse dépasse la taille permise : ajoutez un LIMIT ou demandez moins de "
            "variables.",
            "The answer is larger than allowed: add a LIMIT or ask for fewer variables.",
        )  # fmt: skip
    return _error(
        request, 503,
        "Le graphe de connaissances n'a pas pu répondre : réessayez dans un instant ; si cela "
        "dure, l'administrateur du nœud trouvera la cause dans son journal.",
        "The knowledge graph could not answer: try again in a moment; if it lasts, the "
        "node's operator will find the cause in its log.",
    )  # fmt: skip


async def data_turtle(request: Request) -> Response:
    try:
        answer = await _within_limits(request, "export", EXPORT_SECONDS, graph_format="turtle")
    except (QueryTimeout, EngineFailed) as exc:
        failed = exc if isinstance(exc, EngineFailed) else EngineFailed("timeout", "")
        return _engine_error(request, failed)
    except _Busy as busy:
        return busy.response
    return Response(answer.body, media_type="text/turtle; charset=utf-8")


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
