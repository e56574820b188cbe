-- Several workers on one database.
-- The chat an update belongs to, stored with it, so that the workers can find a chat's waiting
-- updates and handle them in order (NULL: stored by a polling bot, which handles its updates in
-- memory order; read as chat 0).
ALTER TABLE inbox ADD COLUMN chat_id INTEGER;
CREATE INDEX inbox_unhandled_chat ON inbox(chat_id, update_id) WHERE handled_at IS NULL;

-- The worker running a schedule row (NULL: a bot alone), so that only the rows of a worker
-- that died run again, not those another worker is running now.
ALTER TABLE schedule ADD COLUMN claimed_by INTEGER;
