"""Tables of compensation: claims and their lines, the double-entry books, credit accounts."""

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

-- The books: one row per transaction, its entries below. `source` is the fact that caused it
-- (an Accept's id, a settlement's id): unique, so a fact re-applied after a crash or a replay
-- is booked once.
CREATE TABLE IF NOT EXISTS ledger_transactions (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,                    -- claim | settlement | credit_sale
    memo TEXT NOT NULL DEFAULT '',
    booked_at REAL NOT NULL
);

-- Entries: amount > 0 is a debit, < 0 a credit; each transaction sums to zero per currency.
-- Accounts: 'peer:<actor id>' (positive: that place owes us), 'credit:<name>' (negative: the
-- credit a holder still has with us), 'income:visits', 'expense:visits', 'bank'.
CREATE TABLE IF NOT EXISTS ledger_entries (
    id INTEGER PRIMARY KEY,
    transaction_id INTEGER NOT NULL REFERENCES ledger_transactions(id),
    account TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    reference TEXT                         -- the visit, claim or payment the entry is about
);
CREATE INDEX IF NOT EXISTS ledger_entries_account ON ledger_entries(account, currency);

-- Entries are immutable: a correction is a new transaction, never an edit.
CREATE TRIGGER IF NOT EXISTS ledger_entries_immutable BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
CREATE TRIGGER IF NOT EXISTS ledger_entries_permanent BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
CREATE TRIGGER IF NOT EXISTS ledger_transactions_immutable BEFORE UPDATE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger transactions are immutable'); END;

-- Payments made outside (a bank transfer), waiting for the other side to confirm them.
CREATE TABLE IF NOT EXISTS settlements (
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

-- Crédit Inter-Lieux accounts this place sold; their balance is in the books.
CREATE TABLE IF NOT EXISTS credit_accounts (
    name TEXT PRIMARY KEY,
    members TEXT NOT NULL DEFAULT '[]',    -- JSON list of member actor ids who may spend it
    currency TEXT NOT NULL,
    overdraft_cents INTEGER NOT NULL DEFAULT 0, -- how far below zero a door may still let in
    created_at REAL NOT NULL
);

-- Credit balances other places shared with us, for our doors (what is left, and the overdraft).
CREATE TABLE IF NOT EXISTS peer_credit (
    issuer TEXT NOT NULL,
    account TEXT NOT NULL,
    remaining_cents INTEGER NOT NULL,
    overdraft_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    as_of REAL NOT NULL,
    PRIMARY KEY (issuer, account)
);

-- Monthly claims the node's scheduler has already sent, so that a restart sends none twice.
CREATE TABLE IF NOT EXISTS claim_runs (
    period TEXT PRIMARY KEY,
    ran_at REAL NOT NULL
);
"""
