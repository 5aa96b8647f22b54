-- CreateTable
CREATE TABLE "drill_reports" (
    "id" UUID NOT NULL,
    "scenario" VARCHAR(48) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL,
    "is_passed" BOOLEAN NOT NULL,
    "summary" JSONB NOT NULL,
    "markdown" TEXT NOT NULL,

    CONSTRAINT "drill_reports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "drill_reports_started_at_idx" ON "drill_reports"("started_at");
