-- Cards and private buttons that stay true, and organiser tools.
--
-- A request's requester and helper each have at most one private message whose buttons are
-- live; a newer one takes their buttons off the older, so no old button says something false.
-- Its text is kept with it, because taking the buttons off is an edit that repeats the text.
-- An activity's look-back asks who came instead of presuming it: each answer is kept with the
-- look-back question, and the count of those who said they were there is kept on the activity.
-- A hand-over can be for any activity: the next date of a series (after its look-back), one
-- activity, or a whole series from now on (so a one-off activity has no series).

CREATE TABLE request_buttons (
    request_id    INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('asker', 'helper')),
    user_id       INTEGER NOT NULL,
    message_id    INTEGER,                        -- NULL until the message is sent
    text          TEXT NOT NULL,
    PRIMARY KEY (request_id, role)
);

ALTER TABLE activities ADD COLUMN came_confirmed INTEGER;
ALTER TABLE activity_feedback ADD COLUMN came INTEGER;       -- people there (1 + a guest), 0 not

CREATE TABLE activity_host_offers_new (
    id            INTEGER PRIMARY KEY,
    series_id     INTEGER REFERENCES activity_series(id) ON DELETE CASCADE,
    building_id   INTEGER NOT NULL REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    activity_id   INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    scope         TEXT NOT NULL DEFAULT 'next' CHECK (scope IN ('next', 'activity', 'series')),
    user_id       INTEGER,
    user_name     TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'asked' CHECK (status IN ('asked', 'offered', 'confirmed', 'closed')),
    message_id    INTEGER,                        -- the group's "who takes it on?" message
    created_at    TEXT NOT NULL,
    decided_at    TEXT
);
INSERT INTO activity_host_offers_new (id, series_id, building_id, activity_id, scope, user_id,
    user_name, status, message_id, created_at, decided_at)
    SELECT id, series_id, building_id, activity_id, 'next', user_id, user_name, status,
           message_id, created_at, decided_at FROM activity_host_offers;
DROP TABLE activity_host_offers;
ALTER TABLE activity_host_offers_new RENAME TO activity_host_offers;
CREATE UNIQUE INDEX activity_host_offers_look_back ON activity_host_offers(activity_id)
    WHERE scope = 'next';
CREATE INDEX activity_host_offers_activity ON activity_host_offers(activity_id);
