-- One canonical email (issue 14). users.email holds canonicalEmail() of the address
-- (app/src/auth/canonical-email.ts): NFKC, printable ASCII only, letters in lower case. Every address the
-- API has accepted is ASCII (registration validates it so), and on printable ASCII that function is
-- exactly lower(email COLLATE "C") (ASCII-only lowercasing, whatever the database's locale), so the rows
-- are rewritten here without a second definition of the rule.
--
-- Nothing is merged or deleted. A row that is not printable ASCII (the rule cannot be applied in SQL),
-- or two rows that would become one address (possible where the old lower() index followed a locale,
-- e.g. Turkish, in which lower('I') is not 'i'), stop the migration with their ids. It rolls back whole,
-- the previous release keeps serving, and runbooks/email-canonicalisation.md says what to do.
--
-- Expand/contract: the previous release looks users up by lower(email), which still finds these rows, and
-- its unique index users_email_lower_key stays (its code maps that name to email_taken); a later
-- migration drops it. During the rollout the check below refuses a registration in mixed case made by a
-- previous-release instance (that request fails and can be retried), rather than storing a second spelling.

DO $$
DECLARE
  problems text;
BEGIN
  SELECT string_agg(problem, '; ' ORDER BY problem) INTO problems FROM (
    SELECT format('user %s is not printable ASCII', id) AS problem
    FROM users WHERE email !~ '^[\x21-\x7e]+$'
    UNION ALL
    SELECT format('users %s have one canonical address', string_agg(id::text, ', ' ORDER BY id::text))
    FROM users WHERE email ~ '^[\x21-\x7e]+$'
    GROUP BY lower(email COLLATE "C") HAVING count(*) > 1
  ) found;
  IF problems IS NOT NULL THEN
    RAISE EXCEPTION 'email canonicalisation stopped, no row changed: %', problems
      USING HINT = 'Resolve each case as runbooks/email-canonicalisation.md describes, then deploy again.';
  END IF;
END $$;

UPDATE users SET email = lower(email COLLATE "C") WHERE email <> lower(email COLLATE "C");

ALTER TABLE users ADD CONSTRAINT users_email_canonical CHECK (email ~ '^[\x21-\x7e]+$' AND email = lower(email COLLATE "C"));
CREATE UNIQUE INDEX users_email_key ON users (email);
