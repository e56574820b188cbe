-- Activity and idea cards can be reported ("Meld") and hidden by a group admin, as request
-- cards already can: hiding deletes the card and marks the activity or idea removed, so nothing
-- shows it again, nobody is reminded of it and no one can still join it.

ALTER TABLE activities ADD COLUMN removed_at TEXT;
ALTER TABLE ideas ADD COLUMN removed_at TEXT;
