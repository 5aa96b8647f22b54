-- Issue 8: attempt ids bound to the whole request, account-wide throttling, hosted attempt cap.

-- Account-wide consecutive failures (across every factor of the user), counted under the user
-- row's lock in the verification transaction; a permanent lock at the cap ends only by factors.unlock.
-- (The users cache trigger fires on DELETE only, so counting sends no notifications.)
ALTER TABLE "users" ADD COLUMN "failed_count" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "users" ADD COLUMN "locked_until" TIMESTAMPTZ(3);

-- The keyring key the request hash (now an HMAC over the credential and resolved factor) was
-- keyed from; NULL for rows written before: their hashes cannot be compared and never replay.
ALTER TABLE "verification_attempts" ADD COLUMN "request_key_id" VARCHAR(32);

-- Attempts charged against a hosted transaction's cap.
ALTER TABLE "verification_transactions" ADD COLUMN "failed_attempts" INTEGER NOT NULL DEFAULT 0;
