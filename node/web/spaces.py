"""The two signed-in spaces and their menus: the member's own (`/moi/…`) and the place's team's
(`/equipe/…`). Every page of a space extends `me_base.html` or `team_base.html`, which draw the
menu from these lists; a team entry shows only to members holding its role (the page itself is
still gated by `gate.requires`).
"""

from __future__ import annotations

from ..people import accounts
from . import i18n

# (path, French label)
MEMBER_SPACE: tuple[tuple[str, str], ...] = (
    ("/moi", "Accueil"),
    ("/moi/profil", "Mon profil"),
    ("/moi/projets", "Mes projets"),
    ("/moi/badge", "Mon badge"),
    ("/moi/passages", "Mes passages"),
    ("/moi/credit", "Mon crédit"),
    ("/moi/evenements", "Mes événements"),
    ("/moi/publier", "Publier"),
    ("/moi/appels", "Appels à bénévoles"),
    ("/moi/donnees", "Mes données"),
)

# (path, French label, role needed)
TEAM_SPACE: tuple[tuple[str, str, str], ...] = (
    ("/equipe", "Tableau de bord", accounts.DOOR),
    ("/equipe/membres", "Membres", accounts.TEAM),
    ("/equipe/validation", "À valider", accounts.TEAM),
    ("/equipe/projets", "Projets", accounts.TEAM),
    ("/equipe/evenements", "Événements", accounts.TEAM),
    ("/equipe/besoins", "Besoins", accounts.TEAM),
    ("/equipe/engagements", "Engagements", accounts.TEAM),
    ("/equipe/enquetes", "Enquêtes", accounts.TEAM),
    ("/equipe/appels", "Appels à bénévoles", accounts.TEAM),
    ("/equipe/lieu", "Le lieu", accounts.ADMIN),
    ("/equipe/pairs", "Lieux pairs", accounts.TEAM),
    ("/equipe/reclamations", "Réclamations", accounts.TEAM),
    ("/equipe/reglements", "Règlements", accounts.TEAM),
    ("/equipe/decisions", "Décisions", accounts.TEAM),
    ("/equipe/etapes", "Étapes et financements", accounts.TEAM),
    ("/equipe/portes", "Portes", accounts.DOOR),
    ("/equipe/envois", "Envois", accounts.ADMIN),
    ("/equipe/travaux", "Travaux en cours", accounts.ADMIN),
)


def team_menu(roles: frozenset[str]) -> list[tuple[str, str]]:
    """The team entries a member holding `roles` may open."""
    return [(path, label) for path, label, role in TEAM_SPACE if role in roles]


i18n.english(
    {
        "Mon espace": "My space",
        "Accueil": "Home",
        "Mon profil": "My profile",
        "Mes projets": "My projects",
        "Mon badge": "My badge",
        "Mes passages": "My visits",
        "Mon crédit": "My credit",
        "Mes événements": "My events",
        "Publier": "Publish",
        "Mes données": "My data",
        "Équipe du lieu": "Place team",
        "Tableau de bord": "Dashboard",
        "Membres": "Members",
        "À valider": "To validate",
        "Projets": "Projects",
        "Événements": "Events",
        "Besoins": "Needs",
        "Engagements": "Pledges",
        "Enquêtes": "Surveys",
        "Le lieu": "The place",
        "Lieux pairs": "Peer places",
        "Réclamations": "Claims",
        "Règlements": "Settlements",
        "Portes": "Doors",
        "Envois": "Deliveries",
        "Travaux en cours": "Work in progress",
        "Décisions": "Decisions",
        "Étapes et financements": "Steps and funding",
        "Appels à bénévoles": "Volunteer calls",
    }
)
