-- Figures a whole group agreed to, that expose no household.
--
-- A community worker is now proposed to the group, which has seven days to object: a consent
-- has a status, the day access starts, the number of objections that stops it (fixed when it
-- was proposed) and the group message that shows it. Objections are kept per resident so each
-- counts once; the admins may choose that number for their group.
--
-- Figures are no longer counted by language (a trait one household has singles it out), and
-- helpers are counted as lasting after six months instead of three: both are taken out of the
-- figures already stored. Quarters are stored like weeks and months.

ALTER TABLE worker_consents ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('proposed', 'active', 'paused', 'declined', 'stopped'));
ALTER TABLE worker_consents ADD COLUMN access_from TEXT;
ALTER TABLE worker_consents ADD COLUMN threshold INTEGER NOT NULL DEFAULT 1;
ALTER TABLE worker_consents ADD COLUMN card_message_id INTEGER;
UPDATE worker_consents SET status = 'stopped' WHERE stopped_at IS NOT NULL;
UPDATE worker_consents SET access_from = started_at;

CREATE TABLE worker_objections (
    consent_id    INTEGER NOT NULL REFERENCES worker_consents(id) ON DELETE CASCADE,
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    objected_at   TEXT NOT NULL,
    PRIMARY KEY (consent_id, user_id)
);
CREATE INDEX worker_objections_user ON worker_objections(user_id);

CREATE TABLE worker_rules (
    building_id          INTEGER PRIMARY KEY
                         REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    objection_threshold  INTEGER CHECK (objection_threshold BETWEEN 1 AND 5)
);

CREATE TABLE insight_snapshots_new (
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    period        TEXT NOT NULL CHECK (period IN ('week', 'month', 'quarter')),
    starts_at     TEXT NOT NULL,
    figures       TEXT NOT NULL,               -- counts only (RawFigures as JSON): no ids, no texts
    computed_at   TEXT NOT NULL,
    PRIMARY KEY (building_id, period, starts_at)
);
INSERT INTO insight_snapshots_new (building_id, period, starts_at, figures, computed_at)
    SELECT building_id, period, starts_at,
           json_remove(figures, '$.languages', '$.returning_helpers'), computed_at
      FROM insight_snapshots;
DROP TABLE insight_snapshots;
ALTER TABLE insight_snapshots_new RENAME TO insight_snapshots;
