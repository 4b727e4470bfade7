"""Surveys, pure: questions checked, answers checked, each place's latest counted, the
aggregate and its CSV, the prefill from earlier surveys, the close."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from node.commons import surveys
from node.errors import ConfigError, ForbiddenError, InvalidActivity

A = "https://a.example/actors/a"
B = "https://b.example/actors/b"
C = "https://c.example/actors/c"


def needs(
    survey_id: str = "https://a.example/objects/s1", closes: float = 2000.0
) -> surveys.Survey:
    return surveys.new_survey(
        survey_id, A, "needs", "Besoins", "", "followers",
        [surveys.question("surface-m2", "Surface", "number"),
         surveys.question("outils", "Outils", "multiple", ["Dolibarr", "Odoo"]),
         surveys.question("statut", "Statut", "single", ["asso", "scic"]),
         surveys.question("besoin", "Besoin", "text")],
        closes, 1000.0,
    )  # fmt: skip


def taken(survey: surveys.Survey, place: str, values: dict[str, object], at: float,
          answer_id: str) -> tuple[str, float, surveys.Taken]:  # fmt: skip
    document = surveys.answer(answer_id, place, survey, values, at, public=False)
    return place, at, surveys.receive_answer(survey, document, True, at)


def test_a_question_is_checked_in_french() -> None:
    with pytest.raises(ConfigError) as bad:
        surveys.question("Surface M2", "Surface", "number")
    assert "lettres minuscules" in bad.value.message("fr")
    with pytest.raises(ConfigError):
        surveys.question("outils", "Outils", "multiple", ["seul"])
    with pytest.raises(ConfigError):
        needs(closes=900.0)  # a close in the past


def test_answers_are_aggregated_from_each_places_latest() -> None:
    survey = needs()
    answers = surveys.latest_by_place([
        taken(survey, B, {"surface-m2": "120", "outils": ["Dolibarr", "Odoo"],
                          "besoin": "Billetterie"}, 1100, "https://b.example/objects/1"),
        taken(survey, C, {"surface-m2": "80,5", "outils": ["Odoo"], "statut": "scic"},
              1100, "https://c.example/objects/2"),
        taken(survey, C, {"surface-m2": "100", "outils": ["Odoo"], "statut": "scic"},
              1200, "https://c.example/objects/2"),  # C's edit
    ])  # fmt: skip
    results = surveys.aggregate(survey, answers)
    surface, outils, statut, besoin = results.questions
    assert (surface.answered, surface.total, surface.average) == (
        2,
        Decimal(220),
        Decimal("110.00"),
    )
    assert outils.counts == {"Dolibarr": 1, "Odoo": 2}
    assert statut.counts == {"asso": 0, "scic": 1}
    assert besoin.texts == ["Billetterie"]
    rows = list(csv.reader(io.StringIO(surveys.results_csv(results))))
    assert ["surface-m2", "Surface", "number", "somme", "220"] in rows
    document = surveys.results_json(results, "https://a.example/surveys/s1/results", 1300)
    assert document["answerCount"] == 2 and B not in str(document)


def test_a_wrong_answer_is_refused_with_what_is_wrong() -> None:
    survey = needs()
    with pytest.raises(InvalidActivity) as bad:
        surveys.answer("x", B, survey, {"outils": ["Sage"]}, 1100, public=False)
    assert "choix inconnu" in bad.value.message("fr")
    with pytest.raises(InvalidActivity):
        surveys.answer("x", B, survey, {"statut": ["asso", "scic"]}, 1100, public=False)
    with pytest.raises(InvalidActivity):
        surveys.answer("x", B, survey, {"surface-m2": "beaucoup"}, 1100, public=False)


def test_after_the_close_and_from_a_place_not_asked_an_answer_is_refused() -> None:
    survey = needs()
    document = surveys.answer("x", B, survey, {"surface-m2": "1"}, 1100, public=False)
    with pytest.raises(ForbiddenError) as late:
        surveys.receive_answer(survey, document, True, 2001.0)
    assert late.value.status == 403 and "close" in late.value.message("fr")
    with pytest.raises(ForbiddenError):
        surveys.receive_answer(survey, document, False, 1100.0)


def test_the_same_question_in_a_later_survey_is_prefilled() -> None:
    first = needs()
    before = surveys.answer("x", B, first, {"surface-m2": "120", "outils": ["Odoo"]}, 1100,
                            public=False)  # fmt: skip
    later = surveys.new_survey(
        "https://a.example/objects/s2", A, "needs", "Besoins 2027", "", "followers",
        [surveys.question("surface-m2", "Surface", "number"),
         surveys.question("outils", "Outils", "multiple", ["Odoo", "Nextcloud"]),
         surveys.question("nouveau", "Nouveau", "text")],
        3000.0, 1500.0,
    )  # fmt: skip
    assert surveys.prefill(later, [before]) == {"surface-m2": Decimal(120), "outils": ("Odoo",)}
    current = surveys.answer("y", B, later, {"surface-m2": "130"}, 1600, public=False)
    assert surveys.prefill(later, [before], current)["surface-m2"] == Decimal(130)


def test_the_census_asks_usage_and_stands() -> None:
    census = surveys.new_survey(
        "https://a.example/objects/c", A, "census", "Recensement", "", "followers",
        [surveys.question("imprimante-3d", "Imprimante 3D", "usage", category="equipment")],
        None, 1000.0,
    )  # fmt: skip
    assert census.closes is None and census.open_at(10**12)
    document = surveys.answer("x", B, census, {"imprimante-3d": ["uses"]}, 1100, public=True)
    assert "https://www.w3.org/ns/activitystreams#Public" in document["to"]
    answers = surveys.latest_by_place(
        [(B, 1100.0, surveys.receive_answer(census, document, True, 9e9))]
    )
    assert surveys.matrix(census, answers)[0][1] == {B: ("uses",)}
    with pytest.raises(ConfigError):
        surveys.new_survey("https://a.example/objects/d", A, "census", "R", "", "followers",
                           [surveys.question("n", "N", "number")], None, 1000.0)  # fmt: skip
