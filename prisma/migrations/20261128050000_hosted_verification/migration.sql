-- CreateEnum
CREATE TYPE "verification_transaction_status" AS ENUM ('pending', 'completed');

-- AlterTable
ALTER TABLE "applications" ADD COLUMN     "callback_urls" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "verification_transactions" (
    "id" UUID NOT NULL,
    "application_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token_hash" BYTEA NOT NULL,
    "callback_url" VARCHAR(2048) NOT NULL,
    "state" VARCHAR(512),
    "status" "verification_transaction_status" NOT NULL DEFAULT 'pending',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "result_jti" UUID,

    CONSTRAINT "verification_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "verification_results" (
    "jti" UUID NOT NULL,
    "application_id" UUID NOT NULL,
    "transaction_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "redeemed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "verification_results_pkey" PRIMARY KEY ("jti")
);

-- CreateTable
CREATE TABLE "signing_keys" (
    "kid" VARCHAR(64) NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "private_jwk_enc" TEXT NOT NULL,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateIndex
CREATE UNIQUE INDEX "verification_transactions_token_hash_key" ON "verification_transactions"("token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "verification_transactions_result_jti_key" ON "verification_transactions"("result_jti");

-- AddForeignKey
ALTER TABLE "verification_transactions" ADD CONSTRAINT "verification_transactions_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "verification_transactions" ADD CONSTRAINT "verification_transactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- At most one active signing key: gateways creating the first one concurrently insert
-- ON CONFLICT DO NOTHING and all read the one that won.
CREATE UNIQUE INDEX "signing_keys_one_active_key" ON "signing_keys"("is_active") WHERE "is_active";
