-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "fail_mode" AS ENUM ('secure', 'safe');

-- CreateEnum
CREATE TYPE "factor_kind" AS ENUM ('totp', 'recovery_codes');

-- CreateEnum
CREATE TYPE "factor_status" AS ENUM ('pending', 'active', 'revoked');

-- CreateEnum
CREATE TYPE "totp_algorithm" AS ENUM ('SHA1', 'SHA256', 'SHA512');

-- CreateEnum
CREATE TYPE "attempt_outcome" AS ENUM ('accepted', 'rejected');

-- CreateTable
CREATE TABLE "applications" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "fail_mode" "fail_mode" NOT NULL DEFAULT 'secure',
    "is_canary" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "applications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" VARCHAR(24) NOT NULL,
    "application_id" UUID NOT NULL,
    "secret_hash" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "application_id" UUID NOT NULL,
    "external_id" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "factors" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" "factor_kind" NOT NULL,
    "label" VARCHAR(64) NOT NULL,
    "status" "factor_status" NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "failed_count" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),

    CONSTRAINT "factors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "totp_factors" (
    "factor_id" UUID NOT NULL,
    "secret_enc" TEXT NOT NULL,
    "algorithm" "totp_algorithm" NOT NULL DEFAULT 'SHA1',
    "digits" INTEGER NOT NULL DEFAULT 6,
    "period" INTEGER NOT NULL DEFAULT 30,
    "last_step" BIGINT NOT NULL DEFAULT -1,

    CONSTRAINT "totp_factors_pkey" PRIMARY KEY ("factor_id")
);

-- CreateTable
CREATE TABLE "recovery_codes" (
    "id" UUID NOT NULL,
    "factor_id" UUID NOT NULL,
    "salt" BYTEA NOT NULL,
    "hash" BYTEA NOT NULL,
    "used_at" TIMESTAMPTZ(3),

    CONSTRAINT "recovery_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "verification_attempts" (
    "id" UUID NOT NULL,
    "application_id" UUID NOT NULL,
    "attempt_id" VARCHAR(128) NOT NULL,
    "request_hash" BYTEA NOT NULL,
    "user_id" UUID NOT NULL,
    "factor_id" UUID,
    "outcome" "attempt_outcome" NOT NULL,
    "reason" VARCHAR(32),
    "gateway_id" VARCHAR(64) NOT NULL,
    "region" VARCHAR(32) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "verification_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "enrollment_links" (
    "id" UUID NOT NULL,
    "application_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token_hash" BYTEA NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "redeemed_at" TIMESTAMPTZ(3),
    "session_hash" BYTEA,
    "session_expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "enrollment_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" VARCHAR(48) NOT NULL,
    "application_id" UUID,
    "user_id" UUID,
    "factor_id" UUID,
    "attempt_id" VARCHAR(128),
    "gateway_id" VARCHAR(64) NOT NULL,
    "region" VARCHAR(32) NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gateway_heartbeats" (
    "gateway_id" VARCHAR(64) NOT NULL,
    "region" VARCHAR(32) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "canary_ok" BOOLEAN,
    "canary_latency_ms" INTEGER,
    "canary_at" TIMESTAMPTZ(3),

    CONSTRAINT "gateway_heartbeats_pkey" PRIMARY KEY ("gateway_id")
);

-- CreateIndex
CREATE INDEX "api_keys_application_id_idx" ON "api_keys"("application_id");

-- CreateIndex
CREATE UNIQUE INDEX "users_application_id_external_id_key" ON "users"("application_id", "external_id");

-- CreateIndex
CREATE INDEX "factors_user_id_idx" ON "factors"("user_id");

-- CreateIndex
CREATE INDEX "recovery_codes_factor_id_idx" ON "recovery_codes"("factor_id");

-- CreateIndex
CREATE INDEX "verification_attempts_factor_id_idx" ON "verification_attempts"("factor_id");

-- CreateIndex
CREATE UNIQUE INDEX "verification_attempts_application_id_attempt_id_key" ON "verification_attempts"("application_id", "attempt_id");

-- CreateIndex
CREATE UNIQUE INDEX "enrollment_links_token_hash_key" ON "enrollment_links"("token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "enrollment_links_session_hash_key" ON "enrollment_links"("session_hash");

-- CreateIndex
CREATE INDEX "audit_events_application_id_occurred_at_idx" ON "audit_events"("application_id", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_events_type_occurred_at_idx" ON "audit_events"("type", "occurred_at");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "factors" ADD CONSTRAINT "factors_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "totp_factors" ADD CONSTRAINT "totp_factors_factor_id_fkey" FOREIGN KEY ("factor_id") REFERENCES "factors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recovery_codes" ADD CONSTRAINT "recovery_codes_factor_id_fkey" FOREIGN KEY ("factor_id") REFERENCES "factors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "verification_attempts" ADD CONSTRAINT "verification_attempts_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrollment_links" ADD CONSTRAINT "enrollment_links_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrollment_links" ADD CONSTRAINT "enrollment_links_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

