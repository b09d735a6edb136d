-- Signing in with Steam gives no email address, so such an account has none
-- until its owner adds one. The unique constraint still holds among the
-- addresses there are (NULLs are distinct), and the check passes for NULL.
alter table users alter column email drop not null;
