-- Users, sessions and refresh tokens. Forward-only; later changes go in new numbered files and stay
-- compatible with the previous release (expand/contract), because instances of both run during a deploy.
-- No GRANTs here: the application role receives DML through ALTER DEFAULT PRIVILEGES set up by whoever
-- provisions the cluster, so migrations never hard-code role names.

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  password_changed_at timestamptz NOT NULL
);

-- Case-insensitive uniqueness: "Alice@Example.com" and "alice@example.com" are one account.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  idle_expires_at timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('logout', 'logout_all', 'password_change', 'reuse')),
  CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
  CHECK (idle_expires_at <= absolute_expires_at)
);

CREATE INDEX sessions_user_id_active_idx ON sessions (user_id) WHERE revoked_at IS NULL;

-- Only the SHA-256 of a refresh token is stored. Each refresh inserts a child (parent_id) and marks the
-- parent used; a second use of a used token is reuse and revokes the session (the "family").
CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  parent_id uuid REFERENCES refresh_tokens (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
  created_at timestamptz NOT NULL,
  used_at timestamptz
);

CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);
