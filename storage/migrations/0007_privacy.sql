-- Privacy and safety: a per-database secret (for pseudonymous ids in logs), reported cards
-- (who reported is never stored), and pending group erasures awaiting their second confirmation.

CREATE TABLE privacy_secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    building_id  INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    item_id      INTEGER NOT NULL,
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'hidden', 'kept')),
    created_at   TEXT NOT NULL,
    closed_at    TEXT
);
CREATE UNIQUE INDEX reports_open ON reports(building_id, kind, item_id) WHERE state = 'open';

CREATE TABLE group_erasures (
    building_id   INTEGER PRIMARY KEY
                  REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    message_id    INTEGER NOT NULL,
    step          INTEGER NOT NULL CHECK (step IN (1, 2)),
    requested_at  TEXT NOT NULL
);
