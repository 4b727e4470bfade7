"""Projects members carry, validated by the place before they are published.

A member submits a project (title, description, link): it waits (`pending`) until the place's
team accepts it — then the member publishes it, as a `Create` of a `tl:Project` from their own
outbox (the client-to-server path: minted ids, the routing table's checks and effects, the
durable delivery queue), and its title joins the `projects` field of their profile (what the
résidentothèque and `tl:carries` show) — or refuses it with a reason the member reads.

Accepting records the project's new state, the activity and its deliveries in one transaction:
a project is published exactly when its row says so, and two team members accepting at once
publish it once.

Accepting is the only way a member's `tl:Project` comes out: the client-to-server outbox
(`POST /actors/<member>/outbox` with a bearer token) refuses a member's `Create` of one, and an
`Update` that would make or change one (`refuse_unvalidated`), which would otherwise publish it
unvalidated. The place's own actor is not held to it: its team is the one that validates.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from vocab.context import PUBLIC, TL

from ..activity import id_of, type_of
from ..actors import local
from ..bounds import check_bounds
from ..errors import ForbiddenError, InvalidParameter, NotFoundError, too_long
from ..outbox.publish import normalize, prepare, record
from ..store import Store
from ..tables import objects, profile_fields
from ..tables import projects as projects_table
from . import place, residents

if TYPE_CHECKING:
    from sqlite3 import Row

    from ..actors.local import LocalActor
    from ..context import Node

MAX_TITLE = 200  # characters
MAX_DESCRIPTION = 5000  # characters: a few paragraphs
MAX_LINK = 500  # characters of the project's address
MAX_WAITING = 10  # projects one member may have waiting at once: the team's queue stays short
QUEUE = 200  # projects the team's page lists at once, oldest first


@dataclass(frozen=True)
class Project:
    id: int
    handle: str
    title: str
    description: str
    link: str
    state: str  # pending | published | refused
    reason: str
    object_id: str | None
    created_at: float
    decided_at: float | None


def _project(row: Row) -> Project:
    return Project(
        id=row["id"], handle=row["handle"], title=row["title"],
        description=row["description"], link=row["link"], state=row["state"],
        reason=row["reason"], object_id=row["object_id"], created_at=row["created_at"],
        decided_at=row["decided_at"],
    )  # fmt: skip


def check(title: str, description: str, link: str) -> tuple[str, str, str]:
    """The project's fields as kept, or InvalidParameter saying what to change (pure)."""
    title, description, link = title.strip(), description.strip(), link.strip()
    if not title:
        raise InvalidParameter(
            "project without a title",
            fr="Donnez un titre au projet.",
            en="Give the project a title.",
        )
    if len(title) > MAX_TITLE:
        raise too_long(MAX_TITLE, "Le titre", "The title")
    if len(description) > MAX_DESCRIPTION:
        raise too_long(MAX_DESCRIPTION, "La description", "The description", feminine=True)
    if link:
        parts = urlsplit(link)
        if parts.scheme not in ("https", "http") or not parts.hostname or len(link) > MAX_LINK:
            raise InvalidParameter(
                "project link is not a web address",
                fr="Le lien doit être une adresse web complète, par exemple "
                "https://mon-projet.fr (ou laissez-le vide).",
                en="The link must be a full web address, for example https://my-project.org "
                "(or leave it empty).",
            )
    return title, description, link


async def submit(store: Store, handle: str, title: str, description: str, link: str) -> int:
    """A member's project, waiting for the place's team; its number."""
    title, description, link = check(title, description, link)
    async with store.write() as db:
        mine = await projects_table.of_member(db, handle)
        if sum(p["state"] == "pending" for p in mine) >= MAX_WAITING:
            raise InvalidParameter(
                "too many projects waiting",
                fr=f"Vous avez déjà {MAX_WAITING} projets en attente : attendez que l'équipe "
                "du lieu les examine.",
                en=f"You already have {MAX_WAITING} projects waiting: wait until the place's "
                "team has looked at them.",
            )
        return await projects_table.submit(db, handle, title, description, link)


async def of_member(store: Store, handle: str) -> list[Project]:
    return [_project(r) for r in await projects_table.of_member(store.reads, handle)]


async def waiting(store: Store) -> list[Project]:
    """The projects the team has to look at, oldest first."""
    return [_project(r) for r in await projects_table.pending(store.reads, QUEUE)]


def document(project: Project) -> dict[str, object]:
    """The `tl:Project` the member publishes (pure): its description as HTML paragraphs, as
    ActivityStreams `content` is HTML."""
    paragraphs = [p.strip() for p in project.description.split("\n\n") if p.strip()]
    found: dict[str, object] = {"type": "Project", "name": project.title, "to": [PUBLIC]}
    if paragraphs:
        found["content"] = "".join(
            "<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs
        )
    if project.link:
        found["url"] = project.link
    return found


def no_longer_waiting(project_id: int) -> NotFoundError:
    return NotFoundError(
        f"project {project_id} is not pending",
        fr="Ce projet n'attend plus de décision (un·e autre membre de l'équipe l'a déjà "
        "traité) : rien n'a été changé.",
        en="This project no longer waits for a decision (another team member handled it): "
        "nothing was changed.",
    )


async def _pending(store: Store, project_id: int) -> Project:
    row = await projects_table.find(store.reads, project_id)
    if row is None or row["state"] != "pending":
        raise no_longer_waiting(project_id)
    return _project(row)


async def accept(node: Node, project_id: int, decided_by: str) -> str:
    """The team accepts the project: the member publishes it; returns the object's id."""
    project = await _pending(node.store, project_id)
    actor = await local.by_handle(node.store, project.handle)
    body = document(project)
    check_bounds(body)
    # The steps of `publish_outgoing`, with the project's row in the same transaction.
    activity = normalize(body, actor.id, node.config.base_url)
    await node.routing.validate(node, actor, activity)
    out = await prepare(node, actor, activity)
    object_id = str(out.activity["object"]["id"])
    public_changed = False
    async with node.store.write() as db:
        if not await projects_table.publish(db, project_id, object_id, decided_by):
            raise no_longer_waiting(project_id)
        await node.routing.published(db, node, actor, out.activity)
        await record(db, out)
        # The profile's `projects` (tl:carries): the titles the member carries; public
        # unless the member chose otherwise for the field.
        rows = {r["field"]: r for r in await profile_fields.of(db, actor.handle)}
        kept = rows.get("projects")
        titles = json.loads(kept["value"]) if kept else []
        visibility = kept["visibility"] if kept else "public"
        if project.title not in titles:
            await residents.set_field(
                db, actor.handle, "projects", [*titles, project.title], visibility
            )
            public_changed = visibility == "public"
        await residents.publish_profile(db, node, actor)
    if public_changed:
        await place.announce_change(node, actor)
    return object_id


async def refuse(node: Node, project_id: int, reason: str, decided_by: str) -> None:
    """The team refuses the project; the member reads why on their projects page."""
    reason = reason.strip()
    if not reason:
        raise InvalidParameter(
            "refusal without a reason",
            fr="Dites au membre pourquoi le projet est refusé (il lira ce motif).",
            en="Tell the member why the project is refused (they will read this reason).",
        )
    if len(reason) > MAX_DESCRIPTION:
        raise too_long(MAX_DESCRIPTION, "Le motif", "The reason")
    async with node.store.write() as db:
        if not await projects_table.refuse(db, project_id, reason, decided_by):
            raise no_longer_waiting(project_id)


# --- only through the team: a member's client does not publish a project -------------------

# The spellings of tl:Project a client may write (the node's context is applied, the client's
# own is dropped: `outbox.publish.normalize`).
PROJECT_TYPES = frozenset({"Project", "tl:Project", f"{TL}Project"})


def is_project(value: Any) -> bool:
    """Whether a document is a tl:Project, whichever of its types says so (pure): a type list
    `["Note", "Project"]` is one too, for the graph that reads every type."""
    kinds = value.get("type") if isinstance(value, dict) else None
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and k in PROJECT_TYPES for k in kinds)


def through_validation() -> ForbiddenError:
    return ForbiddenError(
        "a member's project is published by the team's acceptance only",
        fr="Un projet passe par la validation de l'équipe : proposez-le depuis /moi/projets.",
        en="A project goes through the team's validation: submit it from /moi/projets.",
    )


async def refuse_unvalidated(node: Node, actor: LocalActor, document: Any) -> None:
    """ForbiddenError (403) when a member's client posts to their outbox a `Create` of a
    tl:Project, or an `Update` that makes one or changes one (a validated project rewritten
    afterwards); anything else, and the place's own actor, goes on to `publish`."""
    if actor.handle == node.config.handle:
        return
    activity = normalize(document, actor.id, node.config.base_url)  # refused as publish would
    kind, obj = type_of(activity), activity.get("object")
    if kind == "Create" and is_project(obj):
        raise through_validation()
    if kind == "Update" and isinstance(obj, dict):
        stored = await objects.local(node.store.reads, id_of(obj))
        if is_project(obj) or (stored is not None and is_project({"type": stored["type"]})):
            raise through_validation()


async def pending_count(store: Store) -> int:
    return await projects_table.pending_count(store.reads)
