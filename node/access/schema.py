"""Tables of the badge: peers trusted, grants issued, revocations known, taps and visits, and
the place's own door policy."""

SCHEMA = """
-- Places whose grants this place honours (and that it follows, to hear of revocations).
CREATE TABLE IF NOT EXISTS peers (
    actor_id TEXT PRIMARY KEY,
    added_at REAL NOT NULL,
    visit_rate TEXT NOT NULL DEFAULT '0',   -- agreed price per visit (compensation), decimal
    currency TEXT NOT NULL DEFAULT 'EUR'
);

-- Grants this place issued to its members. Only ids and bindings: the signed bytes are
-- the member's, on their card.
CREATE TABLE IF NOT EXISTS grants (
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
CREATE INDEX IF NOT EXISTS grants_member ON grants(member);

-- Revocations: our own (also in grants.revoked_at) and those peers announced.
CREATE TABLE IF NOT EXISTS revocations (
    issuer TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    revoked_at REAL NOT NULL,
    PRIMARY KEY (issuer, grant_id)
);

-- Visits: taps accepted at our doors (local = 1), and visits of our members elsewhere that
-- the visited place reported to us (local = 0). The evidence compensation claims rest on.
CREATE TABLE IF NOT EXISTS visits (
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
CREATE INDEX IF NOT EXISTS visits_issuer ON visits(issuer, visited_at);

-- Every tap a door reported, accepted or refused: what the team sees, and what makes a
-- report sent twice (after a network cut) count once.
CREATE TABLE IF NOT EXISTS taps (
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

-- Ed25519 keys a local actor used before its last rotation: still published (and so still
-- trusted by doors) so that grants signed with them stay valid until they expire.
CREATE TABLE IF NOT EXISTS retired_keys (
    key_id TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    public_multibase TEXT NOT NULL,
    retired_at REAL NOT NULL
);

-- The place's rules for its own doors: one row (id 1), absent until a team sets one, so a
-- node created before this table reads the defaults. Travels to the doors in the trust bundle.
CREATE TABLE IF NOT EXISTS door_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    card_required INTEGER NOT NULL DEFAULT 0, -- 1: a grant is honoured only with its own card
                                              -- (a QR code alone, a photo of it, is refused)
    updated_at REAL NOT NULL
);
"""
