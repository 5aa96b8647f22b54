-- WebAuthn security keys and passkeys (issue #4): one credential per factor of kind 'webauthn',
-- server-side single-use challenges bound to their ceremony (DESIGN invariant 5), and each
-- application's WebAuthn policy. Cache triggers: credentials change only with their factor row,
-- which already notifies; challenges are never cached.

-- CreateEnum
CREATE TYPE "webauthn_ceremony" AS ENUM ('registration', 'authentication');

-- CreateEnum
CREATE TYPE "user_verification_policy" AS ENUM ('required', 'preferred');

-- CreateEnum
CREATE TYPE "attestation_policy" AS ENUM ('none', 'direct');

-- AlterEnum
ALTER TYPE "factor_kind" ADD VALUE 'webauthn';

-- AlterTable
ALTER TABLE "applications" ADD COLUMN     "allowed_origins" TEXT[] DEFAULT ARRAY['http://localhost:3000']::TEXT[],
ADD COLUMN     "attestation" "attestation_policy" NOT NULL DEFAULT 'none',
ADD COLUMN     "rp_id" VARCHAR(253) NOT NULL DEFAULT 'localhost',
ADD COLUMN     "rp_name" VARCHAR(64) NOT NULL DEFAULT 'Holdfast',
ADD COLUMN     "user_verification" "user_verification_policy" NOT NULL DEFAULT 'preferred';

-- CreateTable
CREATE TABLE "webauthn_credentials" (
    "factor_id" UUID NOT NULL,
    "credential_id" BYTEA NOT NULL,
    "public_key" BYTEA NOT NULL,
    "sign_count" BIGINT NOT NULL DEFAULT 0,
    "transports" TEXT[],
    "aaguid" VARCHAR(36) NOT NULL,
    "backup_eligible" BOOLEAN NOT NULL,
    "backup_state" BOOLEAN NOT NULL,

    CONSTRAINT "webauthn_credentials_pkey" PRIMARY KEY ("factor_id")
);

-- CreateTable
CREATE TABLE "webauthn_challenges" (
    "id" UUID NOT NULL,
    "application_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "ceremony" "webauthn_ceremony" NOT NULL,
    "challenge" BYTEA NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "consumed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webauthn_challenges_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "webauthn_credentials_credential_id_key" ON "webauthn_credentials"("credential_id");

-- CreateIndex
CREATE INDEX "webauthn_challenges_user_id_ceremony_idx" ON "webauthn_challenges"("user_id", "ceremony");

-- AddForeignKey
ALTER TABLE "webauthn_credentials" ADD CONSTRAINT "webauthn_credentials_factor_id_fkey" FOREIGN KEY ("factor_id") REFERENCES "factors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webauthn_challenges" ADD CONSTRAINT "webauthn_challenges_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webauthn_challenges" ADD CONSTRAINT "webauthn_challenges_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

