-- Per-application lockout (issue 13: the admin console sets "lockout and push limits" per
-- application). NULL = the deployment's HOLDFAST_LOCKOUT_* value. The bounds are NIST SP 800-63B's
-- (at most 100 consecutive failures per account); the combined rule threshold ≤ hard limit is
-- checked by the service against the deployment defaults it merges with.
ALTER TABLE "applications"
  ADD COLUMN "lockout_threshold" INTEGER CHECK ("lockout_threshold" BETWEEN 1 AND 100),
  ADD COLUMN "lockout_seconds" INTEGER CHECK ("lockout_seconds" BETWEEN 1 AND 86400),
  ADD COLUMN "lockout_hard_limit" INTEGER CHECK ("lockout_hard_limit" BETWEEN 1 AND 100),
  ADD COLUMN "account_lockout_threshold" INTEGER CHECK ("account_lockout_threshold" BETWEEN 1 AND 100);
