-- Refresh in one round trip (issue 15) with the refresh reuse interval (issue 14). One function call claims
-- the presented token, checks and extends its session, and stores the successor; the service calls it as
-- one statement. PL/pgSQL rather than one CTE statement: each statement below takes a fresh snapshot (READ
-- COMMITTED), so a request that waited for a concurrent use of its token sees what that use wrote (its
-- successor included), which the single snapshot of a CTE statement would not.
--
-- Arbiter: the session row, locked FOR UPDATE before anything else. Every use of every token of a session
-- queues there, so concurrent uses are serialised and there is one lock order (session, then tokens).
--
-- Outcomes:
--   unknown   no such token (or its session is gone)
--   inactive  an unused token of a revoked or expired session; nothing is written
--   rotated   the token was unused: it is now used, and the successor is the session's one live token
--   graced    the token was used less than reuse_interval_seconds ago (a benign double send: two tabs, a
--             retry). The session's live token is retired and the successor replaces it, so exactly one
--             chain stays alive. Retired tokens keep the original use time, so the window is anchored at
--             the first use and cannot be stretched by presenting tokens back and forth.
--   reused    a used token outside the interval: the session is revoked (RFC 9700 section 4.14.2);
--             revoked_now tells whether this call revoked it.
CREATE FUNCTION rotate_refresh_token(
  presented_hash bytea,
  successor_hash bytea,
  at timestamptz,
  idle_ttl_seconds integer,
  reuse_interval_seconds integer
) RETURNS TABLE (
  outcome text,
  revoked_now boolean,
  session_id uuid,
  user_id uuid,
  idle_expires_at timestamptz,
  absolute_expires_at timestamptz,
  revoked_at timestamptz,
  revoked_reason text
) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  found_session_id uuid;
  session sessions%ROWTYPE;
  presented refresh_tokens%ROWTYPE;
  active boolean;
  kind text;
  revoked_count integer;
BEGIN
  SELECT rt.session_id INTO found_session_id FROM refresh_tokens rt WHERE rt.token_hash = presented_hash;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown'::text, false, NULL::uuid, NULL::uuid, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::text;
    RETURN;
  END IF;
  SELECT * INTO session FROM sessions s WHERE s.id = found_session_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown'::text, false, NULL::uuid, NULL::uuid, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::text;
    RETURN;
  END IF;
  -- Read after the session lock: a use that held it before us has committed, and this snapshot sees it.
  SELECT * INTO presented FROM refresh_tokens rt WHERE rt.token_hash = presented_hash;
  active := session.revoked_at IS NULL AND session.idle_expires_at > at AND session.absolute_expires_at > at;

  IF presented.used_at IS NULL THEN
    IF NOT active THEN
      RETURN QUERY SELECT 'inactive'::text, false, session.id, session.user_id, session.idle_expires_at, session.absolute_expires_at, session.revoked_at, session.revoked_reason;
      RETURN;
    END IF;
    UPDATE refresh_tokens rt SET used_at = at WHERE rt.id = presented.id;
    kind := 'rotated';
  ELSIF active AND at - presented.used_at < make_interval(secs => reuse_interval_seconds) THEN
    UPDATE refresh_tokens rt SET used_at = presented.used_at WHERE rt.session_id = session.id AND rt.used_at IS NULL;
    kind := 'graced';
  ELSE
    UPDATE sessions s SET revoked_at = at, revoked_reason = 'reuse' WHERE s.id = session.id AND s.revoked_at IS NULL;
    GET DIAGNOSTICS revoked_count = ROW_COUNT;
    RETURN QUERY SELECT 'reused'::text, revoked_count > 0, s.id, s.user_id, s.idle_expires_at, s.absolute_expires_at, s.revoked_at, s.revoked_reason
      FROM sessions s WHERE s.id = session.id;
    RETURN;
  END IF;

  UPDATE sessions s SET last_used_at = at, idle_expires_at = least(at + make_interval(secs => idle_ttl_seconds), s.absolute_expires_at)
  WHERE s.id = session.id
  RETURNING * INTO session;
  INSERT INTO refresh_tokens (session_id, parent_id, token_hash, created_at) VALUES (session.id, presented.id, successor_hash, at);
  RETURN QUERY SELECT kind, false, session.id, session.user_id, session.idle_expires_at, session.absolute_expires_at, session.revoked_at, session.revoked_reason;
END;
$$;
