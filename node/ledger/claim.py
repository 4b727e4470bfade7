"""Claims (`tl:Claim`): build and check. Pure functions.

The visited place B lists the visits of A's members in a period at the rate B believes was
agreed; A checks each line against what it knows (the visits B reported to it, its own
grants, the rate A agreed) and answers, per line, accepted or refused with a reason word.

Visits a peer cannot invent (issue 10): B reports each visit to A when the badge is tapped, so
A knows when it first heard of it. A line is paid only for a visit reported promptly (within
`Rules.report_window` of the tap: a burst of visits made up later and backdated arrives too
late) and plausibly (one visit per grant per place per `Rules.visit_spacing`: taps closer than
that to an earlier one are the same stay).
"""

from __future__ import annotations

import calendar
import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import ConfigError
from ..timestamps import posix_to_wire, wire_to_posix
from .money import from_cents, to_cents

CLAIM = "tl:Claim"
CLOCK_SKEW = 300  # the same tolerance as a door's: a door's clock may be a few minutes off

REASONS_FR = {
    "unknown_visit": "passage inconnu : ce lieu ne nous l'a jamais signalé",
    "grant_mismatch": "le badge ne correspond pas à celui du passage signalé",
    "already_claimed": "passage déjà réclamé et accepté",
    "duplicate_line": "passage présent deux fois dans la réclamation",
    "grant_revoked": "badge révoqué au moment du passage",
    "grant_expired": "badge expiré (ou pas encore valable) au moment du passage",
    "unknown_grant": "badge inconnu : nous ne l'avons pas délivré",
    "rate_not_agreed": "tarif non convenu avec ce lieu",
    "outside_period": "passage hors de la période réclamée",
    "bad_signature": "signature de la réclamation invalide",
    "not_addressed": "réclamation adressée à un autre lieu",
    "not_reported_promptly": "passage non signalé à temps : ce lieu ne nous l'a pas signalé "
    "dans le délai convenu après le badge",
    "too_frequent": "passage trop rapproché d'un autre passage du même badge dans ce lieu "
    "(même séjour)",
    "conflict": "réclamation déjà reçue sous le même identifiant avec d'autres lignes",
    "disputed": "contesté par l'équipe du lieu d'origine",
}
REASONS_EN = {
    "unknown_visit": "unknown visit: this place never reported it to us",
    "grant_mismatch": "the grant does not match the reported visit's",
    "already_claimed": "visit already claimed and accepted",
    "duplicate_line": "visit listed twice in the claim",
    "grant_revoked": "grant revoked at the time of the visit",
    "grant_expired": "grant expired (or not yet valid) at the time of the visit",
    "unknown_grant": "unknown grant: we did not issue it",
    "rate_not_agreed": "rate not agreed with this place",
    "outside_period": "visit outside the claimed period",
    "bad_signature": "invalid claim signature",
    "not_addressed": "claim addressed to another place",
    "not_reported_promptly": "visit not reported in time: this place did not report it to us "
    "within the agreed delay after the tap",
    "too_frequent": "visit too close to another visit with the same grant at this place "
    "(the same stay)",
    "conflict": "claim already received under the same id with different lines",
    "disputed": "disputed by the home place's team",
}
DISPUTED = "disputed"  # a line the home place's team refused by hand, saying why
MAX_NOTE = 500  # characters of the team's reason for a dispute, as kept and sent


# --- periods -----------------------------------------------------------------------------


def period_bounds(period: str) -> tuple[float, float]:
    """`"2025-05"` -> the UTC timestamps of its first instant and of the next month's."""
    try:
        start = datetime.strptime(period, "%Y-%m").replace(tzinfo=UTC)
    except ValueError as exc:
        raise ConfigError(
            f"period {period!r} is not YYYY-MM",
            fr=f"La période « {period} » doit être un mois, écrit AAAA-MM (par exemple 2025-05).",
            en=f"The period '{period}' must be a month, written YYYY-MM (for example 2025-05).",
        ) from exc
    days = calendar.monthrange(start.year, start.month)[1]
    return start.timestamp(), start.timestamp() + days * 86400


def period_of(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m")


def previous_period(moment: float) -> str:
    """The last month that has fully ended at `moment`."""
    day = datetime.fromtimestamp(moment, UTC)
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return f"{year:04d}-{month:02d}"


# --- building ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    visit: str  # the tl:Visit id, minted by the visited place
    visited_at: float
    grant: str
    visitor: str
    amount_cents: int
    credit_account: str | None = None

    def to_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "tl:visit": self.visit,
            "startTime": posix_to_wire(self.visited_at),
            "tl:grant": self.grant,
            "tl:visitor": self.visitor,
            "tl:amount": from_cents(self.amount_cents),
        }
        if self.credit_account is not None:
            line["tl:creditAccount"] = self.credit_account
        return line

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Line:
        return cls(
            visit=str(data["tl:visit"]),
            visited_at=wire_to_posix(str(data["startTime"])),
            grant=str(data["tl:grant"]),
            visitor=str(data.get("tl:visitor", "")),
            amount_cents=to_cents(str(data["tl:amount"])),
            credit_account=data.get("tl:creditAccount"),
        )


def build(
    claim_id: str,
    creditor: str,
    debtor: str,
    period: str,
    rate_cents: int,
    currency: str,
    lines: Iterable[Line],
    published: float,
) -> dict[str, Any]:
    """The unsigned claim document."""
    lines = list(lines)
    return {
        "id": claim_id,
        "type": CLAIM,
        "attributedTo": creditor,
        "tl:debtor": debtor,
        "tl:period": period,
        "tl:rate": from_cents(rate_cents),
        "tl:currency": currency,
        "tl:total": from_cents(sum(line.amount_cents for line in lines)),
        "tl:lines": [line.to_json() for line in lines],
        "published": posix_to_wire(published),
        "summary": f"Réclamation de {len(lines)} passage(s) pour {period}",
        "to": [debtor],
    }


# --- checking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownVisit:
    """A visit of one of our members, as the visited place reported it to us."""

    id: str
    place: str
    grant: str
    visited_at: float
    reported_at: float | None = None  # when we first heard of it; None: not known


@dataclass(frozen=True)
class Rules:
    """The home place's terms for paying a visit (`NodeConfig`'s claim settings, in seconds)."""

    report_window: float  # a report must reach us within this after the tap
    visit_spacing: float  # taps of one grant at one place closer than this: one stay; 0: off


@dataclass(frozen=True)
class KnownGrant:
    grant_id: str
    not_before: int
    expires: int
    revoked_at: float | None
    credit_account: str | None


@dataclass(frozen=True)
class Facts:
    """What the home place knows when it checks a claim."""

    place: str  # the checking place's actor id
    visits: dict[str, KnownVisit]
    grants: dict[str, KnownGrant]
    claimed: frozenset[str]  # visit ids already accepted in an earlier claim
    agreed_rate_cents: int | None  # None: the sender is not a peer
    agreed_currency: str | None
    rules: Rules
    # Other reported visits of the claimed grants at the claiming place that may precede a
    # claimed one by less than `rules.visit_spacing` (the claimed visits themselves need not
    # be repeated here).
    neighbours: tuple[KnownVisit, ...] = ()


@dataclass(frozen=True)
class Verdict:
    line: Line
    reason: str  # "ok" or a key of REASONS_FR
    credit_account: str | None = None  # the account our grant debits, for accepted lines

    @property
    def accepted(self) -> bool:
        return self.reason == "ok"


@dataclass(frozen=True)
class Checked:
    claim_id: str
    creditor: str
    period: str
    currency: str
    rate_cents: int
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def accepted(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.accepted]

    @property
    def refused(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.accepted]


def parse(claim: dict[str, Any]) -> Checked:
    """The claim's lines, unchecked. Raises ValueError/KeyError on a malformed claim."""
    lines = claim["tl:lines"]
    if not isinstance(lines, list):
        raise ValueError("tl:lines is not a list")
    return Checked(
        claim_id=str(claim["id"]),
        creditor=str(claim["attributedTo"]),
        period=str(claim["tl:period"]),
        currency=str(claim["tl:currency"]),
        rate_cents=to_cents(str(claim["tl:rate"])),
        verdicts=[Verdict(Line.from_json(line), "pending") for line in lines],
    )


def check(claim: dict[str, Any], facts: Facts, signature_ok: bool = True) -> Checked:
    """Every line of a claim, accepted ("ok") or refused with a reason word."""
    parsed = parse(claim)
    start, end = period_bounds(parsed.period)
    rate_agreed = (
        facts.agreed_rate_cents == parsed.rate_cents and facts.agreed_currency == parsed.currency
    )
    seen: set[str] = set()
    verdicts = []
    stays = same_stay(
        [*facts.visits.values(), *facts.neighbours], facts.rules.visit_spacing,
        lambda v: reported_promptly(v, facts.rules.report_window),
    )  # fmt: skip
    for pending in parsed.verdicts:
        line = pending.line
        reason, account = _check_line(
            claim, facts, parsed, line, (start, end), rate_agreed, seen, stays
        )
        if not signature_ok:
            reason = "bad_signature"
        seen.add(line.visit)
        verdicts.append(Verdict(line, reason, account if reason == "ok" else None))
    return Checked(
        parsed.claim_id, parsed.creditor, parsed.period, parsed.currency, parsed.rate_cents,
        verdicts,
    )  # fmt: skip


def _check_line(
    claim: dict[str, Any],
    facts: Facts,
    parsed: Checked,
    line: Line,
    period: tuple[float, float],
    rate_agreed: bool,
    seen: set[str],
    stays: frozenset[str],
) -> tuple[str, str | None]:
    if claim.get("tl:debtor") != facts.place:
        return "not_addressed", None
    if line.visit in seen:
        return "duplicate_line", None
    visit = facts.visits.get(line.visit)
    # Only visits the claiming place itself reported: a place cannot claim another's.
    if visit is None or visit.place != parsed.creditor:
        return "unknown_visit", None
    if visit.grant != line.grant:
        return "grant_mismatch", None
    if line.visit in facts.claimed:
        return "already_claimed", None
    if not period[0] <= visit.visited_at < period[1]:
        return "outside_period", None
    if not reported_promptly(visit, facts.rules.report_window):
        return "not_reported_promptly", None
    if visit.id in stays:
        return "too_frequent", None
    grant = facts.grants.get(visit.grant)
    if grant is None:
        return "unknown_grant", None
    if grant.revoked_at is not None and grant.revoked_at <= visit.visited_at:
        return "grant_revoked", None
    if not grant.not_before - CLOCK_SKEW <= visit.visited_at < grant.expires:
        return "grant_expired", None
    if not rate_agreed or line.amount_cents != parsed.rate_cents:
        return "rate_not_agreed", None
    return "ok", grant.credit_account


def reported_promptly(visit: KnownVisit, window: float) -> bool:
    """Whether the visited place told us of the visit within `window` after the tap (and not
    before it happened, beyond a door's clock skew): a visit made up later is dated back to
    fall in the claimed month, but we heard of it only when it was made up."""
    if visit.reported_at is None:
        return False
    return visit.visited_at - CLOCK_SKEW <= visit.reported_at <= visit.visited_at + window


def same_stay(
    visits: Iterable[KnownVisit], spacing: float, counts: Callable[[KnownVisit], bool]
) -> frozenset[str]:
    """The visits that continue a stay: less than `spacing` after another visit of the same
    grant at the same place (one that `counts`: a visit reported too late is not evidence of
    anything). Only the first tap of a stay is paid, whatever the number of taps, so a door
    that reports a burst of taps earns one visit. Ties in time are broken by id."""
    if spacing <= 0:
        return frozenset()
    by_badge: dict[tuple[str, str], list[KnownVisit]] = {}
    for visit in {v.id: v for v in visits}.values():
        if counts(visit):
            by_badge.setdefault((visit.grant, visit.place), []).append(visit)
    continued: set[str] = set()
    for taps in by_badge.values():
        taps.sort(key=lambda v: (v.visited_at, v.id))
        for before, after in itertools.pairwise(taps):
            if after.visited_at - before.visited_at < spacing:
                continued.add(after.id)
    return frozenset(continued)


# The parts of a claim whose change under the same id is a conflict, not a re-sending.
_TERMS = ("attributedTo", "tl:debtor", "tl:period", "tl:rate", "tl:currency")


def same_claim(first: dict[str, Any], again: dict[str, Any]) -> bool:
    """Whether a claim received again under an id we know is the same claim (a re-sending:
    answered once already) rather than other lines under a used id (a conflict). The proof
    and the wording may differ; the terms and the set of lines may not."""

    def lines(claim: dict[str, Any]) -> list[str]:
        raw = claim.get("tl:lines")
        items = raw if isinstance(raw, list) else [raw]
        return sorted(json.dumps(line, sort_keys=True) for line in items)

    return all(first.get(k) == again.get(k) for k in _TERMS) and lines(first) == lines(again)
