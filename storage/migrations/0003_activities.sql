-- Activities residents organise (with RSVPs, a waiting list, series and look-back) and ideas
-- neighbours can join. Cards carry a version: every change bumps card_version, the group card
-- is edited later (coalesced) and card_shown records what it shows, so a restart finds the
-- cards still to be refreshed. Counts that anonymous figures need stay when names are erased.

CREATE TABLE activity_series (
    id              INTEGER PRIMARY KEY,
    building_id     INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    organiser_id    INTEGER,
    organiser_name  TEXT NOT NULL DEFAULT '',
    repeat          TEXT NOT NULL CHECK (repeat IN ('weekly', 'biweekly', 'monthly')),
    active          INTEGER NOT NULL DEFAULT 1,
    fade_noted_at   INTEGER NOT NULL DEFAULT 0,   -- occurrence at which a pause was last suggested
    created_at      TEXT NOT NULL,
    stopped_at      TEXT
);
CREATE INDEX activity_series_building ON activity_series(building_id);

CREATE TABLE activities (
    id              INTEGER PRIMARY KEY,
    building_id     INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    series_id       INTEGER REFERENCES activity_series(id) ON DELETE SET NULL,
    occurrence      INTEGER NOT NULL DEFAULT 1,
    organiser_id    INTEGER,
    organiser_name  TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    place           TEXT NOT NULL DEFAULT '',
    starts_at       TEXT NOT NULL,
    ends_at         TEXT,
    capacity        INTEGER CHECK (capacity IS NULL OR capacity BETWEEN 1 AND 500),
    repeat          TEXT NOT NULL DEFAULT 'none' CHECK (repeat IN ('none', 'weekly', 'biweekly', 'monthly')),
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cancelled', 'ended')),
    message_id      INTEGER,
    card_version    INTEGER NOT NULL DEFAULT 1,
    card_shown      INTEGER NOT NULL DEFAULT 0,
    came_count      INTEGER,                      -- residents going plus guests when it began
    rsvp_count      INTEGER,                      -- answers given, kept when it ended
    last_change     TEXT NOT NULL DEFAULT '',     -- 'time', 'place', 'text': shown on the card
    idea_id         INTEGER,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    cancelled_at    TEXT,
    ended_at        TEXT,
    details_erased_at TEXT,
    UNIQUE (series_id, occurrence)
);
CREATE INDEX activities_building_start ON activities(building_id, starts_at);
CREATE INDEX activities_dirty ON activities(card_version, card_shown) WHERE card_version > card_shown;
CREATE INDEX activities_organiser ON activities(organiser_id);

CREATE TABLE activity_rsvps (
    id            INTEGER PRIMARY KEY,
    activity_id   INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id       INTEGER,                        -- NULL once the resident asked to be forgotten
    status        TEXT NOT NULL CHECK (status IN ('going', 'maybe', 'waiting', 'no')),
    guests        INTEGER NOT NULL DEFAULT 0 CHECK (guests BETWEEN 0 AND 1),
    queued_at     TEXT,
    first_at      TEXT NOT NULL,
    responded_at  TEXT NOT NULL,
    UNIQUE (activity_id, user_id)
);
CREATE INDEX activity_rsvps_user ON activity_rsvps(user_id);

CREATE TABLE activity_drafts (
    user_id       INTEGER PRIMARY KEY,
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    step          TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    starts_at     TEXT,
    ends_at       TEXT,
    place         TEXT NOT NULL DEFAULT '',
    capacity      INTEGER,
    repeat        TEXT NOT NULL DEFAULT 'none',
    activity_id   INTEGER REFERENCES activities(id) ON DELETE CASCADE,
    idea_id       INTEGER,
    updated_at    TEXT NOT NULL
);

CREATE TABLE activity_feedback (
    id            INTEGER PRIMARY KEY,
    activity_id   INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id       INTEGER,                        -- NULL once unlinked
    rating        TEXT CHECK (rating IS NULL OR rating IN ('good', 'okay', 'bad')),
    help_next     INTEGER,
    asked_at      TEXT NOT NULL,
    answered_at   TEXT,
    UNIQUE (activity_id, user_id)
);
CREATE INDEX activity_feedback_user ON activity_feedback(user_id);

CREATE TABLE activity_host_offers (
    id            INTEGER PRIMARY KEY,
    series_id     INTEGER NOT NULL REFERENCES activity_series(id) ON DELETE CASCADE,
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    activity_id   INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    user_id       INTEGER,
    user_name     TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'asked' CHECK (status IN ('asked', 'offered', 'confirmed', 'closed')),
    message_id    INTEGER,                        -- the group's "who hosts next time?" message
    created_at    TEXT NOT NULL,
    decided_at    TEXT,
    UNIQUE (activity_id)
);

CREATE TABLE ideas (
    id            INTEGER PRIMARY KEY,
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    proposer_id   INTEGER,
    proposer_name TEXT NOT NULL DEFAULT '',
    text          TEXT NOT NULL DEFAULT '',
    message_id    INTEGER,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'converted')),
    activity_id   INTEGER REFERENCES activities(id) ON DELETE SET NULL,
    card_version  INTEGER NOT NULL DEFAULT 1,
    card_shown    INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    ready_at      TEXT,                           -- when enough neighbours had joined
    converted_at  TEXT,
    text_erased_at TEXT
);
CREATE INDEX ideas_building ON ideas(building_id, created_at);
CREATE INDEX ideas_dirty ON ideas(card_version, card_shown) WHERE card_version > card_shown;

CREATE TABLE idea_joins (
    id            INTEGER PRIMARY KEY,
    idea_id       INTEGER NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id       INTEGER,                        -- NULL once the resident asked to be forgotten
    joined_at     TEXT NOT NULL,
    UNIQUE (idea_id, user_id)
);
CREATE INDEX idea_joins_user ON idea_joins(user_id);

CREATE TABLE idea_drafts (
    user_id       INTEGER PRIMARY KEY,
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    updated_at    TEXT NOT NULL
);
