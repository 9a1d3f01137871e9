-- rotate_refresh_token, replaced (issue 14, review of migration 0004). Same signature and outcomes; three
-- rules change:
--
-- 1. One clock per session. `at` comes from the calling instance's clock, read before the session lock was
--    granted, so a later use could carry an earlier time. Under the lock it is raised to the session's
--    last_used_at: the times a session records never go backwards, and a second use is never "before" the
--    first. reuse_interval_seconds = 0 is strict: every second use is reuse, whatever the clocks say.
-- 2. Only the immediate predecessor of the live token is graced (Auth0: "only the previous token can be
--    reused"; Okta: "the previous token remains valid"). A token whose successor has itself been used is
--    reuse even inside the interval, so a replayed older token can no longer retire the owner's live token.
-- 3. One successor per token. The caller passes successor_hash = SHA-256 of a successor derived from the
--    presented token with a server-held key (auth/refresh-tokens.ts), so a graced request of the same token
--    derives the same successor: it is answered with the token the winner got, nothing is inserted or
--    retired, there is one chain, and every refresh token returned with a 200 works.
--    A live successor with another hash (the derivation key changed between the two requests, e.g. a
--    signing-key rotation) answers `inactive`: no token is issued and nothing is revoked.
--
-- Outcomes:
--   unknown   no such token (or its session is gone)
--   inactive  an unused token of a revoked or expired session, or the key case above; nothing is written
--   rotated   the token was unused: it is now used, and the successor is the session's one live token
--   graced    the token was used less than reuse_interval_seconds ago and its successor is the live token,
--             unused: the successor is returned again (the session's times are extended, nothing else)
--   reused    any other use of a used token: the session is revoked (RFC 9700 section 4.14.2);
--             revoked_now tells whether this call revoked it.
CREATE OR REPLACE FUNCTION rotate_refresh_token(
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
  -- Rule 1: never earlier than the session's last recorded use (every use of its tokens sets it).
  at := greatest(at, session.last_used_at);
  -- Read after the session lock: a use that held it before us has committed, and this snapshot sees it.
  SELECT * INTO presented FROM refresh_tokens rt WHERE rt.token_hash = presented_hash;
  active := session.revoked_at IS NULL AND session.idle_expires_at > at AND session.absolute_expires_at > at;

  IF presented.used_at IS NULL THEN
    IF NOT active THEN
      RETURN QUERY SELECT 'inactive'::text, false, session.id, session.user_id, session.idle_expires_at, session.absolute_expires_at, session.revoked_at, session.revoked_reason;
      RETURN;
    END IF;
    UPDATE refresh_tokens rt SET used_at = at WHERE rt.id = presented.id;
    INSERT INTO refresh_tokens (session_id, parent_id, token_hash, created_at) VALUES (session.id, presented.id, successor_hash, at);
    kind := 'rotated';
  ELSIF active AND reuse_interval_seconds > 0 AND at - presented.used_at < make_interval(secs => reuse_interval_seconds)
    AND EXISTS (SELECT 1 FROM refresh_tokens rt WHERE rt.session_id = session.id AND rt.parent_id = presented.id AND rt.used_at IS NULL) THEN
    -- Rules 2 and 3: the presented token is the live token's parent; answer with that same successor.
    IF NOT EXISTS (SELECT 1 FROM refresh_tokens rt WHERE rt.token_hash = successor_hash AND rt.parent_id = presented.id AND rt.used_at IS NULL) THEN
      RETURN QUERY SELECT 'inactive'::text, false, session.id, session.user_id, session.idle_expires_at, session.absolute_expires_at, session.revoked_at, session.revoked_reason;
      RETURN;
    END IF;
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
  RETURN QUERY SELECT kind, false, session.id, session.user_id, session.idle_expires_at, session.absolute_expires_at, session.revoked_at, session.revoked_reason;
END;
$$;
