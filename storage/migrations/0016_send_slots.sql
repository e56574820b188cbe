-- Telegram's limits shared by every process on one PostgreSQL database (one process on SQLite
-- keeps its windows in memory: these tables stay empty there). Each message takes a slot in the
-- overall window and in its chat's window just before it leaves; a slot counts from its leaving
-- until a period after Telegram's answer (`held_for`: that period, while the answer is still
-- awaited). Times are seconds since the epoch on the database server's clock, the one clock
-- every process shares.

CREATE TABLE send_slots (
    id            INTEGER PRIMARY KEY,
    scope         TEXT NOT NULL,                  -- 'all', or the chat's id
    left_at       REAL NOT NULL,
    counts_until  REAL NOT NULL,                  -- while under way: left_at + the longest a call may take + the period
    held_for      REAL                            -- NULL once answered, or for a slot counted from its leaving only
);
CREATE INDEX send_slots_scope ON send_slots(scope, counts_until);
CREATE INDEX send_slots_expiry ON send_slots(counts_until);

-- A 429 pauses every send of every process until `paused_until` ('all' is the only scope).
CREATE TABLE send_pauses (
    scope         TEXT PRIMARY KEY,
    paused_until  REAL NOT NULL
);

/* postgresql only
-- One call takes a slot in every scope wanted, or in none: then `wait` is how long until the
-- scope `blocked` (or 'pause') could have room, at the earliest. One advisory lock serialises
-- the takers of every process; the lock lasts the call, never the send.
CREATE FUNCTION take_send_slots(
    wanted TEXT[], limits BIGINT[], periods DOUBLE PRECISION[], held BOOLEAN[],
    flight DOUBLE PRECISION
) RETURNS TABLE (slots BIGINT[], wait DOUBLE PRECISION, blocked TEXT)
LANGUAGE plpgsql AS $$
DECLARE
    moment DOUBLE PRECISION := extract(epoch FROM clock_timestamp());
    live BIGINT;
    free_at DOUBLE PRECISION;
    longest DOUBLE PRECISION := 0;
    blocker TEXT := NULL;
    n BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(1936027236);
    DELETE FROM send_slots WHERE counts_until <= moment;
    SELECT p.paused_until INTO free_at FROM send_pauses p WHERE p.scope = 'all';
    IF free_at > moment THEN
        RETURN QUERY SELECT NULL::BIGINT[], free_at - moment, 'pause'::TEXT;
        RETURN;
    END IF;
    FOR n IN 1 .. cardinality(wanted) LOOP
        SELECT count(*) INTO live FROM send_slots s WHERE s.scope = wanted[n];
        IF live >= limits[n] THEN
            SELECT COALESCE(s.left_at + s.held_for, s.counts_until) AS free INTO free_at
              FROM send_slots s WHERE s.scope = wanted[n]
              ORDER BY free OFFSET live - limits[n] LIMIT 1;
            IF blocker IS NULL OR free_at - moment > longest THEN
                longest := free_at - moment;
                blocker := wanted[n];
            END IF;
        END IF;
    END LOOP;
    IF blocker IS NOT NULL THEN
        RETURN QUERY SELECT NULL::BIGINT[], longest, blocker;
        RETURN;
    END IF;
    RETURN QUERY WITH taken AS (
        INSERT INTO send_slots (scope, left_at, counts_until, held_for)
        SELECT wanted[i], moment,
               moment + periods[i] + CASE WHEN held[i] THEN flight ELSE 0 END,
               CASE WHEN held[i] THEN periods[i] END
          FROM generate_subscripts(wanted, 1) AS i
        RETURNING id
    )
    SELECT array_agg(taken.id), 0::DOUBLE PRECISION, NULL::TEXT FROM taken;
END;
$$;
*/
