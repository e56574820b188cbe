-- When the bot last had word from Telegram that a resident is (or is no longer) in a group: a
-- join or leave, a message in the group, or an answer to getChatMember. NULL means unknown (the
-- bot was away from the group and may have missed a leave): Telegram is asked at the resident's
-- next action there, as it is when the last word is older than the domain's window.

ALTER TABLE memberships ADD COLUMN confirmed_at TEXT;
UPDATE memberships SET confirmed_at = updated_at;
