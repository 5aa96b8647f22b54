-- AlterTable
ALTER TABLE "recovery_codes" ADD COLUMN     "lookup_tag" INTEGER;

-- CreateIndex
CREATE INDEX "recovery_codes_factor_id_lookup_tag_idx" ON "recovery_codes"("factor_id", "lookup_tag");

