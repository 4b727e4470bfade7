"""Comments on an improvement step: `Note`s `inReplyTo` the step, as any fediverse reply.

A place's team comments in the place's name, a member in their own (through their outbox, as
their other posts); a Mastodon user replying to the step's Note is a comment like any other.
Each is addressed to the step's home and public, so it also reaches its author's followers.
The home keeps them all and lists them as the step's `replies` collection (AS2), oldest
first; a `Delete` of one leaves a Tombstone (`objects.py`), which no page or collection shows.
Every node shows the comments it holds: all of them at the home, the ones that reached it
elsewhere.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from ..activity import type_of
from ..errors import InvalidParameter
from ..outbox.publish import publish
from ..sqlite import Connection
from ..tables import objects
from . import signed, steps

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node

MAX_TEXT = 5_000  # characters of a comment typed in a form or a command


def as_html(text: str) -> str:
    """Plain text as HTML paragraphs, escaped (pure)."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(
        f"<p>{'<br>'.join(html.escape(line) for line in p.split(chr(10)))}</p>" for p in paragraphs
    )


def note(step_id: str, home: str, text: str) -> dict[str, Any]:
    """The comment a client posts to its outbox (pure). Raises InvalidParameter."""
    if not text.strip() or len(text) > MAX_TEXT:
        raise InvalidParameter(
            "empty or long comment",
            fr=f"Écrivez un commentaire (de 1 à {MAX_TEXT} caractères), puis envoyez de nouveau.",
            en=f"Write a comment (1 to {MAX_TEXT} characters), then send again.",
        )
    return {"type": "Note", "content": as_html(text.strip()), "inReplyTo": step_id,
            "to": [signed.PUBLIC, home]}  # fmt: skip


async def comment(node: Node, actor: LocalActor, step_id: str, text: str) -> dict[str, Any]:
    """`actor` (the place, or a member) comments on the step; the activity published. The step
    is read from its home first when this node does not hold it."""
    row = await steps.known_step(node, step_id)
    return await publish(node, actor, note(step_id, str(row["author"]), text))


async def of_step(db: Connection, step_id: str) -> list[tuple[dict[str, Any], str]]:
    """The step's public comments this node holds, oldest first: (the Note, its author)."""
    found = []
    for row in await objects.public_answers(db, [step_id]):
        document = json.loads(row["document"])
        if type_of(document) == "Note":
            found.append((document, str(row["attributed_to"] or "")))
    return found
