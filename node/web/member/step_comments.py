"""`/moi/etapes/commenter`: a member comments on an improvement step in their own name, from
the step's page, through their outbox as their other posts (`/moi/publier`): the same rate
limit, the same checks, the Note addressed to the step's home and public."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...actors import local
from ...actors.routes import node_of
from ...commons import comments
from ...errors import InterlieuxError
from ...people import accounts
from ..gate import member_form, refused, requires
from ..steps import again, back


@requires(accounts.MEMBER)
async def comment(request: Request) -> Response:
    try:
        member, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    step_id = form.get("step", "").strip()
    try:
        actor = await local.by_handle(node.store, member.handle)
        node.throttles.outbox(f"session:{member.session.id}", actor.handle)
        await comments.comment(node, actor, step_id, form.get("text", ""))
    except InterlieuxError as error:
        return await again(request, step_id, error, form)
    return back(request, step_id, "commentaire")


ROUTES = [Route("/moi/etapes/commenter", comment, methods=["POST"])]
