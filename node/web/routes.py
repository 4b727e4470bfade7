"""The pages, assembled: those with a URL of their own, and those that share a URL with a JSON
document (an actor, an object, a collection), which `app` puts behind `negotiation`."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from . import (
    actors,
    agenda,
    census,
    commons,
    embed,
    governance,
    i18n,
    indieauth,
    interaction,
    network,
    objects,
    observatory,
    place,
    questions,
    residents,
    signin,
    signup,
    steps,
)
from .member import badge as my_badge
from .member import calls as member_calls
from .member import data as my_data
from .member import history as my_history
from .member import participation
from .member import profile as member_profile
from .member import projects as member_projects
from .member import publishing as my_publishing
from .member import sessions as my_sessions
from .member import step_comments as my_step_comments
from .negotiation import Endpoint
from .team import calls as team_calls
from .team import claims as team_claims
from .team import dashboard as team_dashboard
from .team import decisions as team_decisions
from .team import deliveries as team_deliveries
from .team import doors as team_doors
from .team import members as team_members
from .team import peers as team_peers
from .team import place as team_place
from .team import publishing as team_publishing
from .team import settlements as team_settlements
from .team import step_actions as team_step_actions
from .team import steps as team_steps
from .team import surveys as team_surveys
from .team import validation as team_validation
from .team import work as team_work

i18n.english(
    {
        "Cette adresse ne mène à rien ici : elle a peut-être changé, ou la page a été retirée.": (
            "This address leads nowhere here: it may have changed, or the page was removed."
        ),
        "Retour à l'accueil": "Back to the home page",
    }
)

STATIC = Path(__file__).parent / "static"

# Path of a JSON route → the page a browser gets there instead.
PAGES: dict[str, Endpoint] = {
    "/actors/{handle}": actors.page,
    "/objects/{oid}": objects.page,
    "/agenda": agenda.page,
    "/network/agenda": agenda.network_page,
    "/residents": residents.page,
    "/needs": commons.needs_page,
    "/pledges": commons.pledges_page,
    "/decisions/{did}": governance.decision_page,
}
PAGES["/actors/{handle}"] = indieauth.with_metadata_link(PAGES["/actors/{handle}"])

ROUTES: list[BaseRoute] = [
    Route("/", place.page),
    Route("/interact", interaction.interact),
    Route("/network", network.page),
    Route("/questions", questions.page),
    Route("/questions/{question}.csv", questions.table_csv),
    *embed.ROUTES,
    Route("/connexion", signin.signin_page, methods=["GET", "POST"]),
    Route("/deconnexion", signin.signout, methods=["POST"]),
    Route("/invitation/{token}", signin.invitation_page, methods=["GET", "POST"]),
    Route("/moi", signin.my_page),
    Route("/moi/cles/options", signin.my_passkey_options, methods=["POST"]),
    Route("/moi/cles", signin.my_passkey_add, methods=["POST"]),
    Route("/moi/cles/{id}/supprimer", signin.my_passkey_remove, methods=["POST"]),
    Route("/invitation/{token}/cle/options", signin.invitation_passkey_options, methods=["POST"]),
    Route("/invitation/{token}/cle", signin.invitation_passkey, methods=["POST"]),
    Route("/connexion/cle/options", signin.signin_passkey_options, methods=["POST"]),
    Route("/connexion/cle", signin.signin_passkey, methods=["POST"]),
    Route("/moi/profil", member_profile.page, methods=["GET", "POST"]),
    Route("/moi/profil/residence", member_profile.ask_residency, methods=["POST"]),
    Route("/moi/projets", member_projects.page, methods=["GET", "POST"]),
    Route("/equipe/validation", team_validation.page),
    Route("/equipe/validation/residents", team_validation.decide_resident, methods=["POST"]),
    Route("/equipe/validation/projets", team_validation.decide_project, methods=["POST"]),
    Route("/equipe/validation/adhesions", team_validation.decide_signup, methods=["POST"]),
    *signup.ROUTES,
    *team_dashboard.ROUTES,
    *team_members.ROUTES,
    *team_publishing.ROUTES,
    *team_place.ROUTES,
    Route("/moi/badge", my_badge.page),
    Route("/moi/passages", my_history.visits_page),
    Route("/moi/credit", my_history.credit_page),
    Route("/moi/evenements", my_history.events_page),
    Route("/moi/publier", my_publishing.page, methods=["GET", "POST"]),
    Route("/moi/donnees", my_data.page),
    Route("/moi/donnees/export.jsonld", my_data.download),
    Route("/moi/donnees/effacer", my_data.erase, methods=["POST"]),
    Route("/compte-efface", my_data.erased),
    Route("/equipe/pairs", team_peers.page, methods=["GET", "POST"]),
    Route("/equipe/pairs/retirer", team_peers.remove, methods=["POST"]),
    Route("/equipe/pairs/{key}.csv", team_peers.ledger_csv),
    Route("/equipe/pairs/{key}", team_peers.ledger_page),
    Route("/equipe/reclamations", team_claims.page),
    Route("/equipe/reclamations/envoyer", team_claims.send, methods=["POST"]),
    Route("/equipe/reclamations/decider", team_claims.decide, methods=["POST"]),
    Route("/equipe/reclamations/regles", team_claims.rules, methods=["POST"]),
    Route("/equipe/reglements", team_settlements.page),
    Route("/equipe/reglements/declarer", team_settlements.declare, methods=["POST"]),
    Route("/equipe/reglements/repondre", team_settlements.answer, methods=["POST"]),
    Route("/equipe/portes", team_doors.page),
    Route("/equipe/portes/inscrire", team_doors.enrol, methods=["POST"]),
    Route("/equipe/portes/retirer", team_doors.retire, methods=["POST"]),
    Route("/equipe/envois", team_deliveries.page),
    Route("/equipe/envois/relancer", team_deliveries.retry, methods=["POST"]),
    Route("/equipe/travaux", team_work.page),
    Route("/.well-known/oauth-authorization-server", indieauth.metadata_document),
    Route("/auth", indieauth.authorize, methods=["GET", "POST"]),
    Route("/auth/token", indieauth.token_endpoint, methods=["POST"]),
    Route("/connexion/lieu", indieauth.start, methods=["POST"]),
    Route("/connexion/lieu/retour", indieauth.back),
    Route("/deconnexion/lieu", indieauth.signout, methods=["POST"]),
    Route("/participer", agenda.participate, methods=["POST"]),
    Route("/communs", census.commons_page),
    Route("/surveys/{sid}/results", census.results),
    Route("/surveys/{sid}/results.csv", census.results_csv),
    Route("/equipe/enquetes", team_surveys.page, methods=["GET", "POST"]),
    Route("/equipe/enquetes/repondre", team_surveys.answer, methods=["GET", "POST"]),
    Route("/equipe/enquetes/resultats", team_surveys.results),
    Route("/equipe/enquetes/communs", team_surveys.add_items, methods=["POST"]),
    Route("/moi/participer", participation.page, methods=["GET", "POST"]),
    Route("/moi/sessions/fermer", my_sessions.close_others, methods=["POST"]),
    Route("/moi/sessions/{id}/fermer", my_sessions.close_one, methods=["POST"]),
    Route("/decisions/{did}/verification", governance.verification_page),
    Route("/observatoire", observatory.page),
    Route("/observatoire.csv", observatory.table_csv),
    Route("/observatoire.jsonld", observatory.table_jsonld),
    *team_decisions.ROUTES,
    *team_steps.ROUTES,
    Route("/etape", steps.held_page),
    *team_step_actions.ROUTES,
    *my_step_comments.ROUTES,
    Route("/moi/appels", member_calls.page, methods=["GET", "POST"]),
    Route("/moi/appels/visibilite", member_calls.visibility, methods=["POST"]),
    Route("/equipe/appels", team_calls.page, methods=["GET", "POST"]),
    Route("/equipe/appels/confirmer", team_calls.confirm, methods=["POST"]),
    Route("/equipe/appels/heures", team_calls.hours, methods=["POST"]),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
]
