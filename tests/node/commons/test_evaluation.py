"""The peer evaluation and the support of a step, pure: criteria as a team types them, an
evaluation as a team posts it, and the summary every node computes alike from its rows."""

from __future__ import annotations

import itertools
import json

import pytest

from node.commons import evaluation
from node.commons.evaluation import DEFAULT_CRITERIA, Evaluation
from node.errors import ConfigError

STEP = "https://a.example/objects/step"
B, C, D = "https://b.example/actors/b", "https://c.example/actors/c", "https://d.example/actors/d"
BUDGET, PEOPLE, USE = DEFAULT_CRITERIA


def _evaluation(
    place: str, published: float, scores: tuple[int, int, int], eid: str = "", comment: str = ""
) -> Evaluation:
    ratings = tuple(zip(DEFAULT_CRITERIA, scores, strict=True))
    return Evaluation(eid or f"{place}/e/{published}", place, STEP, published, ratings, comment)


def test_criteria_are_trimmed_kept_in_order_and_default_to_seed_001s() -> None:
    assert evaluation.checked_criteria([" Budget réaliste ", "Calendrier"]) == (
        "Budget réaliste",
        "Calendrier",
    )
    assert evaluation.criteria_of({"name": "sans critères"}) == DEFAULT_CRITERIA
    assert evaluation.criteria_of({"criteria": ["Calendrier"]}) == ("Calendrier",)
    for wrong in ([], [""], ["Budget", "budget"], ["x" * 101], [f"c{n}" for n in range(11)], [3]):
        with pytest.raises(ConfigError) as refused:
            evaluation.checked_criteria(wrong)
        assert "critères d'évaluation" in refused.value.fr


def test_an_evaluation_scores_each_criterion_once_from_1_to_5() -> None:
    review = evaluation.review(STEP, {USE: 5, BUDGET: 3, PEOPLE: 4}, DEFAULT_CRITERIA, " Bien. ")
    assert review["type"] == "Review" and review["itemReviewed"] == STEP
    assert [(r["reviewAspect"], r["ratingValue"]) for r in review["reviewRating"]] == [
        (BUDGET, 3),
        (PEOPLE, 4),
        (USE, 5),
    ]  # in the step's order, whatever order they were typed in
    assert review["reviewRating"][0]["bestRating"] == 5 and review["reviewBody"] == "Bien."
    for scores in ({BUDGET: 3, PEOPLE: 4}, {BUDGET: 3, PEOPLE: 4, USE: 6},
                   {BUDGET: 3, PEOPLE: 4, USE: 5, "Calendrier": 2}):  # fmt: skip
        with pytest.raises(ConfigError) as refused:
            evaluation.review(STEP, scores, DEFAULT_CRITERIA)
        assert "Donnez une note de 1 à 5 à chaque critère" in refused.value.fr
    assert evaluation.scores_typed(["Budget réaliste=4", " Utilité pour le réseau = 2"]) == {
        BUDGET: 4,
        USE: 2,
    }
    with pytest.raises(ConfigError):
        evaluation.scores_typed(["Budget réaliste: quatre"])


def test_a_received_evaluation_reads_only_whole_scores() -> None:
    document = {
        "id": f"{B}/objects/1", "attributedTo": B, "itemReviewed": STEP,
        "published": "2026-05-01T10:00:00Z",
        "reviewRating": [{"reviewAspect": BUDGET, "ratingValue": 4}],
    }  # fmt: skip
    assert Evaluation.from_json(document).ratings == ((BUDGET, 4),)
    for score in ("4", 4.0, True):
        rating = {"reviewAspect": BUDGET, "ratingValue": score}
        with pytest.raises(TypeError):
            Evaluation.from_json({**document, "reviewRating": [rating]})


def test_the_summary_counts_each_places_latest_valid_evaluation_before_the_close() -> None:
    rows = [
        _evaluation(B, 100.0, (2, 2, 2)),
        _evaluation(B, 200.0, (4, 3, 5), comment="Revu après échange"),  # replaces B's first
        _evaluation(C, 150.0, (3, 4, 4)),
        _evaluation(D, 160.0, (5, 5, 9)),  # 9 is no score: not counted
        _evaluation(D, 500.0, (1, 1, 1)),  # after the close: not counted
    ]
    found = evaluation.summary(DEFAULT_CRITERIA, rows, STEP, closes=400.0)
    assert found["count"] == 2
    assert found["criteria"] == [
        {"criterion": BUDGET, "count": 2, "average": "3.50"},
        {"criterion": PEOPLE, "count": 2, "average": "3.50"},
        {"criterion": USE, "count": 2, "average": "4.50"},
    ]
    assert [(e["place"], e["comment"]) for e in found["evaluations"]] == [
        (C, ""),
        (B, "Revu après échange"),
    ]  # oldest first
    assert found["evaluations"][1]["ratings"][0] == {"criterion": BUDGET, "score": 4}

    # The same rows in any order give the same summary, to the character.
    seen = {
        json.dumps(evaluation.summary(DEFAULT_CRITERIA, list(order), STEP, closes=400.0))
        for order in itertools.permutations(rows)
    }
    assert len(seen) == 1


def test_two_evaluations_of_the_same_second_are_decided_by_id_everywhere() -> None:
    first = _evaluation(B, 100.0, (1, 1, 1), eid=f"{B}/e/a")
    second = _evaluation(B, 100.0, (5, 5, 5), eid=f"{B}/e/b")
    for rows in ([first, second], [second, first]):
        assert evaluation.counted(DEFAULT_CRITERIA, rows, STEP, None) == [second]


def test_averages_round_half_up_and_read_the_french_way() -> None:
    assert evaluation.average([3, 4, 4]) == "3.67"
    assert evaluation.average([1, 2]) == "1.50"
    assert evaluation.average([]) is None
    assert evaluation.score_text("3.50") == "3,5 / 5"
    assert evaluation.score_text("4.00") == "4 / 5"
    assert evaluation.score_text("3.67", "en") == "3.67 / 5"
    assert evaluation.score_text(None) == "—"
    assert evaluation.summary(DEFAULT_CRITERIA, [], STEP, None)["criteria"][0] == {
        "criterion": BUDGET,
        "count": 0,
        "average": None,
    }


def test_a_place_supports_while_one_of_its_likes_stands() -> None:
    rows = [
        ("https://b.example/l1", STEP, B, 1.0, True),
        ("https://b.example/l2", STEP, B, 2.0, False),
        ("https://c.example/l3", STEP, C, 3.0, True),
        ("https://d.example/l4", "https://a.example/objects/other", D, 4.0, False),
    ]
    assert evaluation.supporters(rows, STEP) == [B]
