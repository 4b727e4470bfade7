"""Decisions, one place = one vote: proposals, signed votes, the tally, and the recount."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from node.errors import ConfigError, VoteRefused
from node.governance import decision
from node.governance.decision import Ballot, Proposal
from node.governance.recount import recount
from node.keys import KeyPair, assertion_methods, private_pem
from node.ledger import proof
from node.timestamps import wire_to_posix
from vocab import loader, shapes
from vocab.context import DOCUMENT_CONTEXT, TL

NO_FETCH = {"documentLoader": loader.load_document}  # bundled contexts only
A = "https://coroutine.example/actors/coroutine"
B = "https://popcafe.example/actors/popcafe"
C = "https://tiers.example/actors/tiers"
NETWORK = "https://coroutine.example/actors/bil"
OPENED = wire_to_posix("2026-03-01T09:00:00Z")
CLOSES = wire_to_posix("2026-03-15T18:00:00Z")
KEYS = {place: ed25519.Ed25519PrivateKey.generate() for place in (A, B, C)}


def _actor(place: str) -> dict[str, Any]:
    """The place's actor document as it publishes its key (FEP-521a)."""
    multibase = KeyPair("", private_pem(KEYS[place])).ed25519_multibase
    return {"id": place, "assertionMethod": [{"id": f"{place}#ed25519-key", "type": "Multikey",
            "controller": place, "publicKeyMultibase": multibase}]}  # fmt: skip


PUBLISHED_KEYS = {place: assertion_methods(_actor(place)) for place in (A, B, C)}


# A rule change, for proposals where C is already a member (C cannot be admitted again).
RULE: dict[str, Any] = {"kind": "rule", "subject": {"name": "visitRate", "value": "6.00"}}


def _proposal(**over: Any) -> Proposal:
    terms: dict[str, Any] = dict(
        proposal_id=f"{NETWORK}/decisions/1", network=NETWORK, proposer=B, kind="admit",
        title="Admettre Tiers", text="Tiers-lieu de Mâcon, parrainé par PopCafé.",
        closes=CLOSES, members=[A, B], published=OPENED, subject=C,
    )  # fmt: skip
    terms.update(over)
    return decision.open_proposal(**terms)


def _vote(
    place: str, choice: str, at: str = "2026-03-02T10:00:00Z", proposal: Proposal | None = None,
    reason: str = "", n: int = 1, signer: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    chosen = proposal or _proposal()
    vote_id = f"{place.rsplit('/actors', 1)[0]}/votes/{n}"
    key = KEYS[signer or place]
    return decision.vote(vote_id, place, chosen, choice, reason, wire_to_posix(at), key,
                         f"{signer or place}#ed25519-key")  # fmt: skip


def _received(proposal: Proposal, *votes: dict[str, Any]) -> list[Ballot]:
    return [
        decision.receive_vote(
            proposal, v, PUBLISHED_KEYS[v["attributedTo"]], proposal.members, OPENED + 3600
        )
        for v in votes
    ]


# --- proposals -----------------------------------------------------------------------------


def test_a_proposal_defaults_to_majority_with_a_majority_quorum_and_reads_back() -> None:
    proposal = _proposal(members=[A, B, C], **RULE)
    assert (proposal.mode, proposal.quorum) == ("majority", 2)
    assert _proposal(members=[A, B, C, "https://d.example/actors/d"], **RULE).quorum == 3
    document = proposal.to_json()
    assert document["type"] == "Proposal" and document["decisionKind"] == "rule"
    assert document["members"] == sorted([A, B, C]) and document["object"] == RULE["subject"]
    assert document["endTime"] == "2026-03-15T18:00:00Z"
    assert Proposal.from_json(json.loads(json.dumps(document))) == proposal


@pytest.mark.parametrize(
    ("over", "french"),
    [
        ({"kind": "exclude"}, "admit, rule ou step"),
        ({"mode": "unanimity"}, "consent ou majority"),
        ({"title": "  "}, "titre"),
        ({"title": "x" * 301}, "titre"),
        ({"text": "x" * 20_001}, "texte"),
        ({"closes": OPENED}, "clôture doit être dans le futur"),
        ({"members": []}, "aucun lieu membre"),
        ({"quorum": 3}, "quorum doit être entre 1 et 2"),
        ({"quorum": 0}, "quorum doit être entre 1 et 2"),
        ({"subject": None}, "lieu à admettre"),
        ({"subject": B}, "déjà membre"),
        ({"kind": "rule", "subject": "6 €"}, "règle changée et sa nouvelle valeur"),
        ({"kind": "rule", "subject": {"name": "visitRate"}}, "règle changée"),
        ({"kind": "step", "subject": None}, "adresse (https://…) de l'étape"),
    ],
)
def test_a_proposal_that_cannot_be_decided_is_refused_in_french(
    over: dict[str, Any], french: str
) -> None:
    with pytest.raises(ConfigError) as exc:
        _proposal(**over)
    assert french in exc.value.message("fr") and exc.value.message("en").startswith("Proposal")


@pytest.mark.parametrize(
    "broken",
    [
        {"quorum": "2"},
        {"quorum": True},
        {"members": A},
        {"decisionMode": "unanimity"},
        {"endTime": "demain"},
        {"name": None},
    ],
)
def test_a_malformed_proposal_does_not_read(broken: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        Proposal.from_json({**_proposal().to_json(), **broken})


# --- votes -----------------------------------------------------------------------------------


def test_a_vote_is_signed_by_its_place_as_claims_are() -> None:
    signed = _vote(A, "pour", reason="  Bon voisinage  ")
    assert signed["type"] == "Vote" and signed["inReplyTo"] == f"{NETWORK}/decisions/1"
    assert signed["reason"] == "Bon voisinage" and signed["to"] == [NETWORK]
    assert signed["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert proof.verify(signed, PUBLISHED_KEYS[A].get) == f"{A}#ed25519-key"
    assert "reason" not in _vote(A, "abstention")


def test_a_place_hears_before_sending_what_the_network_would_refuse() -> None:
    with pytest.raises(VoteRefused) as exc:
        _vote(A, "oui")
    assert exc.value.reason == "malformed"
    with pytest.raises(VoteRefused) as exc:
        _vote(A, "pour", reason="x" * 2001)
    assert exc.value.reason == "malformed"
    with pytest.raises(VoteRefused) as exc:
        _vote(A, "pour", at="2026-03-15T18:00:01Z")
    assert exc.value.reason == "after_close"
    with pytest.raises(VoteRefused) as exc:
        _vote(A, "contre", proposal=_proposal(mode="consent"))
    assert exc.value.reason == "no_reason" and "objection doit être motivée" in exc.value.fr
    assert exc.value.status == 403


def test_the_network_takes_a_members_vote_before_the_close() -> None:
    proposal = _proposal()
    (ballot,) = _received(proposal, _vote(A, "pour"))
    assert (ballot.place, ballot.choice, ballot.reason) == (A, "pour", "")


def _refusal(proposal: Proposal, document: Any, received_at: float = OPENED + 60,
             members: frozenset[str] | None = None, keys_of: str = A) -> VoteRefused:  # fmt: skip
    with pytest.raises(VoteRefused) as exc:
        decision.receive_vote(
            proposal, document, PUBLISHED_KEYS[keys_of],
            proposal.members if members is None else members, received_at,
        )  # fmt: skip
    return exc.value


def test_a_vote_of_a_place_not_yet_admitted_is_refused() -> None:
    refused = _refusal(_proposal(), _vote(C, "pour"), keys_of=C)
    assert refused.reason == "not_member" and "n'est pas membre du réseau" in refused.fr
    # Once admitted (a member now), the same signed vote is taken.
    proposal = _proposal()
    ballot = decision.receive_vote(proposal, _vote(C, "pour"), PUBLISHED_KEYS[C],
                                   {A, B, C}, OPENED)  # fmt: skip
    assert ballot.place == C


def test_a_vote_after_the_close_is_refused_whatever_date_it_bears() -> None:
    # Received late, even dated before the close: the network's clock decides.
    refused = _refusal(_proposal(), _vote(A, "pour"), received_at=CLOSES + 1)
    assert refused.reason == "after_close" and "après la clôture" in refused.fr
    # Dated after the close: refused by a recount too, so refused on receipt.
    late = _resigned(_vote(A, "pour"), published="2026-03-15T18:00:01Z")
    assert _refusal(_proposal(), late).reason == "after_close"
    at_close = _vote(A, "pour", at="2026-03-15T18:00:00Z")
    assert _received(_proposal(), at_close)[0].published == CLOSES


def test_a_vote_whose_signature_does_not_hold_is_refused() -> None:
    altered = _vote(A, "contre")
    altered["choice"] = "pour"
    assert _refusal(_proposal(), altered).reason == "bad_signature"
    # B signs a vote in A's name: B's key is not A's, even though B is a member.
    impostor = _vote(A, "pour", signer=B)
    assert _refusal(_proposal(), impostor).reason == "bad_signature"
    assert _refusal(_proposal(), impostor, keys_of=B).reason == "bad_signature"
    unsigned = {k: v for k, v in _vote(A, "pour").items() if k != "proof"}
    assert _refusal(_proposal(), unsigned).reason == "bad_signature"


@pytest.mark.parametrize(
    "broken",
    [
        {"choice": "oui"},
        {"type": "Note"},
        {"published": "hier"},
        {"attributedTo": None},
        {"reason": 3},
        {"proposalDigest": None},
        {"type": ["Note"]},
    ],
)
def test_a_malformed_vote_is_refused(broken: dict[str, Any]) -> None:
    assert _refusal(_proposal(), {**_vote(A, "pour"), **broken}).reason == "malformed"
    assert _refusal(_proposal(), "pour").reason == "malformed"


def test_a_vote_for_another_proposal_is_refused() -> None:
    other = _proposal(proposal_id=f"{NETWORK}/decisions/2")
    assert _refusal(_proposal(), _vote(A, "pour", proposal=other)).reason == "wrong_proposal"


def _resigned(vote: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A vote changed and signed again by its place: what `decision.vote` refuses to make,
    made by a place's software that skipped its checks."""
    place = vote["attributedTo"]
    made = {**{k: v for k, v in vote.items() if k != "proof"}, **changes}
    return proof.sign(made, KEYS[place], f"{place}#ed25519-key")


def _reasonless_objection(place: str, proposal: Proposal) -> dict[str, Any]:
    return _resigned(_vote(place, "contre"), proposalDigest=proposal.digest)


def test_a_reasonless_objection_is_refused_in_consent_mode_only() -> None:
    consent = _proposal(mode="consent")
    assert _refusal(consent, _reasonless_objection(A, consent)).reason == "no_reason"
    assert _received(_proposal(), _vote(A, "contre"))[0].choice == "contre"


def test_a_vote_on_other_terms_of_the_proposal_is_refused() -> None:
    # The network changed the terms after A voted (a lower quorum, a later close): A's vote
    # was for the terms A read, so it does not count for the new ones.
    signed = _vote(A, "pour")
    changes = ({"quorum": 1}, {"closes": CLOSES + 86400}, {"text": "Autre texte"},
               {"members": [A, B, "https://d.example/actors/d"]})  # fmt: skip
    for changed in (_proposal(**change) for change in changes):
        assert _refusal(changed, signed).reason == "wrong_proposal"
    # The same terms served with more (a context, a replies collection) read the same.
    served = {**_proposal().to_json(), "@context": "https://www.w3.org/ns/activitystreams",
              "replies": f"{NETWORK}/decisions/1/replies"}  # fmt: skip
    assert Proposal.from_json(served).digest == _proposal().digest
    assert _received(Proposal.from_json(served), signed)[0].place == A


# --- the tally -------------------------------------------------------------------------------


def test_a_later_vote_replaces_an_earlier_one_in_any_order() -> None:
    proposal = _proposal()
    first = _vote(B, "contre", at="2026-03-02T10:00:00Z", n=1)
    second = _vote(B, "pour", at="2026-03-03T10:00:00Z", n=2)
    a_vote = _vote(A, "pour")
    for order in ([first, second, a_vote], [a_vote, second, first]):
        counted, replaced = decision.latest(_received(proposal, *order))
        assert [(b.place, b.choice) for b in counted] == [(A, "pour"), (B, "pour")]
        assert [b.id for b in replaced] == [first["id"]]
    # Two votes of the same second: the larger id wins, everywhere.
    same = [_vote(B, "contre", n=1), _vote(B, "abstention", n=2)]
    for order in (same, same[::-1]):
        assert decision.latest(_received(proposal, *order))[0][0].choice == "abstention"


def _tally(proposal: Proposal, *votes: dict[str, Any]) -> decision.Tally:
    return decision.tally(proposal, decision.latest(_received(proposal, *votes))[0])


def _count(proposal: Proposal, *choices: str, reason: str = "") -> decision.Tally:
    """The tally of A, B, C's votes, in that order, with these choices."""
    votes = [_vote(place, choice, proposal=proposal, reason=reason)
             for place, choice in zip((A, B, C), choices, strict=False)]  # fmt: skip
    return _tally(proposal, *votes)


def test_majority_quorum_and_consent() -> None:
    three = [A, B, C]
    majority = _proposal(members=three, **RULE)
    assert _count(majority, "pour", "contre", "pour") == decision.Tally(2, 1, 0, "adopted")
    assert _count(majority, "pour", "contre").outcome == "rejected"  # a tie
    assert _count(majority, "pour", "abstention").outcome == "adopted"
    assert _count(majority, "pour") == decision.Tally(1, 0, 0, "no_quorum")
    assert _count(_proposal(members=three, quorum=1, **RULE), "pour").outcome == "adopted"
    consent = _proposal(members=three, mode="consent", **RULE)
    assert _count(consent, "abstention", "abstention").outcome == "adopted"
    assert _count(consent, "pour", "contre", "pour", reason="Pas de place pour tous") == (
        decision.Tally(2, 1, 0, "rejected")
    )
    objection = _vote(B, "contre", proposal=consent, reason="Pas de place pour tous")
    assert _tally(consent, objection) == decision.Tally(0, 1, 0, "no_quorum")


def test_a_reasonless_objection_does_not_block_consent_in_a_count() -> None:
    # The network refuses it on receipt; a count of such a vote (a network that took it)
    # gives the same outcome everywhere: no objection.
    consent = _proposal(mode="consent")
    votes = (_vote(A, "pour", proposal=consent), _reasonless_objection(B, consent))
    counted = [decision.check_vote(consent, v, PUBLISHED_KEYS[v["attributedTo"]], {A, B})
               for v in votes]  # fmt: skip
    assert decision.tally(consent, counted) == decision.Tally(1, 1, 0, "adopted")


# --- the result and its recount ------------------------------------------------------------


def _admission() -> tuple[Proposal, dict[str, Any]]:
    """Issue 15's scenario: B proposes admitting C; A and B vote pour, B twice."""
    proposal = _proposal()
    ballots = _received(
        proposal,
        _vote(B, "contre", at="2026-03-02T10:00:00Z", n=1, reason="À discuter"),
        _vote(A, "pour", at="2026-03-04T10:00:00Z"),
        _vote(B, "pour", at="2026-03-05T10:00:00Z", n=2),
    )
    published = decision.result(f"{NETWORK}/decisions/1/result", proposal, ballots, {A, B},
                                CLOSES + 60)  # fmt: skip
    return proposal, json.loads(json.dumps(published))  # as served and fetched


def test_the_result_embeds_every_counted_vote_and_nothing_else() -> None:
    proposal, published = _admission()
    assert published["type"] == "Decision" and published["attributedTo"] == NETWORK
    assert (published["pourCount"], published["contreCount"], published["abstentionCount"]) == (
        2, 0, 0
    )  # fmt: skip
    assert published["outcome"] == "adopted" and published["members"] == sorted([A, B])
    assert [v["attributedTo"] for v in published["votes"]] == sorted([A, B])
    assert all(v["choice"] == "pour" and "proof" in v for v in published["votes"])
    assert Proposal.from_json(published["proposal"]) == proposal


def test_a_place_that_left_before_the_close_no_longer_counts() -> None:
    proposal = _proposal()
    ballots = _received(proposal, _vote(A, "pour"), _vote(B, "contre"))
    published = decision.result("r", proposal, ballots, {A}, CLOSES)
    assert [v["attributedTo"] for v in published["votes"]] == [A]
    assert published["outcome"] == "no_quorum"  # the quorum was set at the opening: 2


def test_the_recount_of_an_untouched_result_is_valid() -> None:
    _, published = _admission()
    recounted = recount(published, PUBLISHED_KEYS, {A, B})
    assert recounted == {"pour": 2, "contre": 0, "abstention": 0, "outcome": "adopted",
                         "valid": True, "problems": []}  # fmt: skip
    json.dumps(recounted)  # what `interlieux decision verify` prints


def _problems(recounted: dict[str, Any]) -> list[str]:
    return [p["problem"] for p in recounted["problems"]]


def test_a_vote_removed_from_the_result_is_found() -> None:
    _, published = _admission()
    del published["votes"][0]  # the published tally still says 2 pour
    recounted = recount(published, PUBLISHED_KEYS, {A, B})
    assert recounted["valid"] is False and recounted["pour"] == 1
    assert recounted["outcome"] == "no_quorum"
    assert _problems(recounted) == ["count_mismatch", "outcome_mismatch"]
    assert "pour 2 ≠ 1" in recounted["problems"][0]["fr"]


def test_a_vote_removed_from_the_published_tally_is_found() -> None:
    _, published = _admission()
    published["pourCount"] = 1
    recounted = recount(published, PUBLISHED_KEYS, {A, B})
    assert (recounted["valid"], recounted["pour"]) == (False, 2)
    assert _problems(recounted) == ["count_mismatch"]


def test_a_vote_whose_choice_was_altered_is_found() -> None:
    _, published = _admission()
    published["votes"][0]["choice"] = "contre"
    published["pourCount"], published["contreCount"] = 1, 1
    published["outcome"] = "rejected"
    recounted = recount(published, PUBLISHED_KEYS, {A, B})
    assert recounted["valid"] is False
    assert _problems(recounted)[0] == "bad_signature"
    assert recounted["problems"][0]["place"] == published["votes"][0]["attributedTo"]
    assert recounted["problems"][0]["vote"] == published["votes"][0]["id"]


def test_a_forged_signature_is_found() -> None:
    _, published = _admission()
    forged = {k: v for k, v in published["votes"][0].items() if k != "proof"}
    stranger = ed25519.Ed25519PrivateKey.generate()
    place = forged["attributedTo"]
    published["votes"][0] = proof.sign(forged, stranger, f"{place}#ed25519-key")
    recounted = recount(published, PUBLISHED_KEYS, {A, B})
    assert recounted["valid"] is False and "bad_signature" in _problems(recounted)


def test_a_vote_from_a_non_member_is_found() -> None:
    _, published = _admission()
    published["votes"].append(_vote(C, "pour"))  # C's genuine signature, but C was not a member
    published["pourCount"] = 3
    recounted = recount(published, PUBLISHED_KEYS, {A, B})
    assert recounted["valid"] is False and recounted["pour"] == 2
    assert _problems(recounted) == ["not_member", "count_mismatch"]
    assert recounted["problems"][0]["place"] == C


def test_a_result_without_its_members_is_malformed() -> None:
    _, published = _admission()
    del published["members"]
    recounted = recount(published, PUBLISHED_KEYS, {A, B})
    assert recounted["valid"] is False and _problems(recounted) == ["malformed_result"]


def test_terms_changed_after_the_votes_are_found() -> None:
    _, published = _admission()
    published["proposal"]["quorum"] = 1  # the network lowers the quorum after the vote
    recounted = recount(published, PUBLISHED_KEYS, {A, B})
    assert _problems(recounted)[:2] == ["wrong_proposal", "wrong_proposal"]
    assert recounted["valid"] is False and recounted["pour"] == 0


def test_a_duplicate_and_a_late_vote_are_found() -> None:
    _, published = _admission()
    published["votes"].append(_vote(B, "contre", at="2026-03-02T10:00:00Z", n=1))
    recounted = recount(published, PUBLISHED_KEYS, {A, B})
    assert _problems(recounted) == ["duplicate"] and recounted["pour"] == 2
    _, published = _admission()
    published["votes"][0] = _resigned(published["votes"][0], published="2026-03-16T00:00:00Z")
    recounted = recount(published, PUBLISHED_KEYS, {A, B})
    assert _problems(recounted)[0] == "after_close" and recounted["valid"] is False


def test_a_vote_for_another_decision_or_a_broken_one_is_found() -> None:
    _, published = _admission()
    other = _proposal(proposal_id=f"{NETWORK}/decisions/2")
    published["votes"][0] = _vote(A, "pour", proposal=other)
    published["votes"].append("pour")
    assert _problems(recount(published, PUBLISHED_KEYS, {A, B}))[:2] == [
        "wrong_proposal", "malformed"
    ]  # fmt: skip


def test_a_member_whose_key_the_verifier_lacks_is_not_counted() -> None:
    _, published = _admission()
    keys = {A: PUBLISHED_KEYS[A]}
    recounted = recount(published, keys, {A, B})
    assert recounted["valid"] is False and "bad_signature" in _problems(recounted)


@pytest.mark.parametrize(
    "broken",
    [{}, {"proposal": {}, "votes": []}, {"proposal": _proposal().to_json(), "votes": {}}],
)
def test_a_malformed_result_is_invalid(broken: dict[str, Any]) -> None:
    recounted = recount(broken, PUBLISHED_KEYS, {A, B})
    assert recounted["valid"] is False and _problems(recounted) == ["malformed_result"]
    assert recount([], PUBLISHED_KEYS, {A, B})["valid"] is False


def test_the_recount_does_not_change_the_result() -> None:
    _, published = _admission()
    before = copy.deepcopy(published)
    recount(published, PUBLISHED_KEYS, {A, B})
    assert published == before


# --- the vocabulary ------------------------------------------------------------------------


def test_the_documents_satisfy_their_shapes_and_expand_with_no_fetch() -> None:
    _, published = _admission()
    assert shapes.check(published, "Decision") == []
    assert shapes.check(published["proposal"], "Proposal") == []
    assert all(shapes.check(v, "Vote") == [] for v in published["votes"])
    broken = {**published["votes"][0], "choice": "oui"}
    assert [v.path for v in shapes.check(broken, "Vote")] == ["choice"]
    expanded = jsonld.expand({"@context": DOCUMENT_CONTEXT, **published}, NO_FETCH)[0]
    assert expanded["@type"] == [f"{TL}Decision"]
    assert expanded[f"{TL}outcome"] == [{"@id": f"{TL}adopted"}]
    assert expanded[f"{TL}pourCount"][0]["@value"] == 2
    assert {m["@id"] for m in expanded[f"{TL}members"]} == {A, B}
    vote = expanded[f"{TL}votes"][0]
    assert vote["@type"] == [f"{TL}Vote"] and vote[f"{TL}choice"] == [{"@id": f"{TL}pour"}]
    proposal = expanded[f"{TL}proposal"][0]
    assert proposal[f"{TL}decisionKind"] == [{"@id": f"{TL}admit"}]
    assert proposal[f"{TL}decisionMode"] == [{"@id": f"{TL}majority"}]


# --- whatever a stand-in serves --------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=20,
)  # fmt: skip
FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
VOTE_KEYS = st.sampled_from(["id", "type", "attributedTo", "inReplyTo", "proposalDigest",
                             "choice", "reason", "published", "proof"])  # fmt: skip


@FUZZ
@given(JSON)
def test_any_document_recounts_as_invalid_without_raising(served: Any) -> None:
    recounted = recount(served, PUBLISHED_KEYS, {A, B})
    assert recounted["valid"] is False and recounted["problems"]
    json.dumps(recounted)


@FUZZ
@given(st.lists(st.dictionaries(VOTE_KEYS, JSON, max_size=9) | JSON, max_size=3), VOTE_KEYS, JSON)
def test_any_votes_in_a_result_recount_without_raising(
    votes: list[Any], key: str, value: Any
) -> None:
    _, published = _admission()
    published["votes"] = [*published["votes"], *votes]
    recounted = recount(published, PUBLISHED_KEYS, {A, B})
    assert recounted["pour"] == 2 and recounted["valid"] is (not votes)
    # Any field of a genuine vote changed: the vote no longer counts.
    assume(published["votes"][0].get(key) != value)
    published["votes"][0][key] = value
    assert recount(published, PUBLISHED_KEYS, {A, B})["valid"] is False
