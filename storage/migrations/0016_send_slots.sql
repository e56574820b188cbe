-- Telegram's limits shared by every process on one PostgreSQL database (one process on SQLite
-- keeps its windows in memory: these tables stay empty there). Each message takes a slot in the
-- overall window and in its chat's window before it leaves; a slot counts from its leaving until
-- a period after Telegram's answer (`held_for`: that period, while the answer is still awaited).
-- Times are seconds since the epoch on the database server's clock, the one clock every process
-- shares.

CREATE TABLE send_slots (
    id            INTEGER PRIMARY KEY,
    scope         TEXT NOT NULL,                  -- 'all', or the chat's id
    left_at       REAL NOT NULL,                  -- when the message may leave: when taken, or a little later
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
-- One call takes a slot in every scope wanted, or in none. A slot may start up to `ahead`
-- seconds after the call (`moment`: the call's own time on this server's clock; `at`: when the
-- message may leave), so the next place in a full window is taken while the window is still
-- full, and the send leaves the moment it frees. Within a scope slots start in the order they
-- were taken, and a new one starts once fewer than `limits` slots taken before it still count:
-- from then on, at no moment do more than `limits` count. When no slot is taken, `at` is the
-- earliest the scope `blocked` (or 'pause') could have room. The same call first records the
-- answers that came since the caller's last call (`answered`, at `answered_at`), so that a send
-- costs one round trip. One advisory lock serialises the takers of every process; it lasts the
-- call, never the send.
CREATE FUNCTION take_send_slots(
    wanted TEXT[], limits BIGINT[], periods DOUBLE PRECISION[], held BOOLEAN[],
    flight DOUBLE PRECISION, ahead DOUBLE PRECISION,
    answered BIGINT[], answered_at DOUBLE PRECISION[]
) RETURNS TABLE (slots BIGINT[], at DOUBLE PRECISION, blocked TEXT, moment DOUBLE PRECISION)
LANGUAGE plpgsql AS $$
DECLARE
    called_at DOUBLE PRECISION := extract(epoch FROM clock_timestamp());
    start DOUBLE PRECISION := called_at;
    live BIGINT;
    latest DOUBLE PRECISION;
    free_at DOUBLE PRECISION;
    answer_awaited BOOLEAN;
    n BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(1936027236);
    UPDATE send_slots s SET counts_until = a.at + s.held_for, held_for = NULL
      FROM unnest(answered, answered_at) AS a(id, at)
     WHERE s.id = a.id AND s.held_for IS NOT NULL;
    DELETE FROM send_slots WHERE counts_until <= called_at;
    SELECT p.paused_until INTO free_at FROM send_pauses p WHERE p.scope = 'all';
    IF free_at > called_at THEN
        RETURN QUERY SELECT NULL::BIGINT[], free_at, 'pause'::TEXT, called_at;
        RETURN;
    END IF;
    FOR n IN 1 .. cardinality(wanted) LOOP
        SELECT count(*), max(s.left_at) INTO live, latest FROM send_slots s
         WHERE s.scope = wanted[n];
        free_at := COALESCE(latest, called_at);
        IF live >= limits[n] THEN
            -- the slot whose end makes room: slots still awaiting their answer end last
            SELECT s.held_for IS NOT NULL, COALESCE(s.left_at + s.held_for, s.counts_until)
              INTO answer_awaited, free_at
              FROM send_slots s WHERE s.scope = wanted[n]
             ORDER BY s.held_for IS NOT NULL, s.counts_until OFFSET live - limits[n] LIMIT 1;
            IF answer_awaited THEN
                RETURN QUERY SELECT NULL::BIGINT[], free_at, wanted[n], called_at;
                RETURN;
            END IF;
            free_at := GREATEST(free_at, latest);
        END IF;
        IF free_at - called_at > ahead THEN
            RETURN QUERY SELECT NULL::BIGINT[], free_at - ahead, wanted[n], called_at;
            RETURN;
        END IF;
        start := GREATEST(start, free_at);
    END LOOP;
    RETURN QUERY WITH taken AS (
        INSERT INTO send_slots (scope, left_at, counts_until, held_for)
        SELECT wanted[i], start,
               start + periods[i] + CASE WHEN held[i] THEN flight ELSE 0 END,
               CASE WHEN held[i] THEN periods[i] END
          FROM generate_subscripts(wanted, 1) AS i
        RETURNING id
    )
    SELECT array_agg(taken.id), start, NULL::TEXT, called_at FROM taken;
END;
$$;
*/
