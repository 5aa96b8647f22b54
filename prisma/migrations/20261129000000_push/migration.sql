-- Push approval (issue 11). A paired device is a `factors` row of kind `push` (so step-up, the
-- factor list, revocation and the factor webhooks apply to it as to any factor) with its device
-- row beside it, as totp_factors is. A push transaction is one login waiting for an answer; its
-- status moves `pending → approved | denied | expired` only by compare-and-set (core
-- push-transaction.ts), and one pending push per user is a partial unique index, not a convention.
-- (A value added to an enum cannot be used in the transaction that adds it: nothing below uses it.)

-- AlterEnum
ALTER TYPE "factor_kind" ADD VALUE 'push';

-- CreateEnum
CREATE TYPE "push_transaction_status" AS ENUM ('pending', 'approved', 'denied', 'expired');

-- AlterTable: fatigue limits and the transaction's life, per application (core defaults).
ALTER TABLE "applications" ADD COLUMN "push_ttl_seconds" INTEGER NOT NULL DEFAULT 60,
ADD COLUMN "push_number_digits" INTEGER NOT NULL DEFAULT 2,
ADD COLUMN "push_max_per_window" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN "push_window_seconds" INTEGER NOT NULL DEFAULT 300,
ADD COLUMN "push_fraud_suspension_seconds" INTEGER NOT NULL DEFAULT 1200;
ALTER TABLE "applications" ADD CONSTRAINT "applications_push_ttl_seconds_check" CHECK ("push_ttl_seconds" BETWEEN 15 AND 300),
ADD CONSTRAINT "applications_push_number_digits_check" CHECK ("push_number_digits" BETWEEN 2 AND 3),
ADD CONSTRAINT "applications_push_max_per_window_check" CHECK ("push_max_per_window" BETWEEN 1 AND 100),
ADD CONSTRAINT "applications_push_window_seconds_check" CHECK ("push_window_seconds" BETWEEN 1 AND 86400),
ADD CONSTRAINT "applications_push_fraud_suspension_seconds_check" CHECK ("push_fraud_suspension_seconds" BETWEEN 1 AND 86400);

-- AlterTable: set by "Report fraud" (Duo mutes push for 20 minutes).
ALTER TABLE "users" ADD COLUMN "push_suspended_until" TIMESTAMPTZ(3);

-- CreateTable: the deployment's VAPID key pair (RFC 8292). Subscriptions are bound to the public key
-- they were made with, so it is made once (by whichever gateway needs it first) and kept.
CREATE TABLE "vapid_keys" (
    "id" UUID NOT NULL,
    "public_key" VARCHAR(100) NOT NULL,
    "private_key_enc" TEXT NOT NULL,
    "subject" VARCHAR(256) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vapid_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "push_devices" (
    "factor_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "public_jwk" JSONB NOT NULL,
    -- Envelope-encrypted {endpoint, keys} (invariant 6), AAD `push-subscription:<factor id>`; NULL
    -- when the device has none or its push service said it is gone (404/410).
    "subscription_enc" TEXT,
    "subscription_gone_at" TIMESTAMPTZ(3),
    "vapid_key_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3),

    CONSTRAINT "push_devices_pkey" PRIMARY KEY ("factor_id")
);

-- CreateTable
CREATE TABLE "push_transactions" (
    "id" UUID NOT NULL,
    "application_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "attempt_id" VARCHAR(128) NOT NULL,
    -- Shown on the login screen, typed on the device; never sent to a device.
    "number" VARCHAR(3) NOT NULL,
    "context" JSONB NOT NULL DEFAULT '{}',
    "status" "push_transaction_status" NOT NULL DEFAULT 'pending',
    "reason" VARCHAR(32),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_at" TIMESTAMPTZ(3),
    "device_id" UUID,
    -- Forensics and idempotent re-sends only: ECDSA signatures are malleable, never a replay key.
    "answer_signature_sha256" BYTEA,
    "hosted_transaction_id" UUID,

    CONSTRAINT "push_transactions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "push_transactions_decided_check" CHECK (("status" = 'pending') = ("decided_at" IS NULL))
);

-- CreateTable
CREATE TABLE "push_pairing_tokens" (
    "id" UUID NOT NULL,
    "token_hash" BYTEA NOT NULL,
    "application_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    -- The enrollment session that made it: pairing is refused once that session has ended (logout,
    -- a newer link), and a token made as the user's first factor stays one only while it is.
    "enrollment_link_id" UUID NOT NULL,
    "is_first_binding" BOOLEAN NOT NULL DEFAULT false,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "redeemed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "push_pairing_tokens_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "push_pairing_tokens_lifetime_check" CHECK ("expires_at" <= "created_at" + interval '10 minutes')
);

-- CreateIndex
CREATE INDEX "push_devices_user_id_idx" ON "push_devices"("user_id");

-- CreateIndex: a retried pushBegin (same attempt id) finds its transaction.
CREATE UNIQUE INDEX "push_transactions_application_id_attempt_id_key" ON "push_transactions"("application_id", "attempt_id");

-- CreateIndex: one pending push per user, whatever gateway begins it.
CREATE UNIQUE INDEX "push_transactions_one_pending_per_user" ON "push_transactions"("user_id") WHERE "status" = 'pending';

-- CreateIndex: the fatigue window (the user's recent begins).
CREATE INDEX "push_transactions_user_id_created_at_idx" ON "push_transactions"("user_id", "created_at");

-- CreateIndex: the expiry sweep.
CREATE INDEX "push_transactions_pending_expires_at_idx" ON "push_transactions"("expires_at") WHERE "status" = 'pending';

-- CreateIndex
CREATE UNIQUE INDEX "push_pairing_tokens_token_hash_key" ON "push_pairing_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "push_pairing_tokens_expires_at_idx" ON "push_pairing_tokens"("expires_at");

-- AddForeignKey
ALTER TABLE "push_devices" ADD CONSTRAINT "push_devices_factor_id_fkey" FOREIGN KEY ("factor_id") REFERENCES "factors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "push_devices" ADD CONSTRAINT "push_devices_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "push_devices" ADD CONSTRAINT "push_devices_vapid_key_id_fkey" FOREIGN KEY ("vapid_key_id") REFERENCES "vapid_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "push_transactions" ADD CONSTRAINT "push_transactions_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "push_transactions" ADD CONSTRAINT "push_transactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "push_transactions" ADD CONSTRAINT "push_transactions_hosted_transaction_id_fkey" FOREIGN KEY ("hosted_transaction_id") REFERENCES "verification_transactions"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "push_pairing_tokens" ADD CONSTRAINT "push_pairing_tokens_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "push_pairing_tokens" ADD CONSTRAINT "push_pairing_tokens_enrollment_link_id_fkey" FOREIGN KEY ("enrollment_link_id") REFERENCES "enrollment_links"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "push_pairing_tokens" ADD CONSTRAINT "push_pairing_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
