-- Admin (src/admin/): an account an admin disabled. A disabled user cannot
-- sign in by any means, and their sessions were ended when it was disabled;
-- null is an active account. `users.role` exists since 003.
alter table users add column disabled_at timestamptz;
