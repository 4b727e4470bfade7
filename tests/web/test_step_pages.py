"""A step's social life from the pages, across two real nodes, in Chromium on a phone. La
Fabrik publishes a step with its criteria; PopCafé, which follows it, opens it from its team's
page (the step as PopCafé's node holds it), supports it, evaluates it on each criterion and
comments in the place's name; a member of La Fabrik comments in her own name from the step's
page at home. The step's public page at La Fabrik then lists PopCafé as a supporter, the
averages per criterion, the evaluation and both comments, oldest first. Every page is checked
by axe and kept as a screenshot.

The nodes are started once for the module (two places of their own: the session's network is
left as it is)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from federation_tests.network import Network, Places, wait_for

from .conftest import TeamBrowser, accessible, screenshot


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Places]:
    network = Network(tmp_path_factory.mktemp("steps"))
    try:
        yield network({"popcafe": [], "fabrik": []}, follows=[("popcafe", "fabrik")])
    finally:
        network.stop()


def test_a_step_supported_evaluated_and_commented_from_the_pages(
    pair: Places, team_browser: TeamBrowser
) -> None:
    popcafe, fabrik = pair["popcafe"], pair["fabrik"]
    out = fabrik.cli("step", "create", "--data", str(fabrik.data), "--title", "Billetterie libre",
                     "--line", "Développement=4000.00", "--criterion", "Budget réaliste",
                     "--criterion", "Calendrier tenable").stdout  # fmt: skip
    step = out.strip().splitlines()[-1]
    wait_for(lambda: popcafe.query("SELECT 1 FROM steps WHERE id = ?", (step,)),
             what="PopCafé receiving the step")  # fmt: skip

    at_popcafe = team_browser(popcafe, "jules", "team")
    at_popcafe.goto(f"{popcafe.base_url}/equipe/etapes")
    at_popcafe.get_by_role("link", name="Billetterie libre").click()
    at_popcafe.wait_for_url(f"{popcafe.base_url}/etape?id=*")
    at_popcafe.get_by_role("button", name="Soutenir cette étape au nom du lieu").click()
    at_popcafe.wait_for_url("**fait=soutien")
    assert "Soutien signé" in at_popcafe.get_by_role("status").inner_text()
    for criterion, score in (("Budget réaliste", "4"), ("Calendrier tenable", "3")):
        at_popcafe.get_by_role("group", name=criterion).get_by_label(score, exact=True).check()
    at_popcafe.get_by_label("Commentaire (facultatif)").fill("Le calendrier est serré.")
    at_popcafe.get_by_role("button", name="Signer et envoyer l'évaluation").click()
    at_popcafe.wait_for_url("**fait=evaluation")
    at_popcafe.get_by_label("Votre commentaire").fill("Nous l'utiliserons dès la rentrée.")
    at_popcafe.get_by_role("button", name="Publier au nom du lieu").click()
    at_popcafe.wait_for_url("**fait=commentaire")
    main = at_popcafe.locator("main").inner_text()
    assert "Budget réaliste\t4 / 5" in main or "Budget réaliste 4 / 5" in main
    accessible(at_popcafe)
    screenshot(at_popcafe, "step-team")

    wait_for(lambda: fabrik.query("SELECT 1 FROM step_evaluations")
             and fabrik.query("SELECT 1 FROM step_supports")
             and len(fabrik.query("SELECT 1 FROM objects WHERE type = 'Note'")) == 1,
             what="PopCafé's support, evaluation and comment at La Fabrik")  # fmt: skip
    at_fabrik = team_browser(fabrik, "mila", "member")
    at_fabrik.goto(step)
    assert at_fabrik.get_by_role("button", name="Soutenir cette étape au nom du lieu").count() == 0
    at_fabrik.get_by_label("Votre commentaire").fill("Je peux tester les caisses.")
    at_fabrik.get_by_role("button", name="Publier en mon nom").click()
    at_fabrik.wait_for_url("**fait=commentaire")

    at_fabrik.context.clear_cookies()  # signed out: the step's page as anyone reads it
    at_fabrik.goto(step)
    supporters = at_fabrik.locator("section", has=at_fabrik.get_by_role("heading", name="Soutiens"))
    assert popcafe.name in supporters.inner_text()
    evaluation = at_fabrik.locator(
        "section", has=at_fabrik.get_by_role("heading", name="Évaluation par les pairs")
    )
    said = evaluation.inner_text()
    assert "1 évaluation(s)" in said and "4 / 5" in said and "3 / 5" in said
    assert "Le calendrier est serré." in said
    comments = at_fabrik.locator("ol.comments > li")
    assert comments.count() == 2
    assert "Nous l'utiliserons dès la rentrée." in comments.nth(0).inner_text()
    assert popcafe.name in comments.nth(0).inner_text()
    assert "Je peux tester les caisses." in comments.nth(1).inner_text()
    assert at_fabrik.get_by_label("Votre commentaire").count() == 0
    accessible(at_fabrik)
    screenshot(at_fabrik, "step-social")
