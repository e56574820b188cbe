-- A typed part of the day stays with a request ("zaterdagmiddag": some time Saturday
-- afternoon), so its card and its next week say the same.
ALTER TABLE requests ADD COLUMN when_part TEXT
    CHECK (when_part IS NULL OR when_part IN ('morning', 'afternoon', 'evening'));
ALTER TABLE request_drafts ADD COLUMN when_part TEXT
    CHECK (when_part IS NULL OR when_part IN ('morning', 'afternoon', 'evening'));

-- The bot's short "do this in private" replies in a group, until they are removed a minute
-- later; the message id is filled in once Telegram accepted the reply.
CREATE TABLE redirect_replies (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL
                REFERENCES buildings(chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    message_id  INTEGER,
    created_at  TEXT NOT NULL
);

-- A resident who has not used the bot for a long time is asked once whether private messages
-- should keep coming; `kept_at` is set when they said yes.
CREATE TABLE quiet_checks (
    user_id   INTEGER PRIMARY KEY,
    asked_at  TEXT NOT NULL,
    kept_at   TEXT
);
