"""Surveys across places: publishing one, answering one, taking the answers at the author.

An answer is taken when it reaches the author's inbox (the route's `on_arrival`, as a
network takes a vote): an answer or an edit after the close, or from a place the survey does
not ask, is refused with its reason (4xx), which the answering team reads at once
(`governance.sending.send_now`). What is taken replaces the place's earlier answer, and the
public aggregate (`SurveyResults`) is put in the knowledge graph in the same transaction.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..activity import id_of, recipients
from ..actors import local
from ..errors import ConfigError, ForbiddenError, NotFoundError
from ..governance.network import hosted_group
from ..governance.sending import Answer, send_now
from ..outbox.publish import publish
from ..query import graph
from ..routing import Route
from ..sqlite import Connection
from ..tables import follows, network_members, networks, survey_answers, surveys
from ..timestamps import posix_to_wire, wire_to_posix
from . import surveys as domain

if TYPE_CHECKING:
    from ..context import Node

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def results_id(survey_id: str) -> str:
    """The public aggregate's address: /surveys/<the survey object's last segment>/results."""
    base, _, tail = survey_id.rpartition("/objects/")
    return f"{base}/surveys/{tail}/results"


def unknown(survey_id: str) -> NotFoundError:
    return NotFoundError(
        f"no survey {survey_id} here",
        fr=f"Aucune enquête connue à l'adresse {survey_id} (reçue par ce lieu ou publiée ici).",
        en=f"No survey known at {survey_id} (received by this place or published here).",
    )


async def survey_of(db: Connection, survey_id: str) -> tuple[domain.Survey, bool]:
    """(the survey, hosted here) as kept here; NotFoundError else."""
    row = await surveys.find(db, survey_id)
    if row is None:
        raise unknown(survey_id)
    return domain.Survey.from_json(json.loads(row["document"])), bool(row["hosted"])


# --- publishing ----------------------------------------------------------------------------


async def author_actor(node: Node, network: str | None) -> local.LocalActor:
    """The place, or the network hosted here (its handle or id) that asks."""
    if not network:
        return await local.by_handle(node.store, node.config.handle)
    return await hosted_group(node.store.reads, node, network)


async def create(
    node: Node, author: local.LocalActor, kind: str, title: str, text: str,
    answered_by: str, questions: Sequence[domain.Question], closes: float | None,
) -> str:  # fmt: skip
    """Publish a survey (Create, public, to the members or the followers); its id."""
    now = time.time()
    is_network = await networks.find(node.store.reads, author.id) is not None
    if answered_by == "members" and not is_network:
        raise ConfigError(
            "only a network's survey is answered by members",
            fr="Seule une enquête d'un réseau (--network) est posée à ses lieux membres ; "
            "celle d'un lieu est posée aux lieux qui le suivent (--answered-by followers).",
            en="Only a network's survey (--network) is put to its member places; a place's "
            "goes to the places following it (--answered-by followers).",
        )
    survey = domain.new_survey("pending", author.id, kind, title, text, answered_by,
                               questions, closes, now)  # fmt: skip
    document = survey.to_json()
    del document["id"]
    to = [PUBLIC, author.followers]
    if answered_by == "members":
        to += await network_members.members(node.store.reads, author.id)
    activity = await publish(node, author, {"type": "Create", "object": document, "to": to})
    return str(activity["object"]["id"])


async def add_items(node: Node, survey_id: str, items: Sequence[domain.Question]) -> int:
    """A census grows: new items (usage questions) appended, sent as an Update of the
    survey to the same audience; places answer them from then on. Only a census: a needs
    survey's questions stay what its answers were given to. The number of items added."""
    survey, hosted = await survey_of(node.store.reads, survey_id)
    if not hosted or survey.kind != "census":
        raise ConfigError(
            f"{survey_id} is no census published here",
            fr="Seul un recensement publié ici s'enrichit de nouveaux communs.",
            en="Only a census published here takes new commons items.",
        )
    known = {q.key for q in survey.questions}
    added = [q for q in items if q.key not in known]
    if not added:
        return 0
    grown = domain.new_survey(survey.id, survey.author, survey.kind, survey.title, survey.text,
                              survey.answered_by, [*survey.questions, *added], None,
                              survey.published)  # fmt: skip
    row = await surveys.find(node.store.reads, survey_id)
    assert row is not None
    to = json.loads(row["document"]).get("to", [PUBLIC])
    author = await local.by_id(node.store, survey.author)
    if author is None:
        raise unknown(survey_id)
    await publish(node, author, {"type": "Update", "object": grown.to_json(to), "to": to})
    return len(added)


async def _published_survey(
    db: Connection, node: Node, actor: local.LocalActor, activity: dict[str, Any]
) -> None:
    survey = domain.Survey.from_json(activity["object"])
    await surveys.keep(db, activity["object"], actor.id, survey.kind, survey.closes, True,
                       time.time())  # fmt: skip


async def _received_survey(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """A survey our place is asked: addressed to it, or from an author it follows; or a
    census we were asked, grown by its author (an Update)."""
    obj = activity.get("object")
    author = id_of(activity.get("actor"))
    if not isinstance(obj, dict) or not author or node.config.is_local(author):
        return
    asked = node.config.place_id in recipients(activity) or bool(
        await follows.accepted_follow_id(db, node.config.place_id, author)
    )
    if activity.get("type") == "Update":
        asked = await surveys.find(db, str(obj.get("id"))) is not None
    try:
        survey = domain.Survey.from_json(obj)
    except (KeyError, TypeError, ValueError, ConfigError):
        return
    if asked and survey.author == author:
        await surveys.keep(db, obj, author, survey.kind, survey.closes, False, time.time())


# --- answering (the answering place's side) -------------------------------------------------


async def own_answer(node: Node, survey_id: str) -> dict[str, Any] | None:
    row = await survey_answers.own_of(node.store.reads, survey_id, node.config.place_id)
    return json.loads(row["document"]) if row else None


async def prefilled(node: Node, survey: domain.Survey) -> dict[str, Any]:
    """The form's values before anything is typed (domain.prefill)."""
    history = [json.loads(r["document"])
               for r in await survey_answers.own_history(node.store.reads, node.config.place_id)
               if r["survey"] != survey.id]  # fmt: skip
    return domain.prefill(survey, history, await own_answer(node, survey.id))


async def answer(node: Node, survey_id: str, values: Mapping[str, Any]) -> Answer:
    """Our place's answer, or its edit (an Update of the same Answer), sent to the survey's
    author at once. Raises ConfigError when the author refused it, with its reason."""
    place = await local.by_handle(node.store, node.config.handle)
    survey, _ = await survey_of(node.store.reads, survey_id)
    now = time.time()
    before = await own_answer(node, survey_id)
    answer_id = (before or {}).get("id") or f"{node.config.base_url}/objects/{uuid.uuid4()}"
    document = domain.answer(answer_id, place.id, survey, values, now,
                             public=survey.kind == "census")  # fmt: skip
    kind = "Create"
    if before is not None:
        kind = "Update"
        document["published"] = before.get("published", document["published"])
        document["updated"] = posix_to_wire(now)
    activity = {
        "id": f"{node.config.base_url}/activities/{uuid.uuid4()}", "type": kind,
        "actor": place.id, "object": document, "to": document["to"],
        "published": posix_to_wire(now),
    }  # fmt: skip
    if survey.author == place.id:
        # The place answers its own survey: no delivery reaches our own inbox, so it is
        # taken here as its arrival would be (refused the same way after the close).
        await _answer_arrived(node, activity)
    sent = await send_now(node, place, activity)
    if sent.refused:
        raise ConfigError(
            f"the survey's author refused the answer: {sent.status} {sent.error}",
            fr=f"L'auteur de l'enquête a refusé la réponse ({sent.status}) : {_french(sent.error)}",
            en=f"The survey's author refused the answer ({sent.status}): {sent.error}",
        )
    # As published: an edit's object is our stored copy, dated by the publishing path.
    document = activity["object"]
    async with node.store.write() as db:
        await survey_answers.take(db, answer_id, survey.id, place.id, json.dumps(document),
                                  now, True, now)  # fmt: skip
    return sent


def _french(error: str) -> str:
    """The author's reason (its node answers in English), in French when it is known."""
    if "closed at" in error:
        return "l'enquête est close : elle ne prend plus de réponse ni de modification."
    if "not asked" in error:
        return "ce lieu n'est pas de ceux à qui l'enquête est posée."
    return error


# --- taking answers (the author's side) ----------------------------------------------------


async def asked(db: Connection, survey: domain.Survey, place: str) -> bool:
    """Whether the survey asks `place`: a member of the network, or a follower of the
    author (the author itself answers its own survey too)."""
    if place == survey.author:
        return True
    if survey.answered_by == "members":
        return place in await network_members.members(db, survey.author)
    return await follows.accepted_follow_id(db, place, survey.author) is not None


async def taken_answers(db: Connection, survey: domain.Survey) -> dict[str, domain.Taken]:
    """Each place's latest answer, as taken (the author's side)."""
    found = []
    for row in await survey_answers.of_survey(db, survey.id):
        try:
            taken = domain.receive_answer(survey, json.loads(row["document"]), True,
                                          survey.published)  # fmt: skip
        except (ConfigError, ForbiddenError, ValueError):
            continue  # an answer to questions the survey no longer asks
        found.append((str(row["place"]), float(row["published"]), taken))
    return domain.latest_by_place(found)


async def results(db: Connection, survey: domain.Survey) -> domain.Results:
    return domain.aggregate(survey, await taken_answers(db, survey))


async def _answer_arrived(node: Node, activity: dict[str, Any]) -> None:
    """An answer or its edit reaches the author: taken now, or refused with the reason."""
    obj = activity.get("object")
    if not isinstance(obj, dict):
        return
    survey_id = id_of(obj.get("inReplyTo"))
    row = await surveys.find(node.store.reads, survey_id) if survey_id else None
    if row is None or not row["hosted"]:
        return  # a public census answer reaching a follower: the core keeps its copy
    survey = domain.Survey.from_json(json.loads(row["document"]))
    place = str(id_of(activity["actor"]))
    if obj.get("attributedTo") != place:
        raise domain.not_asked(place)
    async with node.store.write() as db:
        now = time.time()
        taken = domain.receive_answer(survey, obj, await asked(db, survey, place), now)
        before = await survey_answers.find(db, taken.id)
        if before is not None and before["place"] != place:
            raise domain.not_asked(place)
        published = obj.get("updated") or obj.get("published")
        try:
            moment = wire_to_posix(str(published))
        except ValueError:
            moment = now
        await survey_answers.take(db, taken.id, survey.id, place, json.dumps(obj), moment,
                                  place == node.config.place_id, now)  # fmt: skip
        aggregate = await results(db, survey)
        document = domain.results_json(aggregate, results_id(survey.id), now)
        await graph.sync(db, document["id"], document, local=True)


ACTIVITY_ROUTES = [
    Route("Create", domain.SURVEY, on_publish=_published_survey, on_receive=_received_survey),
    Route("Update", domain.SURVEY, on_publish=_published_survey, on_receive=_received_survey),
    Route("Create", domain.ANSWER, on_arrival=_answer_arrived),
    Route("Update", domain.ANSWER, on_arrival=_answer_arrived),
]
