"""The errors' messages a place's team reads."""

from __future__ import annotations

from node.errors import InvalidParameter, too_long


def test_a_text_over_its_limit_says_which_and_agrees_in_french() -> None:
    title = too_long(200, "Le titre", "The title")
    assert isinstance(title, InvalidParameter) and title.status == 400
    assert title.message("fr") == "Le titre dépasse 200 caractères : raccourcissez-le."
    assert title.message("en") == "The title is longer than 200 characters: shorten it."
    summary = too_long(1000, "Votre présentation", "Your presentation", feminine=True)
    assert summary.message("fr").endswith("raccourcissez-la.")
