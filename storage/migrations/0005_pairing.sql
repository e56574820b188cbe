-- Regular neighbours: what residents like to do for each other (offers), wishes for a regular
-- neighbour, suggestions and pairs (with the three cups of tea reached), the pairs of people
-- never to suggest again, and drafts of the private-chat flows (so a restart loses nothing).
-- Days are stored as digits (Monday 0 ... Sunday 6), kinds and parts as comma-separated words.
-- Ended pairs lose both people's ids after the retention period; kind, stage and times stay
-- for the anonymous figures.

CREATE TABLE pairing_offers (
    id           INTEGER PRIMARY KEY,
    building_id  INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    kinds        TEXT NOT NULL,
    days         TEXT NOT NULL,
    parts        TEXT NOT NULL,
    frequency    TEXT NOT NULL CHECK (frequency IN ('occasional', 'weekly')),
    paused       INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (building_id, user_id)
);
CREATE INDEX pairing_offers_user ON pairing_offers(user_id);

CREATE TABLE pairing_wishes (
    id           INTEGER PRIMARY KEY,
    building_id  INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    days         TEXT NOT NULL,
    parts        TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paired', 'withdrawn')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX pairing_wishes_building ON pairing_wishes(building_id, status);
CREATE INDEX pairing_wishes_user ON pairing_wishes(user_id);

CREATE TABLE pairings (
    id                INTEGER PRIMARY KEY,
    building_id       INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    wish_id           INTEGER REFERENCES pairing_wishes(id) ON DELETE SET NULL,
    request_id        INTEGER,
    resident_id       INTEGER,
    helper_id         INTEGER,
    kind              TEXT NOT NULL,
    days              TEXT NOT NULL DEFAULT '',
    parts             TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CHECK (status IN ('asked_helper', 'asked_resident', 'active',
                                                      'declined', 'lapsed', 'cancelled', 'ended')),
    stage             INTEGER NOT NULL DEFAULT 0 CHECK (stage BETWEEN 0 AND 3),
    regular_at        TEXT,
    suggested_at      TEXT NOT NULL,
    answered_at       TEXT,
    paired_at         TEXT,
    ended_at          TEXT,
    details_erased_at TEXT
);
CREATE INDEX pairings_building_status ON pairings(building_id, status);
CREATE INDEX pairings_resident ON pairings(resident_id);
CREATE INDEX pairings_helper ON pairings(helper_id);
-- One suggestion at a time per wish, and one "more often?" per request.
CREATE UNIQUE INDEX pairings_wish_in_flight ON pairings(wish_id)
    WHERE status IN ('asked_helper', 'asked_resident');
CREATE UNIQUE INDEX pairings_request ON pairings(request_id) WHERE request_id IS NOT NULL;

-- Two people never to suggest to each other again (one said no, or did not answer).
-- Nobody is ever shown this; it is erased when either of them asks to be forgotten.
CREATE TABLE pairing_declines (
    building_id  INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    user_low     INTEGER NOT NULL,
    user_high    INTEGER NOT NULL,
    declined_at  TEXT NOT NULL,
    PRIMARY KEY (building_id, user_low, user_high)
);

CREATE TABLE pairing_drafts (
    user_id      INTEGER PRIMARY KEY,
    purpose      TEXT NOT NULL CHECK (purpose IN ('offer', 'wish')),
    step         TEXT NOT NULL,
    building_id  INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    kinds        TEXT NOT NULL DEFAULT '',
    days         TEXT NOT NULL DEFAULT '',
    parts        TEXT NOT NULL DEFAULT '',
    frequency    TEXT,
    updated_at   TEXT NOT NULL
);
