"""The matching's edge cases, pure: SKOS broader/narrower scores, availability read from the
profile's free text and crossed with a call's days, proximity, and the ranking both ways."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from node.volunteering import matching
from node.volunteering.matching import Call, Person
from vocab import skills

SK = skills.SKILLS
SOUDURE, FABRICATION, MENUISERIE = SK + "soudure", SK + "fabrication", SK + "menuiserie"
TZ = "Europe/Paris"
# Saturday 6 June 2026, 9:00 to 17:00 in Paris.
SATURDAY = (datetime(2026, 6, 6, 7, tzinfo=UTC), datetime(2026, 6, 6, 15, tzinfo=UTC))


def broader(concept: str) -> str | None:
    found = skills.get(concept)
    return found.broader if found else None


def call(*asked: str, place: str = "https://b/actors/b") -> Call:
    return Call("https://b/objects/1", "Atelier", place, asked, *SATURDAY)


def person(name: str, *held: str, availability: str | None = "samedi",
           place: str = "https://a/actors/a") -> Person:  # fmt: skip
    return Person(f"https://a/actors/{name}", name, held, availability, place)


def test_the_same_skill_scores_one_and_siblings_nothing() -> None:
    assert matching.pair_score(SOUDURE, SOUDURE, broader) == 1.0
    assert matching.pair_score(SOUDURE, MENUISERIE, broader) == 0.0


def test_a_narrower_skill_answers_a_broader_call_better_than_the_reverse() -> None:
    narrower_for_broad = matching.pair_score(FABRICATION, SOUDURE, broader)
    broad_for_narrower = matching.pair_score(SOUDURE, FABRICATION, broader)
    assert narrower_for_broad == matching.NARROWER_WEIGHT
    assert broad_for_narrower == matching.BROADER_WEIGHT
    assert 1.0 > narrower_for_broad > broad_for_narrower > 0


def test_the_call_skill_score_is_the_mean_of_the_best_per_asked_skill() -> None:
    score = matching.skill_score([SOUDURE, MENUISERIE], [SOUDURE], broader)
    assert score == 0.5
    assert matching.skill_score([SOUDURE], [], broader) == 0.0


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("le samedi", {5}),
        ("Samedis et dimanches", {5, 6}),
        ("le week-end", {5, 6}),
        ("du lundi au mercredi", {0, 1, 2}),
        ("vendredi-lundi", {4, 5, 6, 0}),
        ("en semaine", {0, 1, 2, 3, 4}),
        ("tous les jours", set(range(7))),
    ],
)
def test_availability_days_are_read_from_french_text(text: str, days: set[int]) -> None:
    slots = matching.read_availability(text)
    assert slots is not None and {d for d, _ in slots} == days


def test_parts_of_day_apply_to_their_clause_and_are_written_back() -> None:
    slots = matching.read_availability("le jeudi matin, samedi")
    assert slots == {(3, 0), (5, 0), (5, 1), (5, 2)}
    assert matching.canonical(slots) == "jeudi matin, samedi"
    assert matching.read_availability("le soir") == {(d, 2) for d in range(7)}
    assert matching.read_availability("quand je peux") is None
    assert matching.read_availability("") is None


def test_a_call_on_saturday_covers_saturday_morning_and_afternoon() -> None:
    assert matching.call_slots(*SATURDAY, TZ) == {(5, 0), (5, 1)}


def test_no_overlap_is_no_suggestion_and_unknown_availability_counts_less() -> None:
    wanted = call(SOUDURE)
    assert matching.match(wanted, person("bea", SOUDURE, availability="le mardi"), TZ,
                          broader, frozenset()) is None  # fmt: skip
    known = matching.match(wanted, person("alice", SOUDURE), TZ, broader, frozenset())
    unknown = matching.match(wanted, person("cam", SOUDURE, availability=None), TZ, broader,
                             frozenset())  # fmt: skip
    assert known is not None and unknown is not None
    assert unknown.availability == matching.UNKNOWN_AVAILABILITY
    assert known.score > unknown.score


def test_proximity_same_place_then_followed_then_nearer_by_distance() -> None:
    assert matching.proximity(True, False) == 1.0
    assert matching.proximity(False, True) == matching.FOLLOWED_PLACE
    assert matching.proximity(False, False) == matching.OTHER_PLACE
    lille, roubaix, paris = (50.63, 3.06), (50.69, 3.17), (48.86, 2.35)
    near = matching.proximity(False, True, lille, roubaix)
    assert matching.FOLLOWED_PLACE < near < 1.0
    assert matching.proximity(False, True, lille, paris) == matching.FOLLOWED_PLACE


def test_people_are_ranked_both_ways_and_the_unskilled_left_out() -> None:
    wanted = call(SOUDURE)
    alice = person("alice", SOUDURE)
    bob = person("bob", MENUISERIE)
    generalist = person("gaby", FABRICATION)
    here = person("hugo", SOUDURE, place="https://b/actors/b")
    ranked = matching.people_for(wanted, [alice, bob, generalist, here], TZ, broader,
                                 frozenset({"https://a/actors/a"}))  # fmt: skip
    assert [p.name for p, _ in ranked] == ["hugo", "alice", "gaby"]
    other = Call("https://b/objects/2", "Menuiserie", "https://b/actors/b", (MENUISERIE,),
                 *SATURDAY)  # fmt: skip
    fits = matching.calls_for(alice, [other, wanted], TZ, broader, frozenset())
    assert [c.id for c, _ in fits] == [wanted.id]
