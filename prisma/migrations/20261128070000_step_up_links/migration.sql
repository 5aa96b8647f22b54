-- Step-up before factor changes, and enrollment links that end (issue 8, hole 2).

-- CreateEnum
CREATE TYPE "enrollment_link_end_reason" AS ENUM ('superseded', 'logged_out');

-- AlterTable
ALTER TABLE "enrollment_links" ADD COLUMN     "ended_at" TIMESTAMPTZ(3),
ADD COLUMN     "ended_reason" "enrollment_link_end_reason",
ADD COLUMN     "stepped_up_at" TIMESTAMPTZ(3),
ADD COLUMN     "stepped_up_factor_id" UUID;

-- CreateIndex
CREATE INDEX "enrollment_links_user_id_idx" ON "enrollment_links"("user_id");

-- Links issued before this migration could live 7 days (24 h by default): bring the unredeemed ones
-- under the new cap (60 minutes) instead of ending them, so nobody mid-enrollment is cut off.
UPDATE "enrollment_links" SET "expires_at" = LEAST("expires_at", CURRENT_TIMESTAMP + interval '60 minutes')
 WHERE "redeemed_at" IS NULL;
