"""The `claims` and `claim_lines` tables: their schema, and every statement that reads or writes
them."""

from __future__ import annotations

SCHEMA = """
-- Claims this place sent (direction 'sent', we are the visited place) or received ('received',
-- we are the home place). A claim id is applied once: the primary key is what makes a claim
-- that arrives twice, in the same Offer or in another, count once.
CREATE TABLE IF NOT EXISTS claims (
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

CREATE INDEX IF NOT EXISTS claims_peer ON claims(peer, period);

-- One line per visit claimed. On the sending side a visit is claimed once whatever became of
-- it (a refused line is corrected by hand in a new claim); on the receiving side an accepted
-- line is what refuses the same visit claimed again.
CREATE TABLE IF NOT EXISTS claim_lines (
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

CREATE INDEX IF NOT EXISTS claim_lines_visit ON claim_lines(visit_id, state);
"""
