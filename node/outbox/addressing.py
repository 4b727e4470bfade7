"""Who an activity goes to (pure): recipients expanded to inboxes, shared inboxes coalesced."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..activity import recipients
from ..audience import is_public_address


def public_reaches_followers(activity: dict[str, Any], own_followers: str) -> dict[str, Any]:
    """A post addressed to Public goes to the sender's followers too (pure).

    Public is nobody in particular: a post addressed `"to": [Public]` alone would reach no
    inbox, while a Mastodon user who follows a place expects every public post of it. Mastodon
    addresses its public posts `cc: followers`; we add the same when the client left it out,
    to the activity and to the object a Create carries (AS2 §6.2: they share an audience). An
    audience without Public stays exactly as addressed.
    """
    parts = [activity]
    if isinstance(activity.get("object"), dict) and activity.get("type") == "Create":
        parts.append(activity["object"])
    addressed = [ref for part in parts for ref in recipients(part)]
    if own_followers in addressed or not any(map(is_public_address, addressed)):
        return activity
    result = dict(activity)
    result["cc"] = [*_as_list(activity.get("cc")), own_followers]
    if len(parts) == 2:
        result["object"] = {**parts[1], "cc": [*_as_list(parts[1].get("cc")), own_followers]}
    return result


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Targets:
    inboxes: tuple[str, ...]  # remote inboxes, one POST each
    local: tuple[str, ...]  # ids of local actors, delivered without HTTP


def remote_refs(
    addressed: Iterable[str],
    own_followers: str,
    followers: Iterable[str],
    is_local: Callable[[str], bool],
) -> list[str]:
    """The remote actor ids whose documents we need to know their inboxes."""
    addressed = list(addressed)
    refs = [r for r in addressed if not is_public_address(r) and r != own_followers]
    if own_followers in addressed:
        refs += list(followers)
    # Each once, in order (a dict: a thousand followers are not compared with each other).
    return list(dict.fromkeys(ref for ref in refs if not is_local(ref)))


def delivery_targets(
    addressed: Iterable[str],
    sender: str,
    own_followers: str,
    followers: Iterable[str],
    inbox_of: Mapping[str, str],
    is_local_actor: Callable[[str], bool],
) -> Targets:
    """Expand `to`/`cc`/`bto`/`bcc`/`audience` into inboxes.

    Public is nobody in particular; our followers collection is each follower; a remote actor
    is `inbox_of` it: its shared inbox when it has one (one POST per server, however many
    followers there); an unknown reference (another server's collection, an actor we could
    not fetch) is skipped.
    """
    addressed = list(addressed)
    expanded: list[str] = []
    for ref in addressed:
        if is_public_address(ref):
            continue
        if ref == own_followers:
            expanded.extend(followers)
        else:
            expanded.append(ref)
    # Dicts, in order: a thousand followers on fifty servers are not compared with each other.
    inboxes: dict[str, None] = {}
    local: dict[str, None] = {}
    for ref in expanded:
        if ref == sender:
            continue
        if is_local_actor(ref):
            local[ref] = None
        elif ref in inbox_of:
            inboxes[inbox_of[ref]] = None
    return Targets(tuple(inboxes), tuple(local))
