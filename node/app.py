"""One place's node: its state (`Node`) and its ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import context, follows, objects, reactions, routing, tokens
from .access import badge
from .access import routes as access_routes
from .access.peering import PeerKeys
from .actors import local, routes
from .actors.remote import Directory
from .agenda import backfill
from .agenda import handlers as agenda
from .agenda import routes as agenda_routes
from .agenda.backfill import BackfillWorker
from .commons import handlers as commons
from .commons import routes as commons_routes
from .commons import step_evaluation, step_support
from .commons import steps as cofinancing
from .commons import surveys_network as surveys
from .config import NodeConfig
from .directory import interests, place, projects, residents
from .directory import routes as directory_routes
from .errors import InterlieuxError
from .fetch import client
from .governance import network as governance
from .governance import routes as governance_routes
from .governance.closing import DecisionCloser
from .inbox.apply import InboxWorker
from .inbox.receive import receive
from .incoming import DEFAULT_MAX_IN_FLIGHT, InFlightLimit, read_json
from .ledger import credit, exchange, settlement
from .ledger import routes as ledger_routes
from .ledger.scheduler import ClaimScheduler
from .limits import Throttles
from .outbox import completion
from .outbox.availability import Availability
from .outbox.courier import Courier
from .outbox.delivery import DeliveryWorker
from .outbox.publish import publish
from .people import erasure
from .query import hooks as graph_hooks
from .query import routes as query_routes
from .query.client import EngineFailed, engine_for, stop_engines
from .store import Store
from .tables import backfills, deliveries, inbox_queue
from .volunteering import calls as volunteering
from .web import ns as ns_routes
from .web import routes as web_routes
from .web.negotiation import negotiate

log = logging.getLogger(__name__)
T = TypeVar("T")

# The routing table's domains, in the order their handlers run for the same activity: the
# client's activity completed first, then the core's effects (follows, reactions, objects),
# then the domains' (an event's Join before the place's, a claim's answer before a
# settlement's), and the public graph last, once every row it mirrors is written.
ACTIVITY_DOMAINS: tuple[tuple[str, list[routing.Route]], ...] = (
    ("completion", completion.ACTIVITY_ROUTES),
    ("follows", follows.ACTIVITY_ROUTES),
    ("reactions", reactions.ACTIVITY_ROUTES),
    ("objects", objects.ACTIVITY_ROUTES),
    ("erasure", erasure.ACTIVITY_ROUTES),
    ("badges", badge.ACTIVITY_ROUTES),
    ("backfill", backfill.ACTIVITY_ROUTES),
    ("agenda", agenda.ACTIVITY_ROUTES),
    ("commons", commons.ACTIVITY_ROUTES),
    # after the commons made a pledge a readable Note: what is signed is what is sent
    ("cofinancing", cofinancing.ACTIVITY_ROUTES),
    ("support", step_support.ACTIVITY_ROUTES),
    ("evaluations", step_evaluation.ACTIVITY_ROUTES),
    ("place", place.ACTIVITY_ROUTES),
    ("residents", residents.ACTIVITY_ROUTES),
    ("interests", interests.ACTIVITY_ROUTES),
    ("credit", credit.ACTIVITY_ROUTES),
    ("claims", exchange.ACTIVITY_ROUTES),
    ("settlements", settlement.ACTIVITY_ROUTES),
    ("governance", governance.ACTIVITY_ROUTES),
    ("surveys", surveys.ACTIVITY_ROUTES),
    ("volunteering", volunteering.ACTIVITY_ROUTES),
    ("graph", graph_hooks.ACTIVITY_ROUTES),
)


def activity_table() -> routing.Table:
    return routing.Table(ACTIVITY_DOMAINS)


class Node:
    """Everything one running node holds: settings, store, outgoing clients, workers."""

    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        self.routing = activity_table()
        self.store = Store(config.database)
        self.http: httpx.AsyncClient = client(allow_loopback=config.is_loopback)
        self.courier = Courier(allow_loopback=config.is_loopback)
        # In memory: this process alone serves the data folder (see node/limits.py).
        self.throttles = Throttles(config.rate_limits)
        self.availability = Availability(self.store)
        self.inbox_worker = InboxWorker(self)
        self.delivery = DeliveryWorker(self)
        self.claim_scheduler = ClaimScheduler(self)
        self.backfill = BackfillWorker(self)
        self.decision_closer = DecisionCloser(self)
        self.peer_keys = PeerKeys(self)
        self.directory: Directory  # set in start(): it signs with the place's key
        # A commit that made work due wakes its worker: no caller wakes one by hand.
        self.store.wake_on_commit(inbox_queue.QUEUE, self.inbox_worker.wake)
        self.store.wake_on_commit(deliveries.QUEUE, self.delivery.wake)
        self.store.wake_on_commit(backfills.QUEUE, self.backfill.wake)

    async def start(self, workers: bool = True) -> None:
        await self.store.open()
        await local.by_handle(self.store, self.config.handle)  # the place exists
        # Fetches are signed by the place: servers in "authorized fetch" mode refuse others.
        self.directory = Directory(self.store, self.http, self._place_signer, self.throttles)
        if workers:
            await self.availability.load()
            await self.delivery.start()
            self.claim_scheduler.start()
            # Started now so that the graph is read while the node warms up, not at the
            # first question.
            try:
                await engine_for(self.store.path).start()
            except EngineFailed as exc:  # /sparql says so; the rest of the node works
                log.error("the graph engine did not start: %s", exc)
            self.inbox_worker.start()
            self.backfill.start()
            self.decision_closer.start()
            self.peer_keys.start()

    async def _place_signer(self) -> tuple[str, rsa.RSAPrivateKey]:
        place = await local.by_handle(self.store, self.config.handle)
        return place.key_id, place.keys.rsa_private

    async def stop(self) -> None:
        await self.peer_keys.stop()
        await self.decision_closer.stop()
        await self.backfill.stop()
        await self.claim_scheduler.stop()
        await stop_engines()
        await self.delivery.stop()
        await self.inbox_worker.stop()
        await self.http.aclose()
        await self.courier.aclose()
        await self.store.close()


def with_pages(routes: list[BaseRoute]) -> list[BaseRoute]:
    """The routes, each JSON route that has a page at its path answering browsers with it."""
    out: list[BaseRoute] = []
    for route in routes:
        page = web_routes.PAGES.get(route.path) if isinstance(route, Route) else None
        if isinstance(route, Route) and page is not None:
            route = Route(route.path, negotiate(route.endpoint, page), methods=route.methods)
        out.append(route)
    return out


def run_with_node(config: NodeConfig, work: Callable[[context.Node], Awaitable[T]]) -> T:
    """Run one piece of the CLI's work with the node's store and outgoing client, without
    its workers or a server: what it queues is delivered by the running server."""

    async def session() -> T:
        node = Node(config)
        await node.start(workers=False)
        try:
            return await work(node)
        finally:
            await node.stop()

    return asyncio.run(session())


async def _inbox_post(request: Request) -> Response:
    node = routes.node_of(request)
    actor = await local.by_handle(node.store, request.path_params["handle"])  # 404 if unknown
    if actor.type == "Tombstone":  # an erased account takes nothing more (node/people/erasure)
        return JSONResponse({"error": "gone"}, status_code=410)
    return await receive(node, request, actor.handle)


async def _shared_inbox_post(request: Request) -> Response:
    return await receive(routes.node_of(request), request, None)


async def _outbox_post(request: Request) -> Response:
    node = routes.node_of(request)
    actor = await local.by_handle(node.store, request.path_params["handle"])
    authorization = request.headers.get("authorization")
    await tokens.require(
        node.store, authorization, actor.handle,
        fr="ce jeton n'est pas celui de ce compte", en="not your outbox",
    )  # fmt: skip
    node.throttles.outbox(tokens.fingerprint(authorization or ""), actor.handle)
    document = await read_json(request)
    await projects.refuse_unvalidated(node, actor, document)  # through the team's validation
    activity = await publish(node, actor, document)
    return routes.ActivityJSON(activity, status_code=201, headers={"location": activity["id"]})


def _lang(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "fr").lower().startswith("en") else "fr"


async def _interlieux_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InterlieuxError)
    return JSONResponse(
        {"error": exc.message(_lang(request))}, status_code=exc.status, headers=exc.headers
    )


def create_app(
    config: NodeConfig, workers: bool = True, max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
) -> Starlette:
    node = Node(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await node.start(workers=workers)
        log.info("%s serving %s", config.name, config.base_url)
        try:
            yield
        finally:
            await node.stop()

    app = Starlette(
        routes=with_pages(
            [
                Route("/.well-known/webfinger", routes.webfinger),
                Route("/.well-known/nodeinfo", routes.nodeinfo_links),
                Route("/nodeinfo/2.1", routes.nodeinfo),
                Route("/inbox", _shared_inbox_post, methods=["POST"]),
                Route("/actors/{handle}", routes.actor),
                Route("/actors/{handle}/inbox", _inbox_post, methods=["POST"]),
                Route("/actors/{handle}/inbox", routes.inbox, methods=["GET"]),
                Route("/actors/{handle}/outbox", _outbox_post, methods=["POST"]),
                Route("/actors/{handle}/outbox", routes.outbox, methods=["GET"]),
                Route("/actors/{handle}/followers", routes.followers),
                Route("/actors/{handle}/following", routes.following),
                Route("/objects/{oid}", routes.object_document),
                Route("/activities/{aid}", routes.activity_document),
                *access_routes.ROUTES,
                *ledger_routes.ROUTES,
                *agenda_routes.ROUTES,
                *directory_routes.ROUTES,
                *commons_routes.ROUTES,
                *governance_routes.ROUTES,
                *query_routes.ROUTES,
                *ns_routes.ROUTES,
                *web_routes.ROUTES,
            ]
        ),
        exception_handlers={InterlieuxError: _interlieux_error},
        middleware=[Middleware(InFlightLimit, limit=max_in_flight)],
        lifespan=lifespan,
    )
    app.state.node = node
    return app


if __name__ == "__main__":
    print(activity_table().describe())
