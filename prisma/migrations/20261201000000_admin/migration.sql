-- Admin console (issue 13): admin accounts, their sessions, and the built-in system application
-- whose users the admins are (so their second factor goes through the one verification write path).

-- The built-in "Holdfast admin console" application. Never a relying application: no API key may
-- be made for it (trigger below, and authenticate-api-key refuses it too), and operators' lists of
-- applications skip it, as they skip the canary's.
ALTER TABLE "applications" ADD COLUMN "is_system" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "applications" ADD CONSTRAINT "applications_system_not_canary" CHECK (NOT ("is_system" AND "is_canary"));
-- One system application per deployment.
CREATE UNIQUE INDEX "applications_one_system" ON "applications" ("is_system") WHERE "is_system";

-- RP ID and origin are re-applied by every gateway at start from HOLDFAST_ADMIN_ORIGIN.
-- Admin passkeys must verify the user (a PIN or biometric), not only presence.
INSERT INTO "applications" ("id", "name", "is_system", "rp_id", "rp_name", "allowed_origins", "user_verification")
VALUES (gen_random_uuid(), 'Holdfast admin console', true, 'localhost', 'Holdfast admin', ARRAY['http://localhost:3003'], 'required');

CREATE FUNCTION "holdfast_refuse_system_api_keys"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "applications" WHERE "id" = NEW."application_id" AND "is_system") THEN
    RAISE EXCEPTION 'the admin console''s system application has no API keys' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "api_keys_not_system" BEFORE INSERT OR UPDATE OF "application_id" ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION "holdfast_refuse_system_api_keys"();

CREATE TYPE "admin_role" AS ENUM ('owner', 'admin', 'helpdesk', 'auditor');

CREATE TABLE "admin_accounts" (
    "id" UUID NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "name" VARCHAR(128) NOT NULL,
    "role" "admin_role" NOT NULL,
    -- core hashAdminPassword: scrypt$<logN>$<r>$<p>$<salt>$<hash>
    "password_hash" TEXT NOT NULL,
    -- The admin's users row in the system application (its factors are the admin's second factors).
    "user_id" UUID NOT NULL,
    -- Consecutive wrong passwords, counted here so the lockout holds across gateway processes.
    "failed_sign_in_count" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabled_at" TIMESTAMPTZ(3),
    CONSTRAINT "admin_accounts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "admin_accounts_email_lower" CHECK ("email" = lower(btrim("email")) AND "email" LIKE '%_@_%'),
    CONSTRAINT "admin_accounts_name_present" CHECK (length(btrim("name")) > 0),
    CONSTRAINT "admin_accounts_password_scrypt" CHECK ("password_hash" LIKE 'scrypt$%'),
    CONSTRAINT "admin_accounts_failed_count" CHECK ("failed_sign_in_count" >= 0),
    CONSTRAINT "admin_accounts_disabled_after_created" CHECK ("disabled_at" IS NULL OR "disabled_at" >= "created_at")
);
CREATE UNIQUE INDEX "admin_accounts_email_key" ON "admin_accounts"("email");
CREATE UNIQUE INDEX "admin_accounts_user_id_key" ON "admin_accounts"("user_id");
ALTER TABLE "admin_accounts" ADD CONSTRAINT "admin_accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- An admin's user must belong to the system application (a relying app's user is never an admin).
CREATE FUNCTION "holdfast_admin_user_is_system"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "users" u JOIN "applications" a ON a."id" = u."application_id" WHERE u."id" = NEW."user_id" AND a."is_system") THEN
    RAISE EXCEPTION 'an admin account''s user must belong to the system application' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "admin_accounts_user_is_system" BEFORE INSERT OR UPDATE OF "user_id" ON "admin_accounts"
  FOR EACH ROW EXECUTE FUNCTION "holdfast_admin_user_is_system"();

-- A session: `hfp_` while only the password is proven (mfa_at NULL, 10 minutes), then `hfa_` (a NEW
-- token, so a pending token seen by anyone is worth nothing once the factor is verified).
-- Only the SHA-256 of the 256-bit token is stored.
CREATE TABLE "admin_sessions" (
    "id" UUID NOT NULL,
    "token_hash" BYTEA NOT NULL,
    "admin_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "mfa_at" TIMESTAMPTZ(3),
    "step_up_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    -- The enrollment session the first sign-in enrolls through (the existing TOTP/WebAuthn services).
    "enrollment_link_id" UUID,
    -- The WebAuthn challenge of the ceremony in progress (sign-in, enrollment or step-up).
    "challenge_id" UUID,
    CONSTRAINT "admin_sessions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "admin_sessions_token_hash_sha256" CHECK (octet_length("token_hash") = 32),
    CONSTRAINT "admin_sessions_seen_after_created" CHECK ("last_seen_at" >= "created_at"),
    CONSTRAINT "admin_sessions_mfa_after_created" CHECK ("mfa_at" IS NULL OR "mfa_at" >= "created_at"),
    CONSTRAINT "admin_sessions_step_up_after_mfa" CHECK ("step_up_at" IS NULL OR ("mfa_at" IS NOT NULL AND "step_up_at" >= "mfa_at")),
    CONSTRAINT "admin_sessions_revoked_after_created" CHECK ("revoked_at" IS NULL OR "revoked_at" >= "created_at")
);
CREATE UNIQUE INDEX "admin_sessions_token_hash_key" ON "admin_sessions"("token_hash");
CREATE INDEX "admin_sessions_admin_id_idx" ON "admin_sessions"("admin_id");
ALTER TABLE "admin_sessions" ADD CONSTRAINT "admin_sessions_admin_id_fkey" FOREIGN KEY ("admin_id") REFERENCES "admin_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "admin_sessions" ADD CONSTRAINT "admin_sessions_enrollment_link_id_fkey" FOREIGN KEY ("enrollment_link_id") REFERENCES "enrollment_links"("id") ON DELETE SET NULL ON UPDATE CASCADE;
