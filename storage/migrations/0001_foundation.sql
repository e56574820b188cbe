-- Buildings (one Telegram group each), residents, memberships, the update inbox,
-- deep links and the schedule. Every row that belongs to a building references
-- buildings(chat_id) ON UPDATE CASCADE, so a group that becomes a supergroup moves
-- all its rows with one UPDATE.

CREATE TABLE buildings (
    chat_id     INTEGER PRIMARY KEY,
    title       TEXT NOT NULL DEFAULT '',
    language    TEXT NOT NULL DEFAULT 'nl',
    active      INTEGER NOT NULL DEFAULT 1,
    added_at    TEXT NOT NULL,
    removed_at  TEXT,
    -- group settings, changed by the group's admins in /instellingen
    quiet_start          TEXT NOT NULL DEFAULT '21:30',
    quiet_end            TEXT NOT NULL DEFAULT '08:30',
    bump_hours_before    INTEGER NOT NULL DEFAULT 3,
    max_open_requests    INTEGER NOT NULL DEFAULT 3,
    digest_enabled       INTEGER NOT NULL DEFAULT 1,
    digest_weekday       INTEGER NOT NULL DEFAULT 6,   -- Monday 0 ... Sunday 6
    digest_hour          INTEGER NOT NULL DEFAULT 19,
    nudges_enabled       INTEGER NOT NULL DEFAULT 1,
    nudge_after_days     INTEGER NOT NULL DEFAULT 10,
    care_contact         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE residents (
    user_id            INTEGER PRIMARY KEY,
    first_name         TEXT NOT NULL DEFAULT '',
    telegram_language  TEXT,
    language           TEXT,
    started_at         TEXT,
    blocked            INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    last_seen_at       TEXT NOT NULL
);

CREATE TABLE memberships (
    building_id  INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES residents(user_id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('member', 'admin', 'left')),
    joined_at    TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (building_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE inbox (
    update_id    INTEGER PRIMARY KEY,
    payload      TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    handled_at   TEXT
);
CREATE INDEX inbox_unhandled ON inbox(update_id) WHERE handled_at IS NULL;

CREATE TABLE deep_links (
    token        TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    building_id  INTEGER REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    target       TEXT NOT NULL DEFAULT '',
    created_by   INTEGER,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    single_use   INTEGER NOT NULL DEFAULT 0,
    used_at      TEXT
);

CREATE TABLE schedule (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    ref          TEXT NOT NULL,
    building_id  INTEGER REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    due_at       TEXT NOT NULL,
    stale_after  TEXT,
    payload      TEXT NOT NULL DEFAULT '{}',
    state        TEXT NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'running', 'done', 'skipped', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    finished_at  TEXT,
    UNIQUE (kind, ref)
);
CREATE INDEX schedule_due ON schedule(state, due_at);
