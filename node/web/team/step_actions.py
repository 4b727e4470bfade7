"""The team's part in an improvement step, from the step's page: support it (or take the
support back), evaluate it on its criteria, comment on it, each in the place's name, as
`interlieux step support|evaluate|comment` do (the same domain functions, so the same
signature, checks and deliveries). Each answers with the step's page: again, with the reason,
when it was refused; else back to it with a confirmation."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...actors.routes import node_of
from ...commons import comments, step_evaluation, step_support
from ...commons import steps as steps_domain
from ...errors import InterlieuxError
from ...people import accounts
from ..gate import member_form, refused, requires
from ..steps import again, back
from .actions import place_actor


@requires(accounts.TEAM)
async def support(request: Request) -> Response:
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    step_id = form.get("step", "").strip()
    undo = bool(form.get("undo"))
    try:
        place = await place_actor(request)
        if undo:
            await step_support.withdraw(node, place, step_id)
        else:
            await step_support.support(node, place, step_id)
    except InterlieuxError as error:
        return await again(request, step_id, error, form)
    return back(request, step_id, "retrait" if undo else "soutien")


@requires(accounts.TEAM)
async def evaluate(request: Request) -> Response:
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    step_id = form.get("step", "").strip()
    try:
        await steps_domain.known_step(node, step_id)
        criteria = await step_evaluation.criteria(node.store.reads, step_id)
        # One group of choices per criterion, in the step's order: note-1, note-2…
        typed = {c: form.get(f"note-{n}", "").strip() for n, c in enumerate(criteria, start=1)}
        scores = {c: int(v) for c, v in typed.items() if v.isdigit()}
        comment = form.get("comment", "").strip()
        await step_evaluation.evaluate(node, await place_actor(request), step_id, scores, comment)
    except InterlieuxError as error:
        return await again(request, step_id, error, form)
    return back(request, step_id, "evaluation")


@requires(accounts.TEAM)
async def comment(request: Request) -> Response:
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    step_id = form.get("step", "").strip()
    try:
        await comments.comment(node, await place_actor(request), step_id, form.get("text", ""))
    except InterlieuxError as error:
        return await again(request, step_id, error, form)
    return back(request, step_id, "commentaire")


ROUTES = [
    Route("/equipe/etapes/soutenir", support, methods=["POST"]),
    Route("/equipe/etapes/evaluer", evaluate, methods=["POST"]),
    Route("/equipe/etapes/commenter", comment, methods=["POST"]),
]
