-- The password version (issue 14): a counter that only a password change increments, never a rehash with
-- new parameters at login. A password change is a compare-and-swap on the version its caller verified, so
-- an older change (verified against a password that has been replaced meanwhile) can never overwrite a newer
-- one; a login creates its session only while the version it verified is still the account's, so a rehash
-- by a concurrent login of the same password does not refuse it. Expand-only: the previous release neither
-- reads nor writes the column, and its default keeps inserts of that release valid.
ALTER TABLE users ADD COLUMN password_version integer NOT NULL DEFAULT 1;
