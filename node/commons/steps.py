"""Improvement steps and their co-financing across places: steps, signed pledges and funders'
signed matching rules as activities, kept as rows, and every node's totals from those rows.

- A place publishes a `Step` (its budget lines, currency, close, contributors, and the
  criteria places evaluate it on, `evaluation.DEFAULT_CRITERIA` unless the team names its
  own) to its followers, as any public object; every node that receives it keeps a `steps`
  row and the document (`step_documents`). Its home keeps its comments, `Note`s in reply to
  it, as its `replies` collection.
- A pledge (`tl:Pledge` that `funds` the step) and a matching rule (`tl:MatchingRule`) are
  signed by their author's Ed25519 key (`eddsa-jcs-2022`, `ledger.proof`, as claims are) when
  they are published, and sent to the step's home and to the author's followers.
- A received pledge or rule is checked while its sender waits (the routes' `on_arrival`): its
  proof must verify against its author's published key and its author must be the sender (or,
  re-announced, its id on its author's origin and the step on the announcer's): a forged one
  is refused with a 403 and the reason. Applied, it is checked again (the backfill reads
  outboxes without a POST) and kept as a parsed row (`step_pledges`, `matching_rules`).
- The step's home re-announces each pledge and rule of another place it kept (an `Announce`
  embedding the signed object, to its followers): a node that follows only the step's home
  gets every pledge, and checks each against its own author's key, not the home's word. A
  place that follows the home later reads those Announces from its outbox (the backfill,
  which fetches the authors' keys first).

Places' supports and evaluations of a step are signed the same way and take the same path
(`step_support.py`, `step_evaluation.py`; what they share is `signed.py`).

`totals` computes a step's totals with the pure `cofinancing.totals` from the rows alone, so
that every node holding the same rows prints the same thing, whatever order they arrived in: a
cap per place holds under concurrent pledges because it is applied to the sum of the place's
rows, never to a running balance.

Pledges to a step and rules are final once published: the outbox refuses an Update of one (a
place pledges again, a funder publishes another rule); a Delete does not change the rows.
"""

from __future__ import annotations

import html
import logging
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from vocab import shapes

from ..activity import id_of, on_origin, type_of
from ..actors import local
from ..actors.proof_keys import proof_keys
from ..agenda.handlers import refuse_if_invalid
from ..audience import is_public
from ..errors import ConfigError, FetchError, ForbiddenError, InvalidActivity, NotFoundError
from ..fetch import fetch_document
from ..ledger.money import from_cents
from ..routing import Route
from ..sqlite import Connection
from ..tables import matching_rules, step_documents, step_pledges, steps
from . import cofinancing, evaluation, signed
from .cofinancing import MATCHING_RULE, STEP, MatchingRule, Pledge, Step

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node
    from ..store import Store

log = logging.getLogger(__name__)
PLEDGE = "Pledge"
PUBLIC = signed.PUBLIC
REPLIES = "replies"  # the step's replies collection, at `<step id>/replies` on its home


# --- reading documents into rows (pure) ----------------------------------------------------


def step_row(document: dict[str, Any]) -> tuple[Step, str, str]:
    """(the step, its author, its name). Raises InvalidActivity on a malformed step."""
    try:
        step = Step.from_json(document)
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidActivity(
            f"malformed step {document.get('id')}: {exc!r}",
            fr="L'étape est mal formée : chaque ligne de budget doit avoir un nom et un montant "
            "(par exemple 1200.00), et l'étape une devise.",
            en="The step is malformed: each budget line needs a name and an amount (for "
            "example 1200.00), and the step a currency.",
        ) from exc
    try:
        evaluation.criteria_of(document)
    except ConfigError as exc:
        raise InvalidActivity(exc.log, fr=exc.fr, en=exc.en) from exc
    return step, str(id_of(document.get("attributedTo"))), str(document.get("name", ""))


def pledge_row(document: dict[str, Any]) -> Pledge:
    try:
        return Pledge.from_json(document)
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidActivity(
            f"malformed pledge {document.get('id')}: {exc!r}",
            fr="L'engagement est mal formé : un montant (par exemple 600.00), une devise, "
            "l'étape financée (« funds »).",
            en="The pledge is malformed: an amount (for example 600.00), a currency, the "
            "step it funds ('funds').",
        ) from exc


def rule_row(document: dict[str, Any]) -> MatchingRule:
    try:
        return MatchingRule.from_json(document)
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidActivity(
            f"malformed matching rule {document.get('id')}: {exc!r}",
            fr="La règle d'abondement est mal formée : un ratio positif d'au plus "
            f"{cofinancing.MAX_RATIO}, un plafond par lieu positif, une devise, les étapes.",
            en="The matching rule is malformed: a positive ratio of at most "
            f"{cofinancing.MAX_RATIO}, a positive cap per place, a currency, the steps.",
        ) from exc


def _rule_rows(rule: MatchingRule) -> list[matching_rules.Row]:
    return [
        (rule.id, step, rule.funder, str(rule.ratio), rule.cap_per_place_cents, rule.currency,
         rule.until, rule.published)
        for step in sorted(rule.steps)
    ]  # fmt: skip


def rules_from_rows(rows: list[matching_rules.Row]) -> list[MatchingRule]:
    """The rules as they were signed, each with all its steps (one row per step)."""
    by_id: dict[str, list[matching_rules.Row]] = {}
    for row in rows:
        by_id.setdefault(row[0], []).append(row)
    rules = []
    for rule_id, own in sorted(by_id.items()):
        _, _, funder, ratio, cap, currency, until, published = own[0]
        chosen = frozenset(r[1] for r in own)
        rules.append(
            MatchingRule(rule_id, funder, Decimal(ratio), cap, currency, chosen, until, published)
        )
    return rules


def step_content(obj: dict[str, Any]) -> str:
    """What a Mastodon user reads of a step: its name, its budget line by line."""
    lines = [f"<p><strong>Étape : {html.escape(str(obj.get('name', '')))}</strong></p>"]
    currency = html.escape(str(obj.get("currency", "")))
    items = "".join(
        f"<li>{html.escape(str(line.get('name', '')))} : {html.escape(str(line.get('amount')))}"
        f" {currency}</li>"
        for line in obj.get("budget") or []
        if isinstance(line, dict)
    )
    lines.append(f"<ul>{items}</ul>")
    criteria = obj.get("criteria")
    if isinstance(criteria, list) and criteria:
        listed = " ; ".join(html.escape(str(c)) for c in criteria)
        lines.append(f"<p>Critères d'évaluation : {listed}</p>")
    return "".join(lines)


def rule_content(obj: dict[str, Any]) -> str:
    cap = obj.get("capPerPlace")
    text = f"Abondement : {obj.get('matchRatio')} {obj.get('currency')} par {obj.get('currency')}"
    text += f" promis, plafonné à {cap} {obj.get('currency')} par lieu" if cap else " promis"
    return f"<p>{html.escape(text)}.</p>"


def readable(obj: dict[str, Any], kind: str, content: str) -> None:
    """The Note type and a French sentence beside the typed fields (in place), as needs."""
    types = obj["type"] if isinstance(obj["type"], list) else [obj["type"]]
    same = (kind, f"tl:{kind}", "Note")
    obj["type"] = [kind, *[t for t in types if t not in same], "Note"]
    obj["mediaType"] = "text/html"
    obj["content"] = content


# --- arrival ---------------------------------------------------------------------------------


async def _arrived(node: Node, activity: dict[str, Any]) -> None:
    """In the inbox's request: the proof against the author's key (fetched if need be), and,
    for a matching rule, a step of ours that it funds must exist."""
    obj, author = signed.signed_author(activity)
    await signed.announced_by_home(node.store.reads, activity, obj)
    signed.check_proof(obj, author, await proof_keys(node, obj, fetch=True))
    if type_of(obj) != MATCHING_RULE:
        return  # a pledge may fund something else of ours than a step (a project, a need)
    for step_id in signed.about(obj):
        if node.config.is_local(step_id) and await steps.get(node.store.reads, step_id) is None:
            raise NotFoundError(f"{type_of(obj)} {id_of(obj)} funds {step_id}: no such step here")


# --- activities ------------------------------------------------------------------------------


async def _validate_step(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    obj = activity["object"]
    refuse_if_invalid({k: v for k, v in obj.items() if k != "content"}, STEP)
    step_row(obj)
    # Published with the step, so that every node evaluates it on the same criteria.
    obj["criteria"] = list(evaluation.criteria_of(obj))


async def _publish_step(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    obj = activity["object"]
    readable(obj, STEP, step_content(obj))
    obj[REPLIES] = f"{obj['id']}/{REPLIES}"  # the comments its home keeps (AS2 `replies`)
    await _keep_step(db, obj)


async def _receive_step(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    obj = activity["object"]
    violations = shapes.check({k: v for k, v in obj.items() if k != "content"}, STEP)
    if violations:
        log.warning("step %s not kept: %s", obj.get("id"), "; ".join(v.en for v in violations))
        return
    try:
        await _keep_step(db, obj)
    except InvalidActivity as exc:
        log.warning("step %s not kept: %s", obj.get("id"), exc.log)


async def _keep_step(db: Connection, obj: dict[str, Any]) -> None:
    step, author, name = step_row(obj)
    now = time.time()
    await steps.add(db, step.id, author, name, step.currency, step.budget_cents, step.closes, now)
    await step_documents.add(db, step.id, obj, now)


async def _validate_pledge(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    funded = signed.about(activity["object"])
    row = await steps.get(node.store.reads, funded[0]) if funded else None
    if row is None:
        return  # a pledge to a project or a commons, not to a step we know: as before
    pledge = pledge_row(activity["object"])
    if pledge.currency != row["currency"]:
        raise InvalidActivity(
            f"pledge in {pledge.currency} to a step in {row['currency']}",
            fr=f"L'étape est budgétée en {row['currency']} : engagez-vous dans cette devise.",
            en=f"The step is budgeted in {row['currency']}: pledge in that currency.",
        )
    if pledge.amount_cents <= 0:
        raise InvalidActivity(
            "pledge of no amount",
            fr="Le montant de l'engagement doit être positif.",
            en="The pledge's amount must be positive.",
        )
    await signed.address_homes(node, activity, [pledge.step])


async def _validate_rule(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    obj = activity["object"]
    refuse_if_invalid({k: v for k, v in obj.items() if k != "content"}, MATCHING_RULE)
    rule = rule_row(obj)
    await signed.address_homes(node, activity, sorted(rule.steps))


async def _final(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    """A signed pledge to a step, or a rule, is not changed: every node keeps the first
    copy it checked, so an Update would leave the places disagreeing with its author."""
    obj = activity["object"]
    if type_of(obj) == PLEDGE and not any(
        [await steps.get(node.store.reads, step_id) for step_id in signed.about(obj)]
    ):
        return  # a pledge to a project or a commons: changed as before
    raise InvalidActivity(
        f"{type_of(obj)} {id_of(obj)} is signed and final",
        fr="Un engagement ou une règle d'abondement signés ne se modifient pas : publiez-en "
        "un nouveau.",
        en="A signed pledge or matching rule is not changed: publish a new one.",
    )


async def _publish_pledge(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    # After the commons domain made it a readable Note: what is signed is what is sent.
    obj = activity["object"]
    signed.sign(obj, actor)
    try:
        pledge = pledge_row(obj)
    except InvalidActivity:
        return  # a pledge to a project named without an address: no step's totals count it
    await step_pledges.add(db, _pledge_fields(pledge), time.time())


async def _publish_rule(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    obj = activity["object"]
    readable(obj, MATCHING_RULE, rule_content(obj))
    signed.sign(obj, actor)
    await matching_rules.add(db, _rule_rows(rule_row(obj)), time.time())


def _pledge_fields(pledge: Pledge) -> step_pledges.Row:
    return (pledge.id, pledge.place, pledge.step, pledge.amount_cents, pledge.currency,
            pledge.published)  # fmt: skip


async def _received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """A pledge or a rule, created by its author or re-announced by a step's home: checked
    again (the backfill brings activities without the inbox's arrival check, and the proof
    costs about 100 µs: less than telling the two apart), kept as rows, and re-announced if it
    funds one of our steps."""
    try:
        obj, author = signed.signed_author(activity)
        await signed.announced_by_home(db, activity, obj)
        signed.check_proof(obj, author, await proof_keys(node, obj, fetch=False))
        kind = type_of(obj)
        if kind == MATCHING_RULE:
            rule = rule_row(obj)
            new = await matching_rules.add(db, _rule_rows(rule), time.time())
            funded = sorted(rule.steps)
        else:
            pledge = pledge_row(obj)
            new = await step_pledges.add(db, _pledge_fields(pledge), time.time())
            funded = [pledge.step]
    except (ForbiddenError, InvalidActivity) as exc:
        log.warning("%s not kept: %s", id_of(activity.get("object")), exc.log)
        return
    # Our own (a member's pledge to the place's step, back through the inbox queue) already
    # went to our followers; another's is passed on once: by the Create that brought it, not
    # again when the same pledge comes back in another Create (a replay would make us repeat).
    if (
        new
        and type_of(activity) == "Create"
        and is_public(obj)
        and not node.config.is_local(author)
    ):
        await signed.announce(db, node, obj, funded)


# --- a step another node published ------------------------------------------------------------


async def known_step(node: Node, step_id: str) -> Any:
    """The step's row, read from its home (a signed GET) and kept when this node does not
    hold it yet: a place may pledge to a step of a place it does not follow."""
    row = await steps.get(node.store.reads, step_id)
    if row is not None:
        return row
    place = await local.by_handle(node.store, node.config.handle)
    try:
        document = await fetch_document(node.http, step_id, (place.key_id, place.keys.rsa_private))
    except FetchError as exc:
        raise NotFoundError(
            f"cannot read step {step_id}: {exc.log}",
            fr=f"Impossible de lire l'étape {step_id} : vérifiez l'adresse, ou réessayez plus "
            "tard si son serveur est en panne.",
            en=f"Cannot read the step {step_id}: check the address, or try again later if its "
            "server is down.",
        ) from exc
    if type_of(document) != STEP:
        raise NotFoundError(
            f"{step_id} is a {type_of(document)}, not a step",
            fr=f"{step_id} n'est pas une étape d'amélioration (c'est un « {type_of(document)} »).",
            en=f"{step_id} is not an improvement step (it is a '{type_of(document)}').",
        )
    step, author, _ = step_row(document)
    if not on_origin(step.id, author):
        raise NotFoundError(f"step {step_id} is attributed to {author}, of another origin")
    async with node.store.write() as db:
        await _keep_step(db, document)
    return await steps.get(node.store.reads, step_id)


# --- totals ------------------------------------------------------------------------------------


async def totals(store: Store, step_id: str, now: float | None = None) -> dict[str, Any]:
    """The step's totals from the rows this node holds (what `step totals --json` prints)."""
    row = await steps.get(store.reads, step_id)
    if row is None:
        raise NotFoundError(
            f"no step {step_id}",
            fr=f"Ce nœud ne connaît pas l'étape {step_id} : suivez le lieu qui l'a publiée, "
            "ou vérifiez l'adresse.",
            en=f"This node does not know the step {step_id}: follow the place that published "
            "it, or check the address.",
        )
    step = Step(row["id"], int(row["budget_cents"]), row["currency"], row["closes"])
    pledges = [Pledge(*r) for r in await step_pledges.for_step(store.reads, step_id)]
    rules = rules_from_rows(await matching_rules.for_step(store.reads, step_id))
    return cofinancing.totals(step, pledges, rules, time.time() if now is None else now)


async def step_summary(store: Store, step_id: str) -> dict[str, Any]:
    """The step's row as the team reads it (name, home, budget)."""
    row = await steps.get(store.reads, step_id)
    if row is None:
        return {}
    budget = from_cents(int(row["budget_cents"]))
    return {"id": row["id"], "name": row["name"], "author": row["author"], "budget": budget,
            "currency": row["currency"]}  # fmt: skip


ACTIVITY_ROUTES = [
    Route("Create", STEP, on_validate=_validate_step, on_publish=_publish_step,
          on_receive=_receive_step),
    Route("Create", PLEDGE, on_validate=_validate_pledge, on_publish=_publish_pledge,
          on_receive=_received, on_arrival=_arrived),
    Route("Create", MATCHING_RULE, on_validate=_validate_rule, on_publish=_publish_rule,
          on_receive=_received, on_arrival=_arrived),
    Route("Update", PLEDGE, on_validate=_final),
    Route("Update", MATCHING_RULE, on_validate=_final),
    Route("Announce", PLEDGE, on_receive=_received, on_arrival=_arrived),
    Route("Announce", MATCHING_RULE, on_receive=_received, on_arrival=_arrived),
]  # fmt: skip
