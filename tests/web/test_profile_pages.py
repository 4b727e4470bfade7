"""The member's profile, projects and the team's validation queue in Chromium on a phone, at
La Coroutine: Alice fills in her profile, keeps her availability for the network's places,
reads the preview of each audience, asks to be listed as a resident and submits a project;
Théo of the team validates both; her public page then shows the project, never the
availability."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from federation_tests.network import LocalPlace, wait_for

from .conftest import PHONE, accessible, screenshot, sign_up


@pytest.fixture(scope="module")
def coroutine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlace]:
    root: Path = tmp_path_factory.mktemp("profile")
    place = LocalPlace(root, "coroutine", "La Coroutine")
    place.init()
    place.start()
    try:
        yield place
    finally:
        place.stop()


def test_a_member_sets_who_sees_each_field_and_the_team_validates(
    phone: Page, browser: Browser, coroutine: LocalPlace
) -> None:
    sign_up(phone, coroutine, "alice", "--name", "Alice")
    phone.get_by_role("link", name="Mon profil").click()
    phone.wait_for_url(f"{coroutine.base_url}/moi/profil")
    assert phone.locator("h1").inner_text() == "Mon profil"
    phone.get_by_label("Nom", exact=True).fill("Alice Martin")
    phone.get_by_label("Présentation").fill("Soudeuse, je répare les vélos cargos.")
    phone.get_by_label("Soudure").check()
    skills = phone.get_by_role("group", name="Compétences", exact=True)
    skills.get_by_role("radio", name="Tout le monde").check()
    availability = phone.get_by_role("group", name="Disponibilités")
    availability.get_by_role("textbox").fill("le mardi soir")
    availability.get_by_role("radio", name="Les lieux du réseau").check()
    phone.get_by_role("button", name="Enregistrer mon profil").click()
    phone.wait_for_url(f"{coroutine.base_url}/moi/profil?enregistre=*")
    assert "Profil enregistré" in phone.get_by_role("status").first.inner_text()

    everyone = phone.get_by_role("region", name="Tout le monde")
    network = phone.get_by_role("region", name="Les lieux du réseau")
    mine = phone.get_by_role("region", name="Moi et l'équipe du lieu")
    assert "Soudure" in everyone.inner_text() and "mardi" not in everyone.inner_text()
    assert "le mardi soir" in network.inner_text() and "le mardi soir" in mine.inner_text()
    accessible(phone)
    screenshot(phone, "profile")

    phone.get_by_role("button", name="Demander à figurer dans la résidentothèque").click()
    assert "Demande envoyée" in phone.get_by_role("status").first.inner_text()
    wait_for(
        lambda: coroutine.query("SELECT 1 FROM residents WHERE state = 'pending'"),
        what="Alice's Join waiting for the team",
    )

    phone.goto(f"{coroutine.base_url}/moi/projets")
    phone.get_by_label("Titre").fill("Atelier vélo cargo")
    phone.get_by_label("Description").fill("Construire ensemble un vélo cargo en bois.")
    phone.get_by_label("Lien (facultatif)").fill("https://velo-cargo.example/")
    phone.get_by_role("button", name="Envoyer à l'équipe du lieu").click()
    assert "Projet envoyé" in phone.get_by_role("status").inner_text()
    assert "en attente" in phone.locator(".projects").inner_text()
    accessible(phone)
    screenshot(phone, "projects")

    context = browser.new_context(viewport=PHONE, locale="fr-FR", has_touch=True)
    try:
        team = context.new_page()
        sign_up(team, coroutine, "theo", "--name", "Théo", "--role", "team")
        team.goto(f"{coroutine.base_url}/equipe/validation")
        assert team.locator("h1").inner_text() == "À valider"
        accessible(team)
        screenshot(team, "validation")
        team.get_by_role("button", name="Valider Alice Martin").click()
        assert "Résident·e validé·e" in team.get_by_role("status").inner_text()
        team.get_by_role("button", name="Accepter et publier Atelier vélo cargo").click()
        assert "Projet publié" in team.get_by_role("status").inner_text()
        assert "Aucun projet en attente." in team.locator("main").inner_text()
    finally:
        context.close()

    phone.reload()
    assert "publié" in phone.locator(".projects").inner_text()
    phone.goto(coroutine.actor_id("alice"))
    public = phone.locator("main").inner_text()
    assert "Atelier vélo cargo" in public and "Soudure" in public
    assert "mardi" not in public
