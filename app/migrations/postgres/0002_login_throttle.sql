-- Failed-login counting and lockout (issue 8). PostgreSQL rather than memory so the limit holds across
-- every instance. One row per (account, client IP) and one per account (client_ip = '*'); an attempt
-- locks both rows with SELECT ... FOR UPDATE and is counted before the password is verified, so N
-- parallel wrong passwords can never get more than the threshold of verifications.
-- The account is identified by the SHA-256 of its normalised email, not the user id: unknown emails are
-- counted and locked exactly like real ones, so the lockout cannot be used to discover accounts.

CREATE TABLE login_throttle (
  account_key bytea NOT NULL CHECK (length(account_key) = 32),
  client_ip text NOT NULL CHECK (length(client_ip) BETWEEN 1 AND 64),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  window_started_at timestamptz,
  lock_count integer NOT NULL DEFAULT 0 CHECK (lock_count >= 0),
  locked_until timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (account_key, client_ip)
);

-- For the periodic purge of rows that no longer hold any state.
CREATE INDEX login_throttle_updated_at_idx ON login_throttle (updated_at);
