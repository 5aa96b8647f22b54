-- The syslog forwarder's place in the sealed audit log (issue 12). The database is the spool: the
-- forwarder (one at a time, advisory lock, any gateway) sends sealed records in leaf order and
-- keeps here the last leaf index the collector was handed, advanced only after the socket took
-- the bytes. While the collector is down the cursor lags (nothing lost, nothing held in memory);
-- whichever gateway forwards next resumes after it. One row per destination name ('syslog').
CREATE TABLE "audit_forwarder_cursors" (
    "name" VARCHAR(64) NOT NULL,
    -- -1: nothing forwarded yet (a new forwarder sends the log from its first leaf).
    "last_leaf_index" BIGINT NOT NULL DEFAULT -1,
    -- Where it was last forwarded (scheme://host:port, no secrets) and by which gateway: for operators.
    "destination" VARCHAR(300),
    "gateway_id" VARCHAR(64),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_forwarder_cursors_pkey" PRIMARY KEY ("name"),
    CONSTRAINT "audit_forwarder_cursors_last_leaf_index_check" CHECK ("last_leaf_index" >= -1)
);
