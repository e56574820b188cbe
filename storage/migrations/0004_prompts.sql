-- Prompts that keep a building's own life going: the last gentle nudge per group (so the
-- same text never comes twice in a row and not more than once a week), the kinds of private
-- prompt a resident muted, and an admin's settings text waiting to be typed privately.

CREATE TABLE building_prompts (
    building_id     INTEGER PRIMARY KEY
                    REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    last_nudge_at   TEXT,
    last_nudge_key  TEXT
);

CREATE TABLE resident_mutes (
    user_id   INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    muted_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE settings_drafts (
    user_id      INTEGER PRIMARY KEY,
    building_id  INTEGER NOT NULL
                 REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    field        TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);

CREATE INDEX schedule_building_kind ON schedule(building_id, kind, state);
