-- The private messages that carry an activity's controls (for its organiser, or a group admin
-- who opened them). When the activity is called off, is over or changes hands, each of them is
-- shown as it is now, without buttons, so no old message says a stopped series still repeats.

CREATE TABLE activity_controls (
    id            INTEGER PRIMARY KEY,
    activity_id   INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    message_id    INTEGER                         -- NULL until the message is sent
);
CREATE INDEX activity_controls_activity ON activity_controls(activity_id);
