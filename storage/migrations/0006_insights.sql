-- Anonymous figures: which community workers a group lets see them (with the name and
-- organisation they gave, so the group knows who), the private flow in which a worker gives
-- those, and the figures of each closed calendar period, fixed the first time they are shown so
-- that a later look at the same week can never differ from an earlier one.

CREATE TABLE worker_consents (
    id            INTEGER PRIMARY KEY,
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    worker_id     INTEGER NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    organisation  TEXT NOT NULL DEFAULT '',
    started_at    TEXT NOT NULL,
    stopped_at    TEXT
);
CREATE UNIQUE INDEX worker_consents_active ON worker_consents(building_id, worker_id)
    WHERE stopped_at IS NULL;
CREATE INDEX worker_consents_worker ON worker_consents(worker_id);

CREATE TABLE worker_drafts (
    user_id       INTEGER PRIMARY KEY,
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    step          TEXT NOT NULL CHECK (step IN ('name', 'organisation')),
    name          TEXT NOT NULL DEFAULT '',
    started_at    TEXT NOT NULL
);

CREATE TABLE insight_snapshots (
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    period        TEXT NOT NULL CHECK (period IN ('week', 'month')),
    starts_at     TEXT NOT NULL,
    figures       TEXT NOT NULL,               -- counts only (RawFigures as JSON): no ids, no texts
    computed_at   TEXT NOT NULL,
    PRIMARY KEY (building_id, period, starts_at)
);
