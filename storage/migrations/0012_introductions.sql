-- Reaching each other whatever Telegram's privacy settings: a resident's username (to link to
-- them, where they have one), a deep link that works only for the resident it was made for
-- (the group's line to someone the bot cannot write to yet never names them), and a message
-- a resident types for the other person of a request or pair, relayed by the bot. Names of
-- those who joined an idea reach its proposer only when the joiner was told so.

ALTER TABLE residents ADD COLUMN username TEXT;

ALTER TABLE deep_links ADD COLUMN for_user INTEGER;
CREATE INDEX deep_links_for_user ON deep_links(for_user) WHERE for_user IS NOT NULL;

CREATE TABLE relay_drafts (
    user_id     INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    item_id     INTEGER NOT NULL,
    started_at  TEXT NOT NULL
);

ALTER TABLE idea_joins ADD COLUMN name_shown INTEGER NOT NULL DEFAULT 0;
