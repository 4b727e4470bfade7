"""`interlieux decision verify URL`: fetch a published decision and recount it.

The result is fetched (through its proposal's `result` link when given the decision's URL),
its signature checked against the network's published key (the membership at the close it
states is the network's own, signed and dated), each member place's actor fetched for its
keys, and the votes recounted from their signatures alone (`recount.recount`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..activity import type_of
from ..errors import ConfigError, FederationError, SignatureError
from ..keys import assertion_methods
from ..ledger import proof
from ..origin import same_origin
from ..timestamps import wire_to_posix
from .decision import DECISION, PROPOSAL, PlaceKeys
from .recount import recount

Fetch = Callable[[str], Awaitable[dict[str, Any]]]

PROBLEMS_FR = {
    "result_signature": "la signature du réseau sur le résultat ne vérifie pas (résultat "
    "modifié, ou servi par un autre que le réseau)",
    "member_unreachable": "l'acteur d'un lieu membre n'a pas pu être lu : ses votes ne "
    "peuvent être vérifiés",
    "dated_before_close": "le résultat est daté d'avant la clôture",
}
PROBLEMS_EN = {
    "result_signature": "the network's signature on the result does not verify (a changed "
    "result, or one served by someone else than the network)",
    "member_unreachable": "a member place's actor could not be read: its votes cannot be checked",
    "dated_before_close": "the result is dated before the close",
}


def _problem(reason: str, **where: str) -> dict[str, Any]:
    return {"problem": reason, **where, "fr": PROBLEMS_FR[reason], "en": PROBLEMS_EN[reason]}


def _not_a_result(url: str, closed: bool) -> ConfigError:
    if not closed:
        return ConfigError(f"{url} is not closed yet",
                           fr="Cette décision n'est pas encore close : rien à recompter.",
                           en="This decision is not closed yet: nothing to recount.")  # fmt: skip
    return ConfigError(f"{url} is no decision",
                       fr=f"{url} n'est ni une décision ni une proposition d'un réseau.",
                       en=f"{url} is neither a decision nor a network's proposal.")  # fmt: skip


async def verify(fetch: Fetch, url: str) -> dict[str, Any]:
    """The JSON `decision verify` prints. Raises ConfigError or FederationError when there is
    no result to recount (not closed, not a decision, unreachable)."""
    document = await fetch(url)
    if type_of(document) == PROPOSAL:
        link = document.get("result")
        if not isinstance(link, str) or not same_origin(link, url):
            raise _not_a_result(url, closed=False)
        document = await fetch(link)
    if type_of(document) != DECISION:
        raise _not_a_result(url, closed=True)
    problems: list[dict[str, Any]] = []
    proposal = document.get("proposal")
    network = proposal.get("audience") if isinstance(proposal, dict) else None
    if not isinstance(network, str) or document.get("attributedTo") != network:
        problems.append(_problem("result_signature"))
    else:
        try:
            keys = assertion_methods(await fetch(network))
            method = proof.verify(document, keys.get)
            if method.split("#")[0] != network:
                raise SignatureError(f"{method} is not {network}'s key")
        except FederationError:
            problems.append(_problem("result_signature"))
    members = document.get("members")
    listed = [m for m in members if isinstance(m, str)] if isinstance(members, list) else []
    keys_by_place: dict[str, PlaceKeys] = {}
    for place in listed:
        try:
            keys_by_place[place] = assertion_methods(await fetch(place))
        except FederationError:
            problems.append(_problem("member_unreachable", place=place))
    try:
        closes = wire_to_posix(str(proposal.get("endTime"))) if isinstance(proposal, dict) else 0
        if wire_to_posix(str(document.get("published"))) < closes:
            problems.append(_problem("dated_before_close"))
    except ValueError:
        pass  # a malformed result: the recount says so
    report = recount(document, keys_by_place, listed)
    report["problems"] = problems + report["problems"]
    report["valid"] = not report["problems"]
    return report
