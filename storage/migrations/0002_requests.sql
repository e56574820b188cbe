-- Small help requests: the requests themselves, weekly series, and drafts of the private-chat
-- flow (so a restart in the middle of asking loses nothing). Descriptions and contact details
-- are erased after the retention period; kind, times and counts stay for anonymous figures.

CREATE TABLE request_series (
    id                  INTEGER PRIMARY KEY,
    building_id         INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    requester_id        INTEGER NOT NULL,
    standing_helper_id  INTEGER,
    created_at          TEXT NOT NULL,
    stopped_at          TEXT
);

CREATE TABLE requests (
    id               INTEGER PRIMARY KEY,
    building_id      INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    requester_id     INTEGER NOT NULL,
    helper_id        INTEGER,
    kind             TEXT NOT NULL,
    description      TEXT,
    when_kind        TEXT NOT NULL CHECK (when_kind IN ('day', 'week', 'at')),
    due_at           TEXT NOT NULL,
    anonymous        INTEGER NOT NULL DEFAULT 1,
    on_behalf        INTEGER NOT NULL DEFAULT 0,
    series_id        INTEGER REFERENCES request_series(id) ON DELETE SET NULL,
    status           TEXT NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'claimed', 'done', 'cancelled', 'expired', 'removed')),
    card_message_id  INTEGER,
    contact          TEXT,
    created_at       TEXT NOT NULL,
    claimed_at       TEXT,
    done_at          TEXT,
    expired_at       TEXT,
    cancelled_at     TEXT,
    removed_at       TEXT,
    thanked_at       TEXT,
    bumped_at        TEXT
);
CREATE INDEX requests_building_status ON requests(building_id, status);
CREATE INDEX requests_requester ON requests(requester_id);
CREATE INDEX requests_helper ON requests(helper_id);
CREATE INDEX requests_card ON requests(building_id, card_message_id);

CREATE TABLE request_drafts (
    user_id      INTEGER PRIMARY KEY,
    step         TEXT NOT NULL,
    building_id  INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    kind         TEXT,
    description  TEXT,
    when_kind    TEXT,
    due_at       TEXT,
    anonymous    INTEGER,
    on_behalf    INTEGER,
    repeat       INTEGER,
    request_id   INTEGER REFERENCES requests(id) ON DELETE CASCADE,
    updated_at   TEXT NOT NULL
);
