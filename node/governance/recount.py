"""The recount of a published decision, from the signatures alone (`interlieux decision verify`).

Anyone holding the member places' actor documents checks a `Decision` the network published:
every embedded vote against its place's published key, the membership at the close, one vote
per place, no vote after the close, and the published tally and outcome against what the
signed votes give. The answer is the JSON the command prints; it is valid only when the
published tally is exactly what the signatures give.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ..errors import VoteRefused
from .decision import (
    CHOICES,
    REASONS_EN,
    REASONS_FR,
    Ballot,
    PlaceKeys,
    Proposal,
    check_vote,
    latest,
    tally,
)

# Beyond the reasons a network refuses a vote for (decision.REASONS_FR), what a recount finds.
PROBLEMS_FR = {
    **REASONS_FR,
    "duplicate": "plusieurs votes du même lieu : seul le dernier compte",
    "count_mismatch": "le décompte publié ne correspond pas aux votes signés",
    "outcome_mismatch": "le résultat publié ne correspond pas aux votes signés",
    "malformed_result": "résultat mal formé",
}
PROBLEMS_EN = {
    **REASONS_EN,
    "duplicate": "several votes from one place: only the latest counts",
    "count_mismatch": "the published tally does not match the signed votes",
    "outcome_mismatch": "the published outcome does not match the signed votes",
    "malformed_result": "malformed result",
}


def _problem(reason: str, detail: str = "", **where: str) -> dict[str, Any]:
    suffix = f" : {detail}" if detail else ""
    suffix_en = f": {detail}" if detail else ""
    return {"problem": reason, **where, "fr": f"{PROBLEMS_FR[reason]}{suffix}",
            "en": f"{PROBLEMS_EN[reason]}{suffix_en}"}  # fmt: skip


def recount(
    published_result: Any,
    keys_by_place: Mapping[str, PlaceKeys],
    membership_at_close: Collection[str],
) -> dict[str, Any]:
    """Recount a published `Decision` from the signatures alone.

    `keys_by_place`: each member place's published keys (from its actor document);
    `membership_at_close`: the member places at the close, which both callers take from the
    result's own `members`, signed by the network (nothing else knows the membership at that
    moment: the Group's members collection says today's). Valid only if every embedded vote
    holds, no place has two, and the published tally and outcome are exactly what the signed
    votes give."""
    members = frozenset(membership_at_close)
    try:
        proposal = Proposal.from_json(published_result["proposal"])
        documents = published_result["votes"]
        if not isinstance(documents, list):
            raise TypeError("votes is not a list")
        if not isinstance(published_result.get("members"), list):
            raise TypeError("members is not a list")
    except (KeyError, TypeError, ValueError) as exc:
        return {"pour": 0, "contre": 0, "abstention": 0, "outcome": "no_quorum", "valid": False,
                "problems": [_problem("malformed_result", str(exc))]}  # fmt: skip
    problems: list[dict[str, Any]] = []
    ballots: list[Ballot] = []
    for document in documents:
        place = document.get("attributedTo") if isinstance(document, dict) else None
        try:
            keys = keys_by_place.get(place, {}) if isinstance(place, str) else {}
            ballots.append(check_vote(proposal, document, keys, members))
        except VoteRefused as exc:
            vote_id = document.get("id") if isinstance(document, dict) else None
            where = {k: v for k, v in (("vote", vote_id), ("place", place)) if isinstance(v, str)}
            problems.append(_problem(exc.reason, **where))
    counted, replaced = latest(ballots)
    problems.extend(_problem("duplicate", vote=b.id, place=b.place) for b in replaced)
    recounted = tally(proposal, counted)
    for choice in CHOICES:
        stated = published_result.get(f"{choice}Count")
        if stated != getattr(recounted, choice):
            problems.append(_problem(
                "count_mismatch", f"{choice} {stated} ≠ {getattr(recounted, choice)}"
            ))  # fmt: skip
    if published_result.get("outcome") != recounted.outcome:
        problems.append(
            _problem("outcome_mismatch", f"{published_result.get('outcome')} ≠ {recounted.outcome}")
        )
    return {**recounted.to_json(), "valid": not problems, "problems": problems}
