-- A node's database as the code before schema versioning made it (commit f6fb05e):
-- `interlieux init`, `member add`, `credit sell`, dumped with sqlite3's iterdump.
-- The actors' rows are left out (they hold private keys); the books are kept.
BEGIN TRANSACTION;
CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    object_id TEXT,
    document TEXT NOT NULL,
    local INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE claim_lines (
    claim_id TEXT NOT NULL REFERENCES claims(id),
    visit_id TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    visited_at REAL NOT NULL,
    amount_cents INTEGER NOT NULL,
    credit_account TEXT,                   -- the home place's credit account the visit debits
    state TEXT NOT NULL DEFAULT 'pending', -- pending -> accepted | rejected
    reason TEXT,                           -- why it was rejected (a claim.REASONS_FR key)
    PRIMARY KEY (claim_id, visit_id)
);
CREATE TABLE claim_runs (
    period TEXT PRIMARY KEY,
    ran_at REAL NOT NULL
);
CREATE TABLE claims (
    id TEXT PRIMARY KEY,                   -- the tl:Claim id, minted by the visited place
    direction TEXT NOT NULL,               -- sent | received
    offer_id TEXT NOT NULL,                -- the Offer that carried it: what answers refer to
    peer TEXT NOT NULL,                    -- the other place
    period TEXT NOT NULL,                  -- YYYY-MM
    rate_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    document TEXT NOT NULL,                -- the signed claim, kept to be checked again later
    created_at REAL NOT NULL,
    -- a sent claim waits for its answer; the delivery queue retries the Offer, and until an
    -- answer comes the team sees it as waiting ('claims list'), with no deadline of its own
    answered_at REAL
);
CREATE TABLE credit_accounts (
    name TEXT PRIMARY KEY,
    members TEXT NOT NULL DEFAULT '[]',    -- JSON list of member actor ids who may spend it
    currency TEXT NOT NULL,
    overdraft_cents INTEGER NOT NULL DEFAULT 0, -- how far below zero a door may still let in
    created_at REAL NOT NULL
);
INSERT INTO "credit_accounts" VALUES('metropole','["http://127.0.0.1:8999/actors/alice"]','EUR',0,1.79616548829560637471e+09);
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    activity_id TEXT NOT NULL,
    inbox TEXT NOT NULL,
    signer TEXT NOT NULL,                -- handle of the local actor whose key signs the POST
    state TEXT NOT NULL DEFAULT 'pending', -- pending -> delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    -- when to try next: exponential backoff with jitter, or the peer's Retry-After
    next_attempt_at REAL NOT NULL,
    -- a worker that took the row owns it until then; after a crash the lease runs out and the
    -- row is taken again, so nothing is lost (a peer may see a retry: ids make that harmless)
    locked_until REAL,
    last_error TEXT,                     -- why the last attempt failed, shown to the operator
    created_at REAL NOT NULL,
    finished_at REAL,
    UNIQUE (activity_id, inbox)
);
CREATE TABLE event_participants (
    event_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    join_id TEXT NOT NULL,               -- the Join, which a Leave or an Undo refers to
    created_at REAL NOT NULL,
    PRIMARY KEY (event_id, actor)
);
CREATE TABLE follows (
    follower TEXT NOT NULL,
    followee TEXT NOT NULL,
    activity_id TEXT NOT NULL,           -- the Follow, which Accept/Reject/Undo refer to
    state TEXT NOT NULL,                 -- pending | accepted
    created_at REAL NOT NULL,
    PRIMARY KEY (follower, followee)
);
CREATE TABLE grants (
    grant_id TEXT PRIMARY KEY,
    member TEXT NOT NULL,                  -- actor id
    card_hash TEXT,
    not_before INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    scope TEXT NOT NULL,
    credit_account TEXT,
    issued_at REAL NOT NULL,
    revoked_at REAL
);
CREATE TABLE inbox_items (
    owner TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    received_at REAL NOT NULL,
    PRIMARY KEY (owner, activity_id)
);
CREATE TABLE inbox_queue (
    activity_id TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    received_at REAL NOT NULL,
    target TEXT,                         -- handle whose inbox it was posted to; NULL: shared inbox
    state TEXT NOT NULL DEFAULT 'new',   -- new -> applied | failed
    attempts INTEGER NOT NULL DEFAULT 0, -- applying can fail on a transient fetch: retried
    next_attempt_at REAL NOT NULL DEFAULT 0, -- with backoff, so a dead sender is not hammered
    last_error TEXT
);
CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY,
    transaction_id INTEGER NOT NULL REFERENCES ledger_transactions(id),
    account TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    reference TEXT                         -- the visit, claim or payment the entry is about
);
INSERT INTO "ledger_entries" VALUES(1,1,'bank',10000,'EUR','metropole');
INSERT INTO "ledger_entries" VALUES(2,1,'credit:metropole',-10000,'EUR',NULL);
CREATE TABLE ledger_transactions (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,                    -- claim | settlement | credit_sale
    memo TEXT NOT NULL DEFAULT '',
    booked_at REAL NOT NULL
);
INSERT INTO "ledger_transactions" VALUES(1,'credit_sale:12039403-5e45-4ca1-8def-8819e7ac5ddf','credit_sale','Vente de crédit à metropole',1.79616548829603815077e+09);
CREATE TABLE local_actors (
    handle TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,                -- Organization (the place) or Person (a member)
    name TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    manually_approves INTEGER NOT NULL DEFAULT 0,
    rsa_private_pem TEXT NOT NULL,
    ed25519_private_pem TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO "meta" VALUES('schema_version','1');
CREATE TABLE objects (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    attributed_to TEXT,
    document TEXT NOT NULL,
    local INTEGER NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    deleted_at REAL
);
CREATE TABLE peer_credit (
    issuer TEXT NOT NULL,
    account TEXT NOT NULL,
    remaining_cents INTEGER NOT NULL,
    overdraft_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    as_of REAL NOT NULL,
    PRIMARY KEY (issuer, account)
);
CREATE TABLE peers (
    actor_id TEXT PRIMARY KEY,
    added_at REAL NOT NULL,
    visit_rate TEXT NOT NULL DEFAULT '0',   -- agreed price per visit (compensation), decimal
    currency TEXT NOT NULL DEFAULT 'EUR'
);
CREATE TABLE place_details (
    handle TEXT PRIMARY KEY,
    details TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE profile_fields (
    handle TEXT NOT NULL,
    field TEXT NOT NULL,                 -- skill | availability | projects
    value TEXT NOT NULL,                 -- JSON
    visibility TEXT NOT NULL,
    PRIMARY KEY (handle, field)
);
CREATE TABLE public_graph (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    local INTEGER NOT NULL,
    document TEXT,                       -- the public JSON document; NULL once gone or private
    ntriples TEXT,                       -- its triples; NULL once gone or private
    -- change counter: a process holding the graph in memory applies the rows with a higher
    -- seq than the last it saw, so that a Delete removes the triples everywhere
    seq INTEGER NOT NULL
);
CREATE TABLE reactions (
    activity_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    object_id TEXT NOT NULL
);
CREATE TABLE remote_actors (
    id TEXT PRIMARY KEY,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    followers TEXT,
    key_id TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    document TEXT NOT NULL,
    fetched_at REAL NOT NULL
);
CREATE TABLE residents (
    actor TEXT PRIMARY KEY,
    place TEXT NOT NULL,
    join_id TEXT,                        -- the member's Join, answered by the place's Accept
    state TEXT NOT NULL,                 -- pending | accepted
    created_at REAL NOT NULL,
    accepted_at REAL
);
CREATE TABLE retired_keys (
    key_id TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    public_multibase TEXT NOT NULL,
    retired_at REAL NOT NULL
);
CREATE TABLE revocations (
    issuer TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    revoked_at REAL NOT NULL,
    PRIMARY KEY (issuer, grant_id)
);
CREATE TABLE settlements (
    id TEXT PRIMARY KEY,                   -- the tl:Settlement id, minted by who declared it
    direction TEXT NOT NULL,               -- sent (we declared it) | received
    offer_id TEXT NOT NULL,
    peer TEXT NOT NULL,
    payer TEXT NOT NULL,
    payee TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    reference TEXT NOT NULL,               -- the bank transfer's reference, for the accountant
    state TEXT NOT NULL DEFAULT 'pending', -- pending -> confirmed | refused
    created_at REAL NOT NULL
);
CREATE TABLE taps (
    report_id TEXT PRIMARY KEY,
    door TEXT NOT NULL,
    decided_at REAL NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    grant_id TEXT,
    issuer TEXT,
    member TEXT,
    received_at REAL NOT NULL
);
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL REFERENCES local_actors(handle),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    revoked_at REAL
);
CREATE TABLE visits (
    id TEXT PRIMARY KEY,                   -- the tl:Visit object id (minted by the visited place)
    report_id TEXT UNIQUE,                 -- the door's report id: a re-sent report is one visit
    grant_id TEXT NOT NULL,
    issuer TEXT NOT NULL,                  -- the member's home place
    member TEXT NOT NULL,
    place TEXT NOT NULL,                   -- the visited place
    door TEXT NOT NULL,
    visited_at REAL NOT NULL,
    local INTEGER NOT NULL
);
CREATE INDEX remote_actors_key ON remote_actors(key_id);
CREATE INDEX activities_actor ON activities(actor, created_at);
CREATE INDEX inbox_queue_state ON inbox_queue(state);
CREATE INDEX inbox_items_owner ON inbox_items(owner, received_at);
CREATE INDEX follows_activity ON follows(activity_id);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
CREATE INDEX grants_member ON grants(member);
CREATE INDEX visits_issuer ON visits(issuer, visited_at);
CREATE INDEX claims_peer ON claims(peer, period);
CREATE INDEX claim_lines_visit ON claim_lines(visit_id, state);
CREATE INDEX ledger_entries_account ON ledger_entries(account, currency);
CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
CREATE TRIGGER ledger_entries_permanent BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
CREATE TRIGGER ledger_transactions_immutable BEFORE UPDATE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger transactions are immutable'); END;
CREATE INDEX public_graph_seq ON public_graph(seq);
CREATE INDEX public_graph_type ON public_graph(type);
COMMIT;
