"""HTTP for the doors: their enrolment, the trust bundle they verify with, the taps they report.

A door uses a token of the place's account, best of scope `door` (`interlieux token --actor
<place> --scope door`), which opens these three routes and nothing else.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import tables, tokens
from ..actors import routes as actor_routes
from ..errors import ForbiddenError, InvalidActivity
from ..incoming import MAX_CLIENT_JSON, read_json
from ..tables.tokens import Holder
from .badge import enrol_door, record_tap, sealed_bundle
from .door import report_signed_by
from .grant import GrantError
from .tap import TapReport

MAX_ENROLMENT = 4_000  # a door's name and key: a few hundred bytes


async def _place_token(request: Request) -> None:
    """The place's team (a token of scope `all` of the place's own account)."""
    node = actor_routes.node_of(request)
    await tokens.require(
        node.store, request.headers.get("authorization"), node.config.handle,
        fr="Ce jeton n'est pas celui du lieu : créez-en un avec « interlieux token "
        f"--actor {node.config.handle} ».",
        en=f"This token is not the place's: create one with 'interlieux token --actor "
        f"{node.config.handle}'.",
    )  # fmt: skip


async def _door_token(request: Request) -> Holder:
    """Doors use a token of the place's own account, of scope `door` or `all`."""
    node = actor_routes.node_of(request)
    return await tokens.require(
        node.store, request.headers.get("authorization"), node.config.handle, use=tokens.DOOR,
        fr="Ce jeton n'est pas celui du lieu : créez-en un avec « interlieux token "
        f"--actor {node.config.handle} --scope door ».",
        en=f"This token is not the place's: create one with 'interlieux token --actor "
        f"{node.config.handle} --scope door'.",
    )  # fmt: skip


async def bundle(request: Request) -> Response:
    holder = await _door_token(request)
    node = actor_routes.node_of(request)
    answer = JSONResponse(await sealed_bundle(node))
    # The team's "last seen" of this door (/equipe/portes).
    await tables.door_contacts.bundle_served(node.store.execute, holder.token_id, time.time())
    return answer


async def enrol(request: Request) -> Response:
    """A reader's first call: its name and the public key it made; answered with the key that
    signs the place's bundles, which the reader keeps as its trust anchor."""
    holder = await _door_token(request)
    node = actor_routes.node_of(request)
    data = await read_json(request, MAX_ENROLMENT)
    if not isinstance(data, dict) or not data.get("door") or not data.get("key"):
        raise InvalidActivity(
            "enrolment without door or key",
            fr="Inscription de porte incomplète (nom ou clé) : mettez à jour le lecteur.",
            en="Incomplete door enrolment (name or key): update the reader.",
        )
    answer = await enrol_door(node, holder.token_id, str(data["door"]), str(data["key"]))
    return JSONResponse(answer)


async def taps(request: Request) -> Response:
    holder = await _door_token(request)
    node = actor_routes.node_of(request)
    data = await read_json(request, MAX_CLIENT_JSON)
    try:
        report = TapReport.from_json(data)
    except (ValueError, KeyError, TypeError, AttributeError, GrantError) as exc:
        raise InvalidActivity(
            f"unreadable tap report: {exc!r}",
            fr="Rapport de passage illisible : mettez à jour le lecteur de badges.",
            en="Unreadable tap report: update the badge reader.",
        ) from exc
    if holder.door_key is None:
        raise ForbiddenError(
            f"token {holder.token_id} has no enrolled door",
            fr="Ce jeton n'a pas de porte inscrite : relancez le lecteur, il s'inscrit à son "
            "démarrage (« interlieux reader »).",
            en="This token has no enrolled door: restart the reader, it enrols when it starts "
            "('interlieux reader').",
        )
    if not report_signed_by(report, holder.door_key) or report.door != holder.door:
        raise ForbiddenError(
            f"tap report {report.report_id} not signed by door {holder.door}'s key",
            fr="Rapport de passage refusé : il n'est pas signé par la clé du lecteur inscrit "
            "avec ce jeton.",
            en="Tap report refused: it is not signed by the key of the reader enrolled with "
            "this token.",
        )
    visit = await record_tap(node, report)
    return JSONResponse({"status": "recorded", "visit": visit}, status_code=201)


async def peers(request: Request) -> Response:
    """The places whose badges this place honours: public, so the network can be drawn."""
    node = actor_routes.node_of(request)
    if request.path_params["handle"] != node.config.handle:
        return JSONResponse({"error": "not found"}, status_code=404)
    collection_id = f"{node.config.place_id}/peers"
    reads = node.store.reads
    return await actor_routes.paged_by(
        request, collection_id,
        lambda: tables.peers.count(reads),
        lambda limit, offset: tables.peers.page(reads, limit, offset),
    )  # fmt: skip


ROUTES = [
    Route("/access/bundle", bundle),
    Route("/access/doors", enrol, methods=["POST"]),
    Route("/access/taps", taps, methods=["POST"]),
    Route("/actors/{handle}/peers", peers),
]
