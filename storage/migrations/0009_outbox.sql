-- The outbox: everything the bot says, stored in the same transaction as the change that caused
-- it and sent by the delivery worker. A row is marked sent right after Telegram accepted it, so
-- a restart sends what is pending and nothing twice. Rows are kept a while after they settled so
-- that a repeated key (a scheduled job run again) is still recognised.

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    key         TEXT UNIQUE,
    card_key    TEXT,
    method      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sent', 'refused', 'skipped', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  REAL NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    error       TEXT
);
CREATE INDEX outbox_pending ON outbox(chat_id, id) WHERE state = 'pending';
CREATE INDEX outbox_pending_cards ON outbox(card_key) WHERE state = 'pending';
CREATE INDEX outbox_settled ON outbox(created_at) WHERE state != 'pending';
