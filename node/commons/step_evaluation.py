"""A place evaluates an improvement step on the criteria its author published (seed 001's
"évaluation collective, par les pairs", of the budget asked and the contributors mobilised).

The evaluation is a schema.org `Review` of the step: one `Rating` per criterion, from 1 to 5,
and an optional comment; only a place's team makes one, in the place's name, signed by the
place's Ed25519 key as a pledge is, and readable on Mastodon as a Note. It goes to the step's
home and the place's followers, and takes a pledge's path:

- the home checks it while the sender waits: the proof (403 when forged), the step (404 when
  it has no such step), the scores (400 unless one per criterion, 1 to 5), its own author's
  step (403: peers evaluate, not the author) and the close (403 once the step has closed);
- kept as a `step_evaluations` row at every node that checked it, and re-announced by the
  home, so that a node following only the home holds every evaluation;
- a place evaluates again with a new `Review`: the summary (`evaluation.summary`, pure) counts
  each place's latest, so every node holding the same rows shows the same averages.
"""

from __future__ import annotations

import html
import logging
import time
from typing import TYPE_CHECKING, Any

from ..activity import id_of, type_of
from ..actors.proof_keys import proof_keys
from ..agenda.handlers import refuse_if_invalid
from ..audience import is_public
from ..errors import ConfigError, ForbiddenError, InvalidActivity, NotFoundError
from ..outbox.publish import publish
from ..routing import Route
from ..sqlite import Connection
from ..tables import local_actors, step_documents, step_evaluations, steps
from ..timestamps import posix_to_wire
from . import evaluation, signed
from .evaluation import REVIEW, Evaluation
from .steps import known_step, readable

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node
    from ..store import Store

log = logging.getLogger(__name__)


def parsed(document: dict[str, Any]) -> Evaluation:
    """Raises InvalidActivity on a malformed evaluation."""
    try:
        return Evaluation.from_json(document)
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidActivity(
            f"malformed evaluation {document.get('id')}: {exc!r}",
            fr="L'évaluation est mal formée : l'étape évaluée (« itemReviewed »), une note "
            f"entière de {evaluation.WORST} à {evaluation.BEST} par critère (« reviewRating »), "
            f"un commentaire d'au plus {evaluation.MAX_COMMENT} caractères.",
            en="The evaluation is malformed: the step evaluated ('itemReviewed'), a whole "
            f"score from {evaluation.WORST} to {evaluation.BEST} per criterion ('reviewRating'), "
            f"a comment of at most {evaluation.MAX_COMMENT} characters.",
        ) from exc


async def criteria(db: Connection, step_id: str) -> tuple[str, ...]:
    """The criteria the step published (the default ones for a step without)."""
    document = await step_documents.get(db, step_id)
    try:
        return evaluation.criteria_of(document or {})
    except ConfigError:
        return evaluation.DEFAULT_CRITERIA  # a step kept before its criteria were checked


def _row(found: Evaluation) -> step_evaluations.Row:
    return (found.id, found.place, found.step, found.published, found.ratings, found.comment)


def content(name: str, found: Evaluation) -> str:
    """What a Mastodon user reads of an evaluation."""
    scores = " ; ".join(f"{c} : {s}/{evaluation.BEST}" for c, s in found.ratings)
    text = f"<p><strong>Évaluation de l'étape « {html.escape(name)} »</strong></p>"
    text += f"<p>{html.escape(scores)}</p>"
    return text + (f"<p>{html.escape(found.comment)}</p>" if found.comment else "")


async def _refusal(db: Connection, found: Evaluation, at: float) -> None:
    """What the step's home refuses, raised with its reason: no such step, the step's own
    author, a closed step, scores that do not match the criteria."""
    row = await steps.get(db, found.step)
    if row is None:
        raise NotFoundError(
            f"evaluation of {found.step}: no such step here",
            fr=f"Ce nœud ne connaît pas l'étape {found.step} : vérifiez son adresse.",
            en=f"This node does not know the step {found.step}: check its address.",
        )
    if row["author"] == found.place:
        raise ForbiddenError(
            f"{found.place} evaluates its own step",
            fr="L'évaluation est faite par les pairs : le lieu qui propose l'étape ne l'évalue "
            "pas.",
            en="Evaluation is by peers: the place that proposes the step does not evaluate it.",
        )
    if row["closes"] is not None and at > float(row["closes"]):
        raise ForbiddenError(
            f"evaluation of {found.step} after its close",
            fr=f"L'étape est close depuis le {posix_to_wire(float(row['closes']))} : elle ne "
            "reçoit plus d'évaluation.",
            en=f"The step closed on {posix_to_wire(float(row['closes']))}: it takes no more "
            "evaluations.",
        )
    problem = evaluation.rating_problem(found.ratings, await criteria(db, found.step))
    if problem is not None:
        listed = " ; ".join(f"« {c} »" for c in await criteria(db, found.step))
        raise InvalidActivity(
            problem,
            fr=f"Donnez une note entière de {evaluation.WORST} à {evaluation.BEST} à chaque "
            f"critère de l'étape, et à eux seuls : {listed}.",
            en=f"Give a whole score from {evaluation.WORST} to {evaluation.BEST} to each of "
            f"the step's criteria, and to them only: {listed}.",
        )


# --- published here ------------------------------------------------------------------------


async def _validate(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    if not await local_actors.is_place(node.store.reads, actor.id):
        raise ForbiddenError(
            f"{actor.id} is no place",
            fr="Une étape est évaluée par un lieu : c'est l'équipe du lieu qui publie "
            "l'évaluation, en son nom (« interlieux step evaluate » ou la page de l'étape).",
            en="A step is evaluated by a place: the place's team publishes the evaluation, in "
            "its name ('interlieux step evaluate' or the step's page).",
        )
    obj = activity["object"]
    refuse_if_invalid({k: v for k, v in obj.items() if k != "content"}, REVIEW)
    found = parsed(obj)
    await _refusal(node.store.reads, found, time.time())
    await signed.address_homes(node, activity, [found.step])


async def _publish(db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    obj = activity["object"]
    found = parsed(obj)
    row = await steps.get(db, found.step)
    readable(obj, REVIEW, content(str(row["name"]) if row else found.step, found))
    signed.sign(obj, actor)  # after the sentence: what is signed is what is sent
    await step_evaluations.add(db, _row(found), time.time())


# --- received -------------------------------------------------------------------------------


async def _arrived(node: Node, activity: dict[str, Any]) -> None:
    """In the inbox's request: the proof against the place's key (fetched if need be), then,
    at the step's home, what it refuses (see `_refusal`)."""
    obj, author = signed.signed_author(activity)
    await signed.announced_by_home(node.store.reads, activity, obj)
    signed.check_proof(obj, author, await proof_keys(node, obj, fetch=True))
    found = parsed(obj)
    if node.config.is_local(found.step):
        await _refusal(node.store.reads, found, time.time())


async def _received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """An evaluation, sent by its place or re-announced by the step's home: checked again
    (the backfill brings activities without the arrival check), kept, passed on by the
    home."""
    try:
        obj, author = signed.signed_author(activity)
        await signed.announced_by_home(db, activity, obj)
        signed.check_proof(obj, author, await proof_keys(node, obj, fetch=False))
        found = parsed(obj)
    except (ForbiddenError, InvalidActivity) as exc:
        log.warning("evaluation %s not kept: %s", id_of(activity.get("object")), exc.log)
        return
    new = await step_evaluations.add(db, _row(found), time.time())
    local = node.config.is_local(author)
    if new and type_of(activity) == "Create" and is_public(obj) and not local:
        await signed.announce(db, node, obj, [found.step])


async def evaluate(
    node: Node, place: LocalActor, step_id: str, scores: dict[str, int], comment: str = ""
) -> dict[str, Any]:
    """The place evaluates the step (read from its home first if this node does not hold
    it): the Review published, signed. Raises ConfigError on scores that do not fit."""
    await known_step(node, step_id)
    body = evaluation.review(step_id, scores, await criteria(node.store.reads, step_id), comment)
    return await publish(node, place, {**body, "to": [signed.PUBLIC]})


async def evaluations(store: Store, step_id: str) -> dict[str, Any]:
    """The step's evaluation summary from the rows this node holds (what `step evaluations
    --json` prints and the step's page shows)."""
    row = await steps.get(store.reads, step_id)
    closes = float(row["closes"]) if row is not None and row["closes"] is not None else None
    found = [Evaluation(*r) for r in await step_evaluations.for_step(store.reads, step_id)]
    return evaluation.summary(await criteria(store.reads, step_id), found, step_id, closes)


ACTIVITY_ROUTES = [
    Route("Create", REVIEW, on_validate=_validate, on_publish=_publish, on_receive=_received,
          on_arrival=_arrived),
    Route("Announce", REVIEW, on_receive=_received, on_arrival=_arrived),
]  # fmt: skip
