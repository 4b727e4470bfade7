"""What the team reads of one delivery's outcome when it sends to the network."""

from __future__ import annotations

from node.errors import DeliveryError
from node.governance.sending import _answer, refusal
from node.outbox.delivery import Outcome


def test_taken_queued_refused_and_given_up_are_told_apart() -> None:
    assert _answer(Outcome(202, None)).taken
    no_answer = _answer(Outcome(None, DeliveryError("timeout", retry=True)))
    assert no_answer.queued and not no_answer.taken
    refused = _answer(Outcome(403, DeliveryError("403", retry=False, status=403), "not a member"))
    assert refused.refused and not refused.queued
    assert "(403)" in refusal(refused).message("fr")
    # An address this node must not reach: failed for good at once, so never "queued".
    guarded = _answer(Outcome(None, DeliveryError("unsafe address", retry=False)))
    assert guarded.given_up and not guarded.queued
    assert "injoignable" in refusal(guarded).message("fr")
