-- Issue 8, holes 5 and 6: hosted results by one-time code exchange, signing-key rotation,
-- per-transaction factor kinds, WebAuthn clone suspension, secure URLs only.

-- A credential suspected to be cloned (its signature counter went back) is suspended: verification
-- refuses it (`factor_not_active`) until the application revokes it or the user replaces it.
-- (ADD VALUE inside the migration's transaction is fine on PG >= 12 as long as nothing below uses it.)
ALTER TYPE "factor_status" ADD VALUE IF NOT EXISTS 'suspended';

-- Hosted transactions: the factor kinds the application allows for this one (empty = every kind).
ALTER TABLE "verification_transactions" ADD COLUMN "allowed_factor_kinds" "factor_kind"[] DEFAULT ARRAY[]::"factor_kind"[];

-- Hosted results: the callback carries an opaque one-time code; only its SHA-256 is stored. The
-- application exchanges it (`hosted.redeemResult`) for the result; `amr` is what the page verified.
ALTER TABLE "verification_results" ADD COLUMN "code_hash" BYTEA,
ADD COLUMN "amr" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
CREATE UNIQUE INDEX "verification_results_code_hash_key" ON "verification_results"("code_hash");

-- Signing-key rotation: a key is published (JWKS) from `created_at`, may sign from `activate_after`
-- (a publication delay longer than the JWKS cache), stops signing at `retired_at`, and stays
-- published until `publish_until` (its last token's expiry), after which the row is deleted.
ALTER TABLE "signing_keys" ADD COLUMN "activate_after" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN "retired_at" TIMESTAMPTZ(3),
ADD COLUMN "publish_until" TIMESTAMPTZ(3);

-- https only, except loopback development hosts: a callback over http hands the result code to
-- anyone on the path; a WebAuthn origin over http is no origin binding at all. Enforced in the
-- database so every writer (seeds, CLI, admin, SQL) is held to it. NOT VALID: existing rows are
-- not re-checked (the services also ignore insecure ones), every new write is.
CREATE FUNCTION "holdfast_is_secure_url"(url TEXT) RETURNS BOOLEAN LANGUAGE sql IMMUTABLE AS $$
  SELECT url ~* '^https://[^/]' OR url ~* '^http://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?(/|$)'
$$;
CREATE FUNCTION "holdfast_are_secure_urls"(urls TEXT[]) RETURNS BOOLEAN LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(bool_and("holdfast_is_secure_url"(u)), true) FROM unnest(urls) AS u
$$;
ALTER TABLE "applications" ADD CONSTRAINT "applications_callback_urls_secure" CHECK ("holdfast_are_secure_urls"("callback_urls")) NOT VALID;
ALTER TABLE "applications" ADD CONSTRAINT "applications_allowed_origins_secure" CHECK ("holdfast_are_secure_urls"("allowed_origins")) NOT VALID;
