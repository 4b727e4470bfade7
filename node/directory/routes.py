"""The residents collection, validation by the place, and a member's own profile."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from .. import tokens
from ..actors import local
from ..actors.routes import as_response, node_of, paged_by
from ..errors import InvalidActivity
from ..incoming import MAX_CLIENT_JSON, read_json
from ..tables import residents as residents_table
from . import media, residents


async def residents_collection(request: Request) -> Response:
    node = node_of(request)
    reads = node.store.reads
    return await paged_by(
        request,
        f"{node.config.base_url}/residents",
        partial(residents_table.accepted_count, reads),
        partial(residents_table.accepted_page, reads),
    )


async def _place_team(request: Request) -> local.LocalActor:
    node = node_of(request)
    place = await local.by_handle(node.store, node.config.handle)
    await tokens.require(
        node.store, request.headers.get("authorization"), place.handle,
        fr="Seule l'équipe du lieu (jeton du lieu) peut valider un résident.",
        en="Only the place's team (the place's token) can validate a resident.",
    )  # fmt: skip
    return place


async def accept_resident(request: Request) -> Response:
    """The place's team validates a member (bearer token of the place)."""
    node = node_of(request)
    place = await _place_team(request)
    member = await local.by_handle(node.store, request.path_params["handle"])
    async with node.store.write() as db:
        await residents.accept(db, node, place, member.id)
    return JSONResponse({"resident": member.id, "state": "accepted"})


async def reject_resident(request: Request) -> Response:
    """The place's team turns a residency down (bearer token of the place); an optional
    JSON body {"reason": "…"} is sent to the member with the Reject."""
    node = node_of(request)
    place = await _place_team(request)
    member = await local.by_handle(node.store, request.path_params["handle"])
    try:
        body = await read_json(request, MAX_CLIENT_JSON)
    except InvalidActivity:
        body = {}  # the reason is optional
    reason = body.get("reason") if isinstance(body, dict) else None
    async with node.store.write() as db:
        await residents.refuse(
            db, node, place, member.id, reason if isinstance(reason, str) else ""
        )
    return JSONResponse({"resident": member.id, "state": "rejected"})


async def profile(request: Request) -> Response:
    """GET: the public profile. POST (the member's token): set fields and their visibility,
    as {"skill": {"value": ["sk:soudure"], "visibility": "public"}, …}."""
    node = node_of(request)
    member = await local.by_handle(node.store, request.path_params["handle"])
    if request.method == "GET":
        return as_response(request, await residents.public_profile(node.store, member))
    await tokens.require(
        node.store, request.headers.get("authorization"), member.handle,
        fr="Seul le membre (avec son jeton) modifie son profil.",
        en="Only the member (with their token) edits their profile.",
    )  # fmt: skip
    try:
        body = await read_json(request, MAX_CLIENT_JSON)
        assert isinstance(body, dict)
    except (InvalidActivity, AssertionError):
        raise InvalidActivity(
            "profile body is not a JSON object",
            fr='Envoyez un objet JSON, ex. {"skill": {"value": ["sk:soudure"], '
            '"visibility": "public"}}.',
            en='Send a JSON object, e.g. {"skill": {"value": ["sk:soudure"], '
            '"visibility": "public"}}.',
        ) from None
    async with node.store.write() as db:
        for field, spec in body.items():
            spec = spec if isinstance(spec, dict) else {"value": spec}
            if "value" in spec:
                await residents.set_field(
                    db, member.handle, field, spec["value"], spec.get("visibility", "private")
                )
            elif "visibility" in spec:
                await residents.set_visibility(db, member.handle, field, spec["visibility"])
        await residents.publish_profile(db, node, member)
    return as_response(request, await residents.public_profile(node.store, member))


async def media_file(request: Request) -> Response:
    """The place's images; their names are their hashes, so they never change."""
    node = node_of(request)
    name = request.path_params["name"]
    path = media.path_of(node.config.data_dir, name)
    return FileResponse(
        path,
        media_type=media.MEDIA_TYPES[name.rsplit(".", 1)[1]],
        headers={"cache-control": "public, max-age=31536000, immutable"},
    )


ROUTES = [
    Route("/media/{name}", media_file),
    Route("/residents", residents_collection),
    Route("/residents/{handle}/accept", accept_resident, methods=["POST"]),
    Route("/residents/{handle}/reject", reject_resident, methods=["POST"]),
    Route("/residents/{handle}/profile", profile, methods=["GET", "POST"]),
]
