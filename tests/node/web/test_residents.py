"""The résidentothèque and a resident's page, in-process: public fields only, the skill and
availability filters, and the same URLs still JSON for the fediverse."""

from __future__ import annotations

import re

import pytest

from node.cli import main as cli
from tests.node.conftest import InProcessNode

AS_JSON = "application/activity+json"
BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def profile(place: InProcessNode, handle: str, *args: str) -> None:
    assert cli(["profile", "--data", str(place.config.data_dir), "--handle", handle, *args]) == 0


def admit(place: InProcessNode, handle: str) -> None:
    data = str(place.config.data_dir)
    assert cli(["resident", "accept", "--data", data, "--handle", handle]) == 0


@pytest.fixture
def residents(place: InProcessNode) -> InProcessNode:
    """Alice (welding, available on Tuesdays) and Bob (3D printing, private availability) are
    residents; Carol is a member the place did not validate."""
    data = str(place.config.data_dir)
    for handle, name in (("bob", "Bob"), ("carol", "Carol")):
        assert cli(["member", "add", "--data", data, "--handle", handle, "--name", name]) == 0
    profile(place, "alice", "--skill", "sk:soudure", "--availability", "les mardis soir",
            "--project", "Vélos partagés", "--visibility", "skill=public",
            "--visibility", "availability=public", "--visibility", "projects=network")  # fmt: skip
    profile(place, "bob", "--skill", "sk:impression-3d", "--availability", "jeudis secrets",
            "--visibility", "skill=public", "--visibility", "availability=private")  # fmt: skip
    profile(place, "carol", "--skill", "sk:couture", "--visibility", "skill=public")
    admit(place, "alice")
    admit(place, "bob")
    return place


def names(html: str) -> list[str]:
    return re.findall(r"<h2><a href=\"[^\"]+\">([^<]+)</a></h2>", html)


def test_the_residents_page_shows_validated_residents_and_public_fields_only(
    residents: InProcessNode,
) -> None:
    page = residents.client.get("/residents", headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    assert names(page.text) == ["Alice", "Bob"]  # Carol is not validated
    assert "Soudure" in page.text and "Impression 3D" in page.text  # French labels
    assert "les mardis soir" in page.text  # public
    assert "jeudis secrets" not in page.text  # private
    assert "Vélos partagés" not in page.text  # network: never on a public page
    assert f'href="{residents.actor_id("alice")}"' in page.text
    assert '<meta property="og:url" content="http://127.0.0.1:9/residents">' in page.text
    assert '<meta property="og:title" content="Résidentothèque · La Coroutine">' in page.text
    # The skills select is grouped by broader concept, in French.
    assert '<optgroup label="Fabrication numérique et artisanat">' in page.text


def test_the_filter_by_skill_keeps_matching_residents_and_narrower_skills(
    residents: InProcessNode,
) -> None:
    welding = residents.client.get("/residents?skill=sk:soudure", headers=BROWSER).text
    assert names(welding) == ["Alice"]
    assert '<option value="sk:soudure" selected>' in welding
    # A broader concept keeps everyone with a skill under it.
    crafts = residents.client.get("/residents?skill=sk:fabrication", headers=BROWSER).text
    assert names(crafts) == ["Alice", "Bob"]
    nobody = residents.client.get("/residents?skill=sk:graphisme", headers=BROWSER).text
    assert names(nobody) == [] and "Aucun résident ne correspond à ce filtre." in nobody


def test_the_filter_by_availability_reads_public_availability_only(
    residents: InProcessNode,
) -> None:
    tuesday = residents.client.get("/residents?availability=Mardis", headers=BROWSER).text
    assert names(tuesday) == ["Alice"]
    # Bob's availability is private: searching for it finds nobody.
    assert names(residents.client.get("/residents?availability=jeudi", headers=BROWSER).text) == []


def test_the_residents_collection_is_still_json_for_the_fediverse(
    residents: InProcessNode,
) -> None:
    mastodon = "application/activity+json, application/ld+json, text/html;q=0.1"
    answer = residents.client.get("/residents?page=1", headers={"accept": mastodon})
    assert answer.json()["orderedItems"] == [residents.actor_id("alice"), residents.actor_id("bob")]
    assert "Accept" in answer.headers["vary"]


def test_a_residents_page_shows_their_public_profile_and_their_place(
    residents: InProcessNode,
) -> None:
    page = residents.client.get("/actors/alice", headers=BROWSER).text
    assert "<h1>Alice</h1>" in page
    assert "Soudure" in page and "les mardis soir" in page
    assert f'<a href="{residents.actor_id()}">La Coroutine</a>' in page  # their place
    assert "Vélos partagés" not in page
    assert '<meta property="og:type" content="profile">' in page
    assert f'<meta property="og:url" content="{residents.actor_id("alice")}">' in page
    assert "jeudis secrets" not in residents.client.get("/actors/bob", headers=BROWSER).text
    # The same id is still Alice's actor document for the fediverse.
    actor = residents.client.get("/actors/alice", headers={"accept": AS_JSON}).json()
    assert actor["id"] == residents.actor_id("alice")


def test_a_member_who_is_not_a_resident_shows_only_name_and_summary(
    residents: InProcessNode,
) -> None:
    page = residents.client.get("/actors/carol", headers=BROWSER).text
    assert "<h1>Carol</h1>" in page
    assert "Couture" not in page and "Résident de" not in page


def test_the_residents_page_speaks_english(residents: InProcessNode) -> None:
    page = residents.client.get("/residents?lang=en&skill=sk:soudure", headers=BROWSER).text
    assert "<h1>Residents directory</h1>" in page and "<li>Welding</li>" in page
