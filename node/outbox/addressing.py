"""Who an activity goes to (pure): recipients expanded to inboxes, shared inboxes coalesced."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from vocab.context import PUBLIC_FORMS

from ..actors.remote import RemoteActor


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
    refs = [r for r in addressed if r not in PUBLIC_FORMS and r != own_followers]
    if own_followers in addressed:
        refs += list(followers)
    seen: list[str] = []
    for ref in refs:
        if not is_local(ref) and ref not in seen:
            seen.append(ref)
    return seen


def delivery_targets(
    addressed: Iterable[str],
    sender: str,
    own_followers: str,
    followers: Iterable[str],
    remote: Mapping[str, RemoteActor],
    is_local_actor: Callable[[str], bool],
) -> Targets:
    """Expand `to`/`cc`/`bto`/`bcc`/`audience` into inboxes.

    Public is nobody in particular; our followers collection is each follower; a remote actor
    is its shared inbox when it has one (one POST per server, however many followers there);
    an unknown reference (another server's collection, an actor we could not fetch) is skipped.
    """
    addressed = list(addressed)
    expanded: list[str] = []
    for ref in addressed:
        if ref in PUBLIC_FORMS:
            continue
        if ref == own_followers:
            expanded.extend(followers)
        else:
            expanded.append(ref)
    inboxes: list[str] = []
    local: list[str] = []
    for ref in expanded:
        if ref == sender:
            continue
        if is_local_actor(ref):
            if ref not in local:
                local.append(ref)
        elif ref in remote:
            inbox = remote[ref].delivery_inbox
            if inbox not in inboxes:
                inboxes.append(inbox)
    return Targets(tuple(inboxes), tuple(local))
