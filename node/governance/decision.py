"""Decisions of a network, one place = one vote, that anyone can recount. Pure functions.

A network (a `Group` actor) opens a `Proposal` to its member places. Each member place votes
with a `Vote` signed with its Ed25519 key as claims are (`eddsa-jcs-2022`,
node/ledger/proof.py), and sends it to the network. At the close the network publishes a
`Decision`: the proposal, the membership at the close, every counted vote embedded, the tally
and the outcome. Anyone holding the member places' actor documents recounts it from the
signatures alone (`recount.recount`), without trusting the node that hosts the network:

    open_proposal ─► vote (each place) ─► receive_vote (network) ─► result ─► recount (anyone)

The rules, the same at the network and at every recount:
- a place's latest vote before the close counts; an earlier one is replaced;
- a vote published after the close, or from a place that is not a member, is refused;
- fewer counted votes (abstentions included) than the quorum: `no_quorum`;
- majority mode: adopted when `pour` outnumbers `contre` (a tie rejects);
- consent mode (sociocratic, as Loomio's consent proposals): adopted unless a member objects
  (`contre`) with a reason; the network refuses a reasonless objection on receipt.

Each vote signs a digest of the proposal's terms (`proposalDigest`: its close, mode, quorum,
members at the opening, text), so that a network cannot change the terms after the votes
(lower the quorum, move the close) without every vote ceasing to count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import jcs
from cryptography.hazmat.primitives.asymmetric import ed25519

from .. import multibase
from ..errors import ConfigError, SignatureError, VoteRefused
from ..ledger import proof
from ..timestamps import posix_to_wire, wire_to_posix

PROPOSAL = "Proposal"
VOTE = "Vote"
DECISION = "Decision"
KINDS = ("admit", "rule", "step")
MODES = ("consent", "majority")
CHOICES = ("pour", "contre", "abstention")
OUTCOMES = ("adopted", "rejected", "no_quorum")
DEFAULT_MODE = "majority"  # one place = one vote; consent is asked for explicitly
MAX_TITLE = 300
MAX_TEXT = 20_000
MAX_REASON = 2_000  # a reason is a paragraph, not a document

# The keys a place publishes for object signatures, by verification method id
# (what `node.keys.assertion_methods` reads from its actor document).
PlaceKeys = Mapping[str, ed25519.Ed25519PublicKey]

REASONS_FR = {
    "malformed": "vote mal formé",
    "wrong_proposal": "vote pour une autre proposition, ou pour d'autres termes de celle-ci",
    "not_member": "ce lieu n'est pas membre du réseau",
    "bad_signature": "signature du vote invalide (elle ne vérifie pas avec les clés publiées "
    "par ce lieu)",
    "after_close": "vote après la clôture",
    "no_reason": "en mode consentement, une objection doit être motivée",
}
REASONS_EN = {
    "malformed": "malformed vote",
    "wrong_proposal": "vote for another proposal, or for other terms of it",
    "not_member": "this place is not a member of the network",
    "bad_signature": "invalid vote signature (it does not verify with the place's published keys)",
    "after_close": "vote after the close",
    "no_reason": "in consent mode, an objection must give a reason",
}


def _refused(reason: str, detail: str = "") -> VoteRefused:
    suffix = f" ({detail})" if detail else ""
    return VoteRefused(
        f"vote refused: {REASONS_EN[reason]}{suffix}",
        reason=reason,
        fr=f"Vote refusé : {REASONS_FR[reason]}{suffix}.",
        en=f"Vote refused: {REASONS_EN[reason]}{suffix}.",
    )


def _bad(field: str, fr: str, en: str) -> ConfigError:
    return ConfigError(f"proposal {field}: {en}", fr=f"Proposition : {fr}.", en=f"Proposal: {en}.")


# --- proposals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """What the network puts to its members' vote. Its id is the decision's URL."""

    id: str
    network: str  # the Group actor's id
    proposer: str  # the place that proposed it
    kind: str  # admit | rule | step
    title: str
    text: str
    closes: float
    mode: str  # consent | majority
    quorum: int  # counted votes needed, abstentions included
    members: frozenset[str]  # the member places at the opening
    published: float
    subject: Any = None  # the place to admit, the rule and its value, or the step

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "id": self.id,
            "type": PROPOSAL,
            "attributedTo": self.proposer,
            "audience": self.network,
            "decisionKind": self.kind,
            "name": self.title,
            "content": self.text,
            "endTime": posix_to_wire(self.closes),
            "decisionMode": self.mode,
            "quorum": self.quorum,
            "members": sorted(self.members),
            "published": posix_to_wire(self.published),
            "to": [self.network],
        }
        if self.subject is not None:
            document["object"] = self.subject
        return document

    @classmethod
    def from_json(cls, data: Any) -> Proposal:
        """Raises ValueError, KeyError or TypeError on a malformed proposal."""
        members = data["members"]
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise ValueError("members is not a list of actor ids")
        quorum = data["quorum"]
        if isinstance(quorum, bool) or not isinstance(quorum, int):
            raise ValueError("quorum is not an integer")
        proposal = cls(
            id=_text(data["id"]),
            network=_text(data["audience"]),
            proposer=_text(data["attributedTo"]),
            kind=_text(data["decisionKind"]),
            title=_text(data["name"]),
            text=_text(data.get("content", "")),
            closes=wire_to_posix(_text(data["endTime"])),
            mode=_text(data["decisionMode"]),
            quorum=quorum,
            members=frozenset(members),
            published=wire_to_posix(_text(data["published"])),
            subject=data.get("object"),
        )
        if proposal.kind not in KINDS or proposal.mode not in MODES:
            raise ValueError("unknown decision kind or mode")
        return proposal

    @cached_property
    def digest(self) -> str:
        """What each vote signs of the terms: multibase(sha256(JCS(the proposal's terms))).
        Of the terms as read, not of the document as served: a network may serve the
        proposal with more (a context, a replies collection) without changing its terms."""
        return multibase.encode(hashlib.sha256(jcs.canonicalize(self.to_json())).digest())


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def _check_subject(kind: str, subject: Any, members: Collection[str]) -> None:
    """What an adopted decision changes must be said when it is proposed: the network applies
    it at the close with no one to ask."""
    if kind == "admit" and not (isinstance(subject, str) and subject.startswith("http")):
        raise _bad("subject", "indiquez l'adresse (https://…) du lieu à admettre",
                   "give the address (https://…) of the place to admit")  # fmt: skip
    if kind == "admit" and subject in members:
        raise _bad("subject", "ce lieu est déjà membre du réseau",
                   "this place is already a member of the network")  # fmt: skip
    if kind == "rule" and not (
        isinstance(subject, dict) and isinstance(subject.get("name"), str) and "value" in subject
    ):
        raise _bad("subject", "indiquez la règle changée et sa nouvelle valeur",
                   "give the rule changed and its new value")  # fmt: skip
    if kind == "step" and not (isinstance(subject, str) and subject.startswith("http")):
        raise _bad("subject", "indiquez l'adresse (https://…) de l'étape",
                   "give the address (https://…) of the step")  # fmt: skip


def default_quorum(members: Collection[str]) -> int:
    """A majority of the member places: fewer voters cannot decide for the network."""
    return len(members) // 2 + 1


def open_proposal(
    proposal_id: str,
    network: str,
    proposer: str,
    kind: str,
    title: str,
    text: str,
    closes: float,
    members: Collection[str],
    published: float,
    mode: str = DEFAULT_MODE,
    quorum: int | None = None,
    subject: Any = None,
) -> Proposal:
    """The proposal the network opens to `members`. Raises ConfigError, in French first."""
    if kind not in KINDS:
        raise _bad("kind", f"le type « {kind} » doit être admit, rule ou step",
                   f"the kind '{kind}' must be admit, rule or step")  # fmt: skip
    if mode not in MODES:
        raise _bad("mode", f"le mode « {mode} » doit être consent ou majority",
                   f"the mode '{mode}' must be consent or majority")  # fmt: skip
    if not title.strip() or len(title) > MAX_TITLE:
        raise _bad("title", f"le titre doit faire de 1 à {MAX_TITLE} caractères",
                   f"the title must be 1 to {MAX_TITLE} characters")  # fmt: skip
    if len(text) > MAX_TEXT:
        raise _bad("text", f"le texte doit faire au plus {MAX_TEXT} caractères",
                   f"the text must be at most {MAX_TEXT} characters")  # fmt: skip
    if closes <= published:
        raise _bad("closes", "la clôture doit être dans le futur",
                   "the close must be in the future")  # fmt: skip
    if not members:
        raise _bad("members", "le réseau n'a aucun lieu membre pour voter",
                   "the network has no member place to vote")  # fmt: skip
    _check_subject(kind, subject, members)
    # A quorum above the membership could never be met: the proposal would be decided by
    # nobody, so it is refused when it is made rather than found out at the close.
    chosen = default_quorum(members) if quorum is None else quorum
    if not 1 <= chosen <= len(members):
        raise _bad("quorum", f"le quorum doit être entre 1 et {len(members)} (le nombre de "
                   "lieux membres)", f"the quorum must be between 1 and {len(members)} "
                   "(the number of member places)")  # fmt: skip
    return Proposal(
        proposal_id, network, proposer, kind, title.strip(), text, closes, mode, chosen,
        frozenset(members), published, subject,
    )  # fmt: skip


# --- votes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ballot:
    """A vote that holds: signed by a member place, for this proposal, before the close."""

    id: str
    place: str
    proposal: str
    choice: str
    reason: str
    published: float
    digest: str  # the proposal's terms the place voted on (`Proposal.digest`)
    document: dict[str, Any]  # the signed vote, embedded as is in the result

    @property
    def objects(self) -> bool:
        """An objection in the consent sense: `contre` with a reason."""
        return self.choice == "contre" and bool(self.reason.strip())


def vote(
    vote_id: str,
    place: str,
    proposal: Proposal,
    choice: str,
    reason: str,
    published: float,
    key: ed25519.Ed25519PrivateKey,
    verification_method: str,
) -> dict[str, Any]:
    """The place's signed vote. Raises VoteRefused for what the network would refuse anyway,
    so that a place's team hears it before sending."""
    if choice not in CHOICES:
        raise _refused("malformed", f"choice {choice!r}")
    if len(reason) > MAX_REASON:
        raise _refused("malformed", f"reason > {MAX_REASON}")
    if proposal.mode == "consent" and choice == "contre" and not reason.strip():
        raise _refused("no_reason")
    if published > proposal.closes:
        raise _refused("after_close", posix_to_wire(published))
    document: dict[str, Any] = {
        "id": vote_id,
        "type": VOTE,
        "attributedTo": place,
        "inReplyTo": proposal.id,
        "proposalDigest": proposal.digest,
        "choice": choice,
        "published": posix_to_wire(published),
        "to": [proposal.network],
    }
    if reason.strip():
        document["reason"] = reason.strip()
    return proof.sign(document, key, verification_method)


def parse_vote(document: Any) -> Ballot:
    """The vote's fields, unchecked. Raises VoteRefused("malformed")."""
    try:
        reason = document.get("reason", "")
        ballot = Ballot(
            id=_text(document["id"]),
            place=_text(document["attributedTo"]),
            proposal=_text(document["inReplyTo"]),
            choice=_text(document["choice"]),
            reason=_text(reason),
            published=wire_to_posix(_text(document["published"])),
            digest=_text(document["proposalDigest"]),
            document=document,
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise _refused("malformed") from exc
    types = document.get("type")
    if VOTE not in (types if isinstance(types, list) else [types]) or ballot.choice not in CHOICES:
        raise _refused("malformed", f"choice {ballot.choice!r}")
    if len(ballot.reason) > MAX_REASON:
        raise _refused("malformed", f"reason > {MAX_REASON}")
    return ballot


def check_vote(
    proposal: Proposal, document: Any, place_keys: PlaceKeys, members: Collection[str]
) -> Ballot:
    """A vote as a recount checks it: from its signature and the membership alone.
    Raises VoteRefused with the reason word."""
    ballot = parse_vote(document)
    if ballot.proposal != proposal.id or ballot.digest != proposal.digest:
        raise _refused("wrong_proposal", ballot.proposal)
    # Membership before the signature: a recount holds only the members' keys.
    if ballot.place not in members:
        raise _refused("not_member", ballot.place)
    try:
        method = proof.verify(document, place_keys.get)
    except SignatureError as exc:
        raise _refused("bad_signature", ballot.place) from exc
    # The key must be the voting place's own: a key of another place, even a member, signs
    # only that place's votes.
    if method.split("#")[0] != ballot.place:
        raise _refused("bad_signature", ballot.place)
    if ballot.published > proposal.closes:
        raise _refused("after_close", posix_to_wire(ballot.published))
    return ballot


def receive_vote(
    proposal: Proposal,
    document: Any,
    place_keys: PlaceKeys,
    members_now: Collection[str],
    received_at: float,
) -> Ballot:
    """A vote as the network takes it on receipt. Beyond what a recount checks: the vote
    must reach the network before the close (a place cannot backdate a late vote past the
    network, only past a recount), and a consent objection must say why."""
    if received_at > proposal.closes:
        raise _refused("after_close", posix_to_wire(received_at))
    ballot = check_vote(proposal, document, place_keys, members_now)
    if proposal.mode == "consent" and ballot.choice == "contre" and not ballot.reason.strip():
        raise _refused("no_reason")
    return ballot


# --- the tally -----------------------------------------------------------------------------


def latest(ballots: Iterable[Ballot]) -> tuple[list[Ballot], list[Ballot]]:
    """(counted, replaced): the latest vote of each place, by publication then id (so that two
    votes of the same second are decided the same way everywhere), and the rest."""
    by_place: dict[str, list[Ballot]] = {}
    for ballot in ballots:
        by_place.setdefault(ballot.place, []).append(ballot)
    counted: list[Ballot] = []
    replaced: list[Ballot] = []
    for place in sorted(by_place):
        ordered = sorted(by_place[place], key=lambda b: (b.published, b.id))
        counted.append(ordered[-1])
        replaced.extend(ordered[:-1])
    return counted, replaced


@dataclass(frozen=True)
class Tally:
    pour: int
    contre: int
    abstention: int
    outcome: str

    def to_json(self) -> dict[str, Any]:
        return {"pour": self.pour, "contre": self.contre, "abstention": self.abstention,
                "outcome": self.outcome}  # fmt: skip


def tally(proposal: Proposal, counted: Collection[Ballot]) -> Tally:
    """The counts and outcome of votes already checked, one per place."""
    counts = {choice: 0 for choice in CHOICES}
    for ballot in counted:
        counts[ballot.choice] += 1
    if len(counted) < proposal.quorum:
        outcome = "no_quorum"
    elif proposal.mode == "consent":
        outcome = "rejected" if any(b.objects for b in counted) else "adopted"
    else:
        outcome = "adopted" if counts["pour"] > counts["contre"] else "rejected"
    return Tally(counts["pour"], counts["contre"], counts["abstention"], outcome)


def result(
    result_id: str,
    proposal: Proposal,
    ballots: Iterable[Ballot],
    members_at_close: Collection[str],
    published: float,
) -> dict[str, Any]:
    """The `Decision` the network publishes at the close, every counted vote embedded.
    `ballots` are those taken on receipt; a place that left before the close no longer
    counts."""
    members = frozenset(members_at_close)
    counted, _ = latest(
        b for b in ballots
        if b.place in members and b.proposal == proposal.id and b.digest == proposal.digest
        and b.published <= proposal.closes
    )  # fmt: skip
    counts = tally(proposal, counted)
    return {
        "id": result_id,
        "type": DECISION,
        "attributedTo": proposal.network,
        "proposal": proposal.to_json(),
        "members": sorted(members),
        "votes": [b.document for b in counted],
        "pourCount": counts.pour,
        "contreCount": counts.contre,
        "abstentionCount": counts.abstention,
        "outcome": counts.outcome,
        "published": posix_to_wire(published),
        "to": [proposal.network],
    }
