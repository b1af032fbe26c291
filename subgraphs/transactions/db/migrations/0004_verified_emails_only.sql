-- A transfer by email reaches only an address its owner has proven (identity.email_verified.v1).
-- The addresses projected until now came from registrations and profile updates, unproven:
-- forget them; each comes back when its owner verifies it.
DELETE FROM "user_emails";
