"""The node's SQLite tables, one owner module each.

A table's owner holds its schema and every statement that touches it, as named functions
(`follows.add`, `deliveries.enqueue` …) that take a connection: the store's writer inside
`store.write()`, or its reader (`store.reads`) outside one. Routes, CLIs and activity handlers
call those functions, never SQL; `tests/node/test_layout.py` checks that no SQL text lives
anywhere else in `node/` but here, in `store.py`, `sqlite.py` and `migrations.py`.

`public.py` is no table: it holds the SQL form of the "is public" rule that `activities` and
`objects` page their public collections with.

A change to a table that already exists also needs a step in `node/migrations.py`:
CREATE … IF NOT EXISTS leaves old files as they are.
"""

from __future__ import annotations

from . import (
    accounts,
    activities,
    backfills,
    badge_texts,
    claim_runs,
    claims,
    credit_accounts,
    deliveries,
    door_contacts,
    door_policy,
    embed_sites,
    erasures,
    event_participants,
    event_requests,
    follows,
    grants,
    inbox_items,
    inbox_queue,
    inbox_refusals,
    invitations,
    ledger,
    local_actors,
    matching_rules,
    meta,
    objects,
    origins,
    passkeys,
    peer_credit,
    peers,
    place_details,
    place_settings,
    profile_fields,
    projects,
    public_graph,
    reactions,
    remote_actors,
    residents,
    retired_keys,
    revocations,
    sessions,
    settlements,
    signature_schemes,
    step_pledges,
    steps,
    taps,
    tokens,
    visit_reports,
    visits,
)

# The order files were created in so far, kept so that a fresh file matches a migrated one.
SCHEMAS: tuple[str, ...] = (
    meta.SCHEMA,
    local_actors.SCHEMA,
    tokens.SCHEMA,
    remote_actors.SCHEMA,
    activities.SCHEMA,
    objects.SCHEMA,
    inbox_queue.SCHEMA,
    inbox_items.SCHEMA,
    follows.SCHEMA,
    reactions.SCHEMA,
    deliveries.SCHEMA,
    peers.SCHEMA,
    grants.SCHEMA,
    revocations.SCHEMA,
    visits.SCHEMA,
    taps.SCHEMA,
    retired_keys.SCHEMA,
    door_policy.SCHEMA,
    signature_schemes.SCHEMA,
    claims.SCHEMA,
    ledger.SCHEMA,
    settlements.SCHEMA,
    credit_accounts.SCHEMA,
    peer_credit.SCHEMA,
    claim_runs.SCHEMA,
    public_graph.SCHEMA,
    event_participants.SCHEMA,
    event_requests.SCHEMA,
    backfills.SCHEMA,
    residents.SCHEMA,
    profile_fields.SCHEMA,
    place_details.SCHEMA,
    origins.SCHEMA,
    visit_reports.SCHEMA,
    embed_sites.SCHEMA,
    place_settings.SCHEMA,
    accounts.SCHEMA,
    sessions.SCHEMA,
    invitations.SCHEMA,
    passkeys.SCHEMA,
    projects.SCHEMA,
    badge_texts.SCHEMA,
    erasures.SCHEMA,
    door_contacts.SCHEMA,
    inbox_refusals.SCHEMA,
    steps.SCHEMA,
    step_pledges.SCHEMA,
    matching_rules.SCHEMA,
)
