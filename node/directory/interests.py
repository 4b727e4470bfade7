"""People interested in a project, and their introduction to each other when they agree to it.

**On the wire, interest is a `Follow` of the project.** ActivityStreams defines Follow as the
actor being "interested in any activity performed by or on the object": that is what saying
« ce projet m'intéresse » means, and a Follow has its way back (an `Undo` of it) that every
server knows. A `Like` would say that the person likes or endorses the project — another
statement, counted among its reactions, which the interested person did not make. ForgeFed
follows objects that are not actors (tickets, repositories) the same way. The Follow is

    {"type": "Follow", "actor": <member>, "to": [<the project's carrier>],
     "object": {"id": <project>, "type": "Project", "name": "…"}, "introduce": true|false}

- the object is embedded with its type, so that every node sees it follows no actor: `follows`
  records no social follow for it (no pending row, no Accept, nothing in `following`);
- it is addressed to the project's carrier alone (its `attributedTo`: a Follow goes to what it
  follows), never to Public nor to followers — who is interested is not published;
- `introduce` (`tl:introduce`, false when absent) is the opt-in: « Me présenter aux autres
  personnes intéressées », off by default;
- a new Follow replaces the previous one (that is how the opt-in changes; an older one that
  arrives late changes nothing); an `Undo` of the Follow withdraws the interest.

Both ends keep a `project_interests` row: the member's home (their interests, on
`/moi/projets`) and the project's home (who is interested). A member interested in a project
of their own place has one row for both.

**The introduction.** The project's home introduces the people who opted in to each other.
Its own members read the others from its rows, live. Each member of another place gets, at
every change of who opted in, a `Create` of an `Introduction` (a private `Note` to them alone,
`about` the project, one `Mention` per other person: their actor id as `href` — the link to
their public profile — and their name). Their home keeps the newest one for that project, only
while they are opted in, only from the project's own origin, and shows it on `/moi/projets`.
Nobody who did not opt in is ever in an introduction, nor is shown one; the project's team sees
how many are interested, and the names of those who opted in only.

A project that goes (deleted by its carrier, or the carrier's account erased) ends its
interests: the home answers each remote Follow with a `Reject` of it, as a server tells a
follower it no longer follows, and the person's home drops the row. A person erased
(`people.erasure`) is removed from every project's interests, and the others re-introduced.
"""

from __future__ import annotations

import html
import json
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..activity import id_of, on_origin, recipients, type_of
from ..actors import local
from ..actors.names import names_of
from ..audience import is_public, is_public_address
from ..errors import FetchError, ForbiddenError, InvalidParameter
from ..fetch import fetch_document
from ..outbox.publish import emit, publish
from ..routing import Route
from ..sqlite import Connection
from ..store import Store
from ..tables import objects, project_interests
from ..tables import projects as projects_table
from ..timestamps import now_to_wire, wire_to_posix
from .projects import MAX_TITLE, is_project

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node

INTRODUCTION = "Introduction"
MAX_INTRODUCED = 100  # people named in one introduction: a received object has at most 100 tags
MAX_NAME = 200  # characters of a person's name as an introduction gives it
MAX_URL = 2000  # characters of a project's address typed or passed in a link
LISTED = 200  # projects on the member's and the team's pages


@dataclass(frozen=True)
class Person:
    id: str  # their actor: the link to their public profile
    name: str


@dataclass(frozen=True)
class ProjectRef:
    """A project as the interested person's home knows it."""

    id: str
    name: str
    carrier: str  # its attributedTo
    local: bool  # a project of this node


@dataclass(frozen=True)
class Interest:
    """One of a member's interests, with whom they are introduced to (when opted in)."""

    project: str
    name: str
    introduce: bool
    local: bool
    introduced: tuple[Person, ...]


@dataclass(frozen=True)
class TeamView:
    """A published project as the team sees it: how many, and only who opted in by name."""

    id: str
    title: str
    carrier: str
    interested: int
    opted_in: tuple[Person, ...]


# --- the activities (pure) ------------------------------------------------------------------


def follow(project: ProjectRef, introduce: bool) -> dict[str, Any]:
    """The member's Follow of the project (see the module's docstring)."""
    return {
        "type": "Follow",
        "object": {"id": project.id, "type": "Project", "name": project.name},
        "introduce": introduce,
        "to": [project.carrier],
    }


def introduces(activity: dict[str, Any]) -> bool:
    """Whether a Follow of a project asks to be introduced: only an explicit true does."""
    return activity.get("introduce") is True


def to_introduce(before: frozenset[str], after: frozenset[str], changed: str) -> frozenset[str]:
    """Who hears again once `changed` said or withdrew their interest (pure): everyone opted
    in when `changed` came in or left them; `changed` alone when they stay opted in (their
    list is sent again); nobody otherwise — someone not opted in changes no one's list."""
    if (changed in before) != (changed in after):
        return after
    return after & {changed}


def introduction(
    object_id: str,
    place: str,
    project: ProjectRef,
    recipient: str,
    others: Sequence[Person],
    published: str,
) -> dict[str, Any]:
    """The Introduction sent to `recipient`: a private Note naming the `others` (pure)."""
    title = html.escape(project.name)
    if others:
        names = ", ".join(
            f'<a href="{html.escape(p.id)}">{html.escape(p.name)}</a>' for p in others
        )
        text = (f"<p>Ces personnes s'intéressent aussi au projet « {title} » et acceptent "
                f"d'être présentées : {names}.</p>")  # fmt: skip
    else:
        text = (f"<p>Personne d'autre, pour l'instant, ne s'intéresse au projet « {title} » "
                "en acceptant d'être présenté·e.</p>")  # fmt: skip
    return {
        "id": object_id,
        "type": [INTRODUCTION, "Note"],
        "attributedTo": place,
        "about": project.id,
        "name": project.name,
        "content": text,
        "mediaType": "text/html",
        "tag": [{"type": "Mention", "href": p.id, "name": p.name} for p in others],
        "to": [recipient],
        "published": published,
    }


def _web_address(value: Any) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("https", "http")


def introduced_people(document: dict[str, Any], recipient: str) -> list[Person]:
    """The people an Introduction names, for `recipient` (pure): each web address once, never
    the recipient, names cut to MAX_NAME, at most MAX_INTRODUCED."""
    tags = document.get("tag")
    found: dict[str, Person] = {}
    for tag in tags if isinstance(tags, list) else []:
        if not isinstance(tag, dict) or type_of(tag) != "Mention":
            continue
        href, name = tag.get("href"), tag.get("name")
        if not isinstance(href, str) or not _web_address(href) or href == recipient:
            continue
        if href in found:
            continue
        shown = name.strip()[:MAX_NAME] if isinstance(name, str) and name.strip() else href
        found[href] = Person(href, shown)
    return list(found.values())[:MAX_INTRODUCED]


def from_its_home(sender: str, project: str | None) -> bool:
    """Whether `sender` may introduce people for `project`: only an actor of the project's own
    origin, its home (pure) — any other server could otherwise put strangers on a member's
    page."""
    return project is not None and on_origin(project, sender)


def project_from(document: dict[str, Any], url: str) -> ProjectRef:
    """A project as its home served it, or InvalidParameter (pure): a public tl:Project,
    carried by one actor of its own origin."""
    carrier = id_of(document.get("attributedTo"))
    name = document.get("name")
    if (
        not is_project(document)
        or not is_public(document)
        or carrier is None
        or not on_origin(carrier, url)
        or not isinstance(name, str)
        or not name.strip()
    ):
        raise not_a_project(url)
    return ProjectRef(str(document["id"]), name.strip()[:MAX_TITLE], carrier, local=False)


def _when(value: Any) -> float:
    """A document's time, or now for one without a readable one."""
    try:
        return wire_to_posix(value) if isinstance(value, str) else time.time()
    except ValueError:
        return time.time()


# --- errors ---------------------------------------------------------------------------------


def not_a_project(url: str) -> InvalidParameter:
    return InvalidParameter(
        f"{url[:100]!r} is no project",
        fr="Ce projet n'a pas pu être lu chez son lieu (adresse erronée, projet retiré ou lieu "
        "injoignable) : revenez à sa page et réessayez.",
        en="This project could not be read at its place (wrong address, project removed or "
        "place unreachable): go back to its page and try again.",
    )


def own_project() -> InvalidParameter:
    return InvalidParameter(
        "one's own project",
        fr="C'est votre projet : les personnes qui s'y intéressent vous trouvent déjà.",
        en="This is your project: the people interested in it find you already.",
    )


def members_only() -> ForbiddenError:
    return ForbiddenError(
        "only a member says an interest in a project",
        fr="Seul·e un·e membre dit son intérêt pour un projet.",
        en="Only a member says an interest in a project.",
    )


# --- the project, wherever it lives -----------------------------------------------------------


async def local_project(db: Connection, project_id: str) -> ProjectRef | None:
    """One of this node's public projects, not deleted."""
    row = await objects.stored(db, project_id)
    if row is None or not row["local"]:
        return None
    document = json.loads(row["document"])
    if not is_project(document) or not is_public(document):
        return None
    carrier = id_of(document.get("attributedTo"))
    if carrier is None:
        return None
    return ProjectRef(project_id, str(document.get("name", "")), carrier, local=True)


async def project_at(node: Node, url: str) -> ProjectRef:
    """The project at `url`: read here for one of this node's, else fetched from its home
    (signed by the place, with the outgoing guard) — a link's or a form's copy is never
    trusted."""
    url = url.strip()
    if not url or len(url) > MAX_URL or urlsplit(url).scheme not in ("https", "http"):
        raise not_a_project(url)
    if node.config.is_local(url):
        found = await local_project(node.store.reads, url)
        if found is None:
            raise not_a_project(url)
        return found
    place = await local.by_handle(node.store, node.config.handle)
    try:
        document = await fetch_document(node.http, url, (place.key_id, place.keys.rsa_private))
    except FetchError as error:
        raise not_a_project(url) from error
    return project_from(document, url)


# --- the member's side: saying it, withdrawing it -------------------------------------------


async def say(node: Node, actor: LocalActor, project: ProjectRef, introduce: bool) -> None:
    """The member says their interest (or says it again, to change the opt-in)."""
    await publish(node, actor, follow(project, introduce))


async def withdraw(node: Node, actor: LocalActor, project_id: str) -> bool:
    """The member withdraws their interest: an Undo of the Follow, which the outbox sends
    where the Follow went (`outbox.completion`). False when they had none."""
    row = await project_interests.find(node.store.reads, project_id, actor.id)
    if row is None:
        return False
    await publish(node, actor, {"type": "Undo", "object": row["follow_id"]})
    return True


async def interest_of(store: Store, project_id: str, actor: str) -> Interest | None:
    row = await project_interests.find(store.reads, project_id, actor)
    return None if row is None else (await _interests(store, [row], actor))[0]


async def mine(store: Store, actor: str) -> list[Interest]:
    """The member's interests, newest first, each with whom they are introduced to."""
    return await _interests(store, await project_interests.of_actor(store.reads, actor), actor)


async def _interests(store: Store, rows: Sequence[Any], actor: str) -> list[Interest]:
    found = []
    for row in rows:
        people: list[Person] = []
        is_local = await objects.live_local_author(store.reads, row["project"]) is not None
        if row["introduce"] and is_local:
            others = [a for a in await project_interests.opted_in(store.reads, row["project"])
                      if a != actor]  # fmt: skip
            names = await names_of(store.reads, others)
            people = [Person(a, names[a]) for a in others]
        elif row["introduce"] and row["introduced"]:
            people = [Person(p["id"], p["name"]) for p in json.loads(row["introduced"])]
        found.append(Interest(row["project"], row["name"], bool(row["introduce"]), is_local,
                              tuple(people)))  # fmt: skip
    return found


async def offered(store: Store, handle: str) -> list[tuple[ProjectRef, str]]:
    """The place's published projects that another member than `handle` carries, with their
    carrier's name: what /moi/projets offers to follow."""
    rows = [r for r in await projects_table.published(store.reads, LISTED) if r["handle"] != handle]
    live = await objects.live_local_among(store.reads, [r["object_id"] for r in rows])
    found = []
    for row in rows:
        if row["object_id"] in live:
            ref = await local_project(store.reads, row["object_id"])
            if ref is not None:
                found.append(ref)
    names = await names_of(store.reads, [p.carrier for p in found])
    return [(p, names[p.carrier]) for p in found]


async def for_team(node: Node) -> list[TeamView]:
    """The place's published projects: how many people are interested in each, and the names
    of those only who agreed to be introduced."""
    reads = node.store.reads
    rows = await projects_table.published(reads, LISTED)
    live = await objects.live_local_among(reads, [r["object_id"] for r in rows])
    rows = [r for r in rows if r["object_id"] in live]
    counted = await project_interests.counts(reads, [r["object_id"] for r in rows])
    carriers = {r["handle"]: node.config.actor_id(r["handle"]) for r in rows}
    opted = [a for _, named in counted.values() for a in named]
    names = await names_of(reads, [*opted, *carriers.values()])
    views = []
    for row in rows:
        count, named = counted[row["object_id"]]
        views.append(TeamView(row["object_id"], row["title"], names[carriers[row["handle"]]],
                              count, tuple(Person(a, names[a]) for a in named)))  # fmt: skip
    return views


# --- the routes: both ends, written once -----------------------------------------------------


async def _validate(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    """A member's Follow of a project: of this node's, it must be a public one not theirs,
    and goes to its carrier; of another node's, to one actor of the project's origin (the
    carrier the page read). Never to Public nor to followers."""
    if actor.type != "Person":
        raise members_only()
    project = str(id_of(activity["object"]))
    activity["introduce"] = introduces(activity)
    if node.config.is_local(project):
        found = await local_project(node.store.reads, project)
        if found is None:
            raise not_a_project(project)
        if found.carrier == actor.id:
            raise own_project()
        name, to = found.name, [found.carrier]
    else:
        # The carrier the page read (`outbox.completion` added the project itself).
        to = [
            r for r in recipients(activity)
            if r != project and not is_public_address(r) and on_origin(r, project)
        ][:1]  # fmt: skip
        if not to:
            raise not_a_project(project)
        given = activity["object"].get("name")
        name = given.strip()[:MAX_TITLE] if isinstance(given, str) else ""
    activity["object"] = {"id": project, "type": "Project", "name": name}
    activity["to"] = to
    for field in ("cc", "bto", "bcc", "audience"):
        activity.pop(field, None)


async def _published(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    await _take(db, node, activity)


async def _received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    if not node.config.is_local(str(id_of(activity["actor"]))):  # ours: taken when published
        await _take(db, node, activity)


async def _take(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """A Follow of a project, at either end."""
    actor, obj = str(id_of(activity["actor"])), activity["object"]
    project = str(id_of(obj))
    at = _when(activity.get("published"))
    if not node.config.is_local(project):
        if node.config.is_local(actor):  # our member's own record of it
            name = obj.get("name") if isinstance(obj, dict) else None
            await project_interests.say(db, project, actor, activity["id"], introduces(activity),
                                        at, name if isinstance(name, str) else "")  # fmt: skip
        return
    found = await local_project(db, project)
    if found is None:
        # Gone, or never a project: the person's home drops it (a Reject of their Follow).
        if not node.config.is_local(actor):
            await _reject(db, node, activity["id"], actor, project)
        return
    before = frozenset(await project_interests.opted_in(db, project))
    if not await project_interests.say(db, project, actor, activity["id"], introduces(activity),
                                       at, found.name):  # fmt: skip
        return
    after = frozenset(await project_interests.opted_in(db, project))
    await _introduce(db, node, found, to_introduce(before, after, actor))


async def _introduce(db: Connection, node: Node, project: ProjectRef, whom: Iterable[str]) -> None:
    """Send each person of `whom` who is not a member here the others opted in (an
    Introduction to them alone); members here read it live."""
    remote = sorted(a for a in whom if not node.config.is_local(a))
    if not remote:
        return
    opted = await project_interests.opted_in(db, project.id)
    names = await names_of(db, opted)
    people = [Person(a, names[a]) for a in opted]
    place = await local.by_handle(node.store, node.config.handle)
    for recipient in remote:
        others = [p for p in people if p.id != recipient][:MAX_INTRODUCED]
        document = introduction(f"{node.config.base_url}/objects/{uuid.uuid4()}", place.id,
                                project, recipient, others, now_to_wire())  # fmt: skip
        await emit(db, node, place, {"type": "Create", "actor": place.id, "object": document,
                                     "to": [recipient]})  # fmt: skip


async def _reject(db: Connection, node: Node, follow_id: str, actor: str, project: str) -> None:
    place = await local.by_handle(node.store, node.config.handle)
    answer = {
        "type": "Reject",
        "actor": place.id,
        "to": [actor],
        "object": {"id": follow_id, "type": "Follow", "actor": actor, "object": project},
    }
    await emit(db, node, place, answer)  # fmt: skip


async def _undone_published(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    await _undone(db, node, activity)


async def _undone_received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    if not node.config.is_local(str(id_of(activity["actor"]))):
        await _undone(db, node, activity)


async def _undone(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """An Undo of the Follow that is still the interest kept (of an older one: nothing)."""
    actor = str(id_of(activity["actor"]))
    row = await project_interests.by_follow(db, str(id_of(activity.get("object"))))
    if row is None or row["actor"] != actor:
        return
    await _leave(db, node, row["project"], actor)


async def _leave(db: Connection, node: Node, project: str, actor: str) -> None:
    """`actor` is no longer interested: the others opted in hear it, when it changes them."""
    before = frozenset(await project_interests.opted_in(db, project))
    await project_interests.withdraw(db, project, actor)
    found = await local_project(db, project) if node.config.is_local(project) else None
    if found is not None:
        after = frozenset(await project_interests.opted_in(db, project))
        await _introduce(db, node, found, to_introduce(before, after, actor))


async def _rejected(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """The project's home ended our member's interest (the project is gone)."""
    row = await project_interests.by_follow(db, str(id_of(activity.get("object"))))
    sender = str(id_of(activity["actor"]))
    if row is None or not node.config.is_local(row["actor"]) or node.config.is_local(sender):
        return
    if on_origin(row["project"], sender):
        await project_interests.withdraw(db, row["project"], row["actor"])


async def _introduced(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """An Introduction for our members, from the project's own origin only."""
    sender, obj = str(id_of(activity["actor"])), activity["object"]
    project = id_of(obj.get("about"))
    if project is None or node.config.is_local(sender) or not from_its_home(sender, project):
        return
    at = _when(obj.get("published"))
    for recipient in recipients(obj):
        if node.config.is_local(recipient):
            people = [{"id": p.id, "name": p.name} for p in introduced_people(obj, recipient)]
            kept = json.dumps(people, ensure_ascii=False)
            await project_interests.introduced(db, project, recipient, kept, at)


async def _deleted_published(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    await project_gone(db, node, str(id_of(activity.get("object"))))


async def _deleted_received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    obj_id = id_of(activity.get("object"))
    if obj_id != id_of(activity["actor"]) and not node.config.is_local(obj_id or ""):
        await project_gone(db, node, str(obj_id))


async def project_gone(db: Connection, node: Node, project: str) -> None:
    """A project deleted: its interests end; the home tells each remote person's home (a
    Reject of their Follow)."""
    for row in await project_interests.forget_project(db, project):
        if node.config.is_local(project) and not node.config.is_local(row["actor"]):
            await _reject(db, node, row["follow_id"], row["actor"], project)


async def person_gone(db: Connection, node: Node, actor: str, projects: Iterable[str] = ()) -> None:
    """An erased person (`people.erasure`): out of every project's interests, the others
    re-introduced; and the interests in `projects`, the ones they carried, ended."""
    for row in await project_interests.of_actor(db, actor):
        await _leave(db, node, row["project"], actor)
    for project in projects:
        await project_gone(db, node, project)


ACTIVITY_ROUTES = [
    Route("Follow", "Project", on_validate=_validate, on_publish=_published,
          on_receive=_received),
    Route("Undo", on_publish=_undone_published, on_receive=_undone_received),
    Route("Reject", "Follow", on_receive=_rejected),
    Route("Create", INTRODUCTION, on_receive=_introduced),
    Route("Delete", on_publish=_deleted_published, on_receive=_deleted_received),
]  # fmt: skip
