-- The chat an update belongs to, stored with it, so that several workers on one database can
-- find a chat's waiting updates and handle them in order (NULL: stored by a polling bot, which
-- handles its updates in memory order; read as chat 0).

ALTER TABLE inbox ADD COLUMN chat_id INTEGER;
CREATE INDEX inbox_unhandled_chat ON inbox(chat_id, update_id) WHERE handled_at IS NULL;
