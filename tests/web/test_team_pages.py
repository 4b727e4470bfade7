"""The place team's pages in Chromium on a phone, at PopCafé: an administrator invited by the
CLI signs in, opens the dashboard, invites a member, issues a badge from a member's page (the
checkin takes it, and the dashboard shows the visitor), publishes an event and cancels it, and
opens the needs, pledges and place pages; axe and a screenshot on every page.

`sign_in_team` and `issue_badge` are the journey's steps for other tests (a cross-node
acceptance test checks in with the badge issued here)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page

from federation_tests.network import MEMBER_NAMES, LocalPlace

from .conftest import accessible, screenshot, sign_up


def sign_in_team(page: Page, place: LocalPlace, handle: str, role: str = "admin") -> None:
    """Invite `handle` at `place` with `role` (the CLI), then sign `page` in through the link."""
    sign_up(page, place, handle, "--name", handle.capitalize(), "--role", role)


def issue_badge(page: Page, base_url: str, handle: str, card_uid: str = "", days: int = 0) -> str:
    """With `page` signed in as the team of the place at `base_url`, issue a badge to its member
    `handle` from the member's page; the badge's `BIL1:` text, as the page shows it."""
    page.goto(f"{base_url}/equipe/membres/{handle}")
    if card_uid:
        page.get_by_label("UID de la carte (hexadécimal, facultatif)").fill(card_uid)
    if days:
        page.get_by_label("Validité (jours)").fill(str(days))
    page.get_by_role("button", name="Délivrer le badge").click()
    page.get_by_role("heading", level=1, name=re.compile("^Badge délivré")).wait_for()
    text = page.locator("#badge-text").input_value()
    assert text.startswith("BIL1:"), text
    return text


def test_the_team_runs_the_place_from_the_browser(phone: Page, popcafe: LocalPlace) -> None:
    base = popcafe.base_url
    sign_in_team(phone, popcafe, "tessa")

    phone.goto(f"{base}/equipe")
    assert phone.get_by_role("heading", level=1).inner_text() == "Tableau de bord"
    accessible(phone)

    phone.get_by_role("link", name="Membres", exact=True).click()
    phone.wait_for_url(f"{base}/equipe/membres")
    phone.get_by_label("Identifiant (lettres, chiffres, tirets)").fill("ines")
    phone.get_by_label("Nom affiché").fill("Inès")
    phone.get_by_label("accueil à la porte").check()
    phone.get_by_role("button", name="Créer le lien d'invitation").click()
    link = phone.get_by_label("Lien à remettre", exact=True).input_value()
    assert link.startswith(f"{base}/invitation/")
    assert phone.get_by_role("img", name="QR code du lien").is_visible()
    assert "@ines" in phone.locator("table").inner_text()
    accessible(phone)
    screenshot(phone, "team-members")

    text = issue_badge(phone, base, "chloe", card_uid="04A224B2C31580")
    assert phone.get_by_role("img", name="QR code du badge").is_visible()
    assert "application/vnd.interlieux.bil" in phone.locator("main").inner_text()
    accessible(phone)
    screenshot(phone, "team-badge")
    checkin = popcafe.cli("checkin", "--data", str(popcafe.data), "--grant", text,
                          "--card-uid", "04A224B2C31580", "--door", "accueil")  # fmt: skip
    assert '"decision": "accept"' in checkin.stdout

    phone.goto(f"{base}/equipe/membres/chloe")
    assert "actif" in phone.locator("table").inner_text()
    accessible(phone)
    screenshot(phone, "team-member")

    phone.goto(f"{base}/equipe")
    visitors = phone.locator("table").inner_text()
    assert MEMBER_NAMES["chloe"] in visitors and "acceptée" in visitors
    accessible(phone)
    screenshot(phone, "team-dashboard")

    # An event far enough ahead not to change the agenda pages other tests read; cancelled.
    day = (datetime.now(UTC) + timedelta(days=400)).strftime("%Y-%m-%d")
    phone.goto(f"{base}/equipe/evenements")
    accessible(phone)
    screenshot(phone, "team-events")
    phone.get_by_label("Titre").fill("Assemblée des bénévoles")
    phone.get_by_label("Début").fill(f"{day}T18:30")
    phone.get_by_label("Capacité (places ; vide : sans limite)").fill("12")
    phone.get_by_label("sur demande (l'équipe accepte chaque demande)").check()
    phone.get_by_role("button", name="Publier").click()
    phone.wait_for_url(re.compile(r".*/equipe/evenements/[^/?]+\?fait=cree$"))
    assert "Publié" in phone.get_by_role("status").inner_text()
    public = phone.get_by_role("link", name="Voir la page publique").get_attribute("href")
    assert public and public.startswith(f"{base}/objects/")
    accessible(phone)
    screenshot(phone, "team-event")
    phone.get_by_role("button", name="Annuler l'événement").click()
    phone.wait_for_url(f"{base}/equipe/evenements?fait=annule")
    assert "Assemblée des bénévoles" not in phone.locator("main").inner_text()

    for path, heading, name in (
        ("/equipe/besoins", "Les besoins du lieu", "team-needs"),
        ("/equipe/engagements", "Les engagements du lieu", "team-pledges"),
        ("/equipe/lieu", "Les informations du lieu", "team-place"),
    ):
        phone.goto(f"{base}{path}")
        assert phone.get_by_role("heading", level=1).inner_text() == heading
        accessible(phone)
        screenshot(phone, name)
    assert phone.get_by_label("Ville").input_value() == "Lille"
