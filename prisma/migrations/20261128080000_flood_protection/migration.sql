-- Issue 8, hole 4: unauthenticated traffic must not write one row per request.

-- Failed API-key authentications, counted per key id and minute instead of one audit row each.
-- `key_id` is the public key id for keys that exist (revoked, wrong secret) or one of the fixed
-- words `(missing)`, `(malformed)`, `(unknown)`: an attacker's random key ids never become rows.
-- Gateways coalesce in memory and upsert `count = count + n` at most about twice per key, minute
-- and gateway; the first insert of a (key, minute) also writes the one `apikey.rejected` audit row.
CREATE TABLE "auth_failure_counters" (
    "key_id" VARCHAR(32) NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,
    "first_seen" TIMESTAMPTZ(3) NOT NULL,
    "last_seen" TIMESTAMPTZ(3) NOT NULL,
    "sample_ip" VARCHAR(64),
    "application_id" UUID,
    "reason" VARCHAR(32) NOT NULL,

    CONSTRAINT "auth_failure_counters_pkey" PRIMARY KEY ("key_id","minute")
);
CREATE INDEX "auth_failure_counters_minute_idx" ON "auth_failure_counters"("minute");

-- The retention job deletes in small batches by age; these indexes keep each batch an index probe
-- instead of a scan of the whole table.
CREATE INDEX "verification_attempts_created_at_idx" ON "verification_attempts"("created_at");
CREATE INDEX "webauthn_challenges_expires_at_idx" ON "webauthn_challenges"("expires_at");
CREATE INDEX "enrollment_links_expires_at_idx" ON "enrollment_links"("expires_at");
CREATE INDEX "verification_transactions_expires_at_idx" ON "verification_transactions"("expires_at");
CREATE INDEX "verification_results_expires_at_idx" ON "verification_results"("expires_at");
