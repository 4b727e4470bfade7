"""Small pieces the domains' commands share: the operator's language, a typed date-time, and
publishing as the place.

Apart from `cli`, which assembles the commands, so that a domain's command module can use
them without importing `cli` (which imports every command module).
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .actors import local
from .errors import ConfigError
from .outbox.publish import publish_outgoing
from .timestamps import wire_to_datetime

if TYPE_CHECKING:
    from .context import Node


def say(args: argparse.Namespace, fr: str, en: str) -> None:
    """Print the sentence in the operator's language (`--lang en`, French otherwise)."""
    print(en if args.lang == "en" else fr)


def moment(text: str, option: str) -> datetime:
    """An ISO 8601 date-time typed after `option`, aware; one without offset is UTC."""
    try:
        return wire_to_datetime(text)
    except ValueError as exc:
        raise ConfigError(
            f"{option} {text!r} is not an ISO 8601 date-time",
            fr=f"{option} « {text} » n'est pas une date ISO 8601, par ex. "
            "2030-06-30T18:00:00+02:00.",
            en=f"{option} '{text}' is not an ISO 8601 date-time, e.g. 2030-06-30T18:00:00+02:00.",
        ) from exc


async def publish_as_place(node: Node, body: dict[str, Any]) -> dict[str, Any]:
    """Publish `body` from the place's outbox, as its team would: the activity published."""
    place = await local.by_handle(node.store, node.config.handle)
    return (await publish_outgoing(node, place, body)).activity
