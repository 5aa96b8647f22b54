-- Issue 9: every index on verification_attempts is maintained by every verification. Nothing
-- reads attempts by factor: the index only cost a random-page insert per verification.
DROP INDEX IF EXISTS "verification_attempts_factor_id_idx";
