-- One-time bypass codes (issue 13). An admin, after step-up, issues a user a code to read to them
-- when they lost their factors. It is a `factors` row of kind `bypass` (so the one verification
-- write path — row locks, exact failure counting, lockout, idempotent attempt ids — applies to it
-- as to any factor) with its code row beside it, as totp_factors is. Only a salted HMAC of the
-- code is stored; `used_at` is set once, by compare-and-set (invariant 1). Table privileges for
-- the gateway role come from applyGatewayGrants (packages/db/src/roles.ts) after every migration.
-- (A value added to an enum cannot be used in the transaction that adds it: nothing below uses it.)

-- AlterEnum
ALTER TYPE "factor_kind" ADD VALUE 'bypass';

-- CreateTable
CREATE TABLE "bypass_codes" (
    "factor_id" UUID NOT NULL,
    -- 16 random bytes; the HMAC key of this code's hash (core hashBypassCode).
    "salt" BYTEA NOT NULL,
    "hash" BYTEA NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "issued_by_admin_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bypass_codes_pkey" PRIMARY KEY ("factor_id"),
    CONSTRAINT "bypass_codes_salt_length" CHECK (length("salt") = 16),
    CONSTRAINT "bypass_codes_hash_length" CHECK (length("hash") = 32),
    -- At most 24 hours (the console's bound), with a second of slack; the issuer writes created_at
    -- from the same clock as expires_at.
    CONSTRAINT "bypass_codes_lifetime" CHECK ("expires_at" > "created_at" AND "expires_at" <= "created_at" + interval '24 hours 1 second')
);

-- CreateIndex
CREATE INDEX "bypass_codes_issued_by_admin_id_idx" ON "bypass_codes"("issued_by_admin_id");

-- AddForeignKey
ALTER TABLE "bypass_codes" ADD CONSTRAINT "bypass_codes_factor_id_fkey" FOREIGN KEY ("factor_id") REFERENCES "factors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey: admin accounts are disabled, never erased, so the issuer is always named.
ALTER TABLE "bypass_codes" ADD CONSTRAINT "bypass_codes_issued_by_admin_id_fkey" FOREIGN KEY ("issued_by_admin_id") REFERENCES "admin_accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Cache invalidation (invariant 8): preauth offers a bypass code only while it is unused, from the
-- cached factor list; its use must reach every gateway's cache at once, as a recovery code's does.
CREATE OR REPLACE FUNCTION holdfast_notify_cache() RETURNS trigger AS $$
DECLARE
  row_data RECORD;
  payload TEXT;
BEGIN
  IF TG_OP = 'DELETE' THEN row_data := OLD; ELSE row_data := NEW; END IF;
  IF TG_TABLE_NAME = 'api_keys' THEN
    payload := 'apikey:' || row_data.id;
  ELSIF TG_TABLE_NAME = 'applications' THEN
    payload := 'application:' || row_data.id;
  ELSIF TG_TABLE_NAME = 'factors' THEN
    payload := 'user:' || row_data.user_id;
  ELSIF TG_TABLE_NAME IN ('recovery_codes', 'bypass_codes') THEN
    SELECT 'user:' || f.user_id INTO payload FROM factors f WHERE f.id = row_data.factor_id;
  ELSIF TG_TABLE_NAME = 'users' THEN
    payload := 'user:' || row_data.id;
  END IF;
  IF payload IS NOT NULL THEN
    PERFORM pg_notify('holdfast_cache', payload);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER bypass_codes_notify_cache AFTER UPDATE OF used_at ON "bypass_codes"
  FOR EACH ROW EXECUTE FUNCTION holdfast_notify_cache();
