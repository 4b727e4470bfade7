"""An improvement step's social life across real nodes (issue 15, seed 001): A publishes a
step; B supports it and comments on it; C evaluates it on its criteria. B and C follow A
only: each learns the others' signed support and evaluation from A's Announces, checked
against the author's own key. The step's page at A and its page at B (`/etape?id=`) show the
same supporters, the same comment and the same averages; `step evaluations --json` prints
the same at A, B and C. A forged evaluation is refused with 403; a support taken back is gone
everywhere."""

from __future__ import annotations

import html
import json
import re
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from node.commons.evaluation import DEFAULT_CRITERIA
from node.ledger import proof

from .network import PUBLIC, LocalPlace, Network, Places, post_signed, wait_for

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def places(network: Network) -> Places:
    """A (coroutine) publishes the step; B (popcafe) and C (fabrik) follow A only; inconnu
    follows A later, and reads what it published before."""
    return network(
        {"coroutine": [], "popcafe": [], "fabrik": [], "inconnu": []},
        follows=[("popcafe", "coroutine"), ("fabrik", "coroutine")],
    )


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def _held(place: LocalPlace, table: str, step: str, more: str = "") -> int:
    return int(place.query(f"SELECT count(*) FROM {table} WHERE step = ? {more}", (step,))[0][0])


def _page(place: LocalPlace, step: str) -> str:
    """The step's page as `place` shows it: at its id on its home, at /etape?id= elsewhere."""
    url = step if step.startswith(place.base_url) else f"{place.base_url}/etape?id={quote(step)}"
    answer = httpx.get(url, headers=HTML, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.text


def _part(page: str, pattern: str) -> str:
    """The words of the first part of the page `pattern` matches, markup left out."""
    found = re.search(pattern, page, re.S)
    assert found, pattern
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


def _evaluations(place: LocalPlace, step: str) -> dict[str, Any]:
    out = place.cli("step", "evaluations", "--data", str(place.data), step, "--json").stdout
    return dict(json.loads(out))


def test_supporters_comments_and_evaluations_are_the_same_at_every_node(places: Places) -> None:
    a, b, c = places["coroutine"], places["popcafe"], places["fabrik"]
    out = a.cli("step", "create", "--data", str(a.data), "--title", "Billetterie libre",
                "--line", "Développement=4000.00", "--line", "Tests=1000.00",
                "--contributor", "Collectif Libre").stdout  # fmt: skip
    step = _last_line(out)
    for place in (b, c):
        wait_for(lambda p=place: p.query("SELECT 1 FROM steps WHERE id = ?", (step,)),  # type: ignore[misc]
                 what=f"{place.handle} receiving the step")  # fmt: skip

    b.cli("step", "support", "--data", str(b.data), "--step", step)
    said = "Nous l'utilisons : <b>prioritaire</b> pour notre accueil."
    out = b.cli("step", "comment", "--data", str(b.data), "--step", step, "--text", said).stdout
    comment = _last_line(out)
    c.cli("step", "evaluate", "--data", str(c.data), "--step", step,
          "--score", "Budget réaliste=4", "--score", "Contributeurs compétents=3",
          "--score", "Utilité pour le réseau=5", "--comment", "Un vrai besoin commun.")  # fmt: skip
    for place in (a, b, c):
        # B and C follow only A: each gets the other's signed part back from A's Announces.
        wait_for(lambda p=place: _held(p, "step_supports", step) == 1  # type: ignore[misc]
                 and _held(p, "step_evaluations", step) == 1,
                 what=f"{place.handle} holding B's support and C's evaluation")  # fmt: skip
    wait_for(lambda: a.query("SELECT 1 FROM objects WHERE id = ?", (comment,)),
             what="B's comment at the step's home")  # fmt: skip

    printed = {place.handle: _evaluations(place, step) for place in (a, b, c)}
    assert printed["coroutine"] == printed["popcafe"] == printed["fabrik"]
    assert [line["average"] for line in printed["coroutine"]["criteria"]] == [
        "4.00",
        "3.00",
        "5.00",
    ]
    assert printed["coroutine"]["evaluations"][0]["place"] == c.actor_id()

    at_a, at_b = _page(a, step), _page(b, step)
    supporters = r'<section aria-labelledby="supporters-title">.*?</section>'
    evaluation = r'<section aria-labelledby="evaluation-title">.*?</section>'
    comments = r'<ol class="plain-list comments">.*?</ol>'
    for pattern in (supporters, evaluation, comments):
        assert _part(at_a, pattern) == _part(at_b, pattern)
    assert b.name in _part(at_a, supporters)
    assert "Budget réaliste 4 / 5 Contributeurs compétents 3 / 5 Utilité pour le réseau 5 / 5" in (
        _part(at_a, evaluation)
    )
    assert "1 évaluation(s)" in _part(at_b, evaluation) and c.name in _part(at_b, evaluation)
    shown = _part(at_a, comments)
    assert b.name in shown and said in shown
    assert "&lt;b&gt;prioritaire" in at_a and "<b>prioritaire" not in at_a  # text, not markup
    replies = httpx.get(f"{step}/replies", headers={"accept": "application/activity+json"})
    assert replies.json()["totalItems"] == 1

    # B takes its support back: the Undo reaches A, and C through A's Announce.
    b.cli("step", "support", "--data", str(b.data), "--step", step, "--undo")
    for place in (a, b, c):
        wait_for(lambda p=place: _held(p, "step_supports", step, "AND undone = 0") == 0,  # type: ignore[misc]
                 what=f"{place.handle} seeing B's support taken back")  # fmt: skip
    assert "Aucun lieu ne soutient cette étape" in _part(_page(a, step), supporters)

    # A place that follows A afterwards reads A's outbox: the step, and A's Announces of C's
    # evaluation, B's support and its withdrawal, each checked against its author's key.
    late = places["inconnu"]
    late.follow(a.actor_id())
    wait_for(lambda: _held(late, "step_evaluations", step) == 1
             and _held(late, "step_supports", step, "AND undone = 1") == 1,
             what="inconnu backfilling the evaluation and the support taken back")  # fmt: skip
    assert _evaluations(late, step) == printed["coroutine"]


def test_a_forged_evaluation_is_refused_with_its_reason(places: Places) -> None:
    a, b = places["coroutine"], places["popcafe"]
    step = a.query("SELECT id FROM steps ORDER BY received_at LIMIT 1")[0][0]
    before = _evaluations(a, step)
    review = {
        "id": f"{b.base_url}/objects/{uuid.uuid4()}",
        "type": "Review",
        "attributedTo": b.actor_id(),
        "itemReviewed": step,
        "reviewRating": [
            {"type": "Rating", "reviewAspect": criterion, "ratingValue": 1}
            for criterion in DEFAULT_CRITERIA
        ],
        "published": "2026-05-01T10:00:00Z",
        "to": [PUBLIC, a.actor_id()],
    }
    # The request is B's (its HTTP signature holds); the evaluation's proof is another key's,
    # claiming to be B's.
    forged = proof.sign(review, ed25519.Ed25519PrivateKey.generate(), f"{b.actor_id()}#ed25519-key")
    create = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{b.base_url}/activities/{uuid.uuid4()}",
        "type": "Create",
        "actor": b.actor_id(),
        "to": [PUBLIC, a.actor_id()],
        "object": forged,
    }
    answer = post_signed(b, a, create)
    assert answer.status_code == 403, answer.text
    assert "proof does not verify" in answer.json()["error"]
    assert not a.query("SELECT 1 FROM step_evaluations WHERE id = ?", (review["id"],))
    assert _evaluations(a, step) == before
