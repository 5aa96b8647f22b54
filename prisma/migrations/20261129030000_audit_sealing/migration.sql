-- The sealed audit log (issue 12): writers keep inserting audit rows in their own transactions
-- (invariant 7, no shared chain head on the hot path); one sealer at a time (advisory lock, any
-- gateway) orders newly committed rows into an append-only RFC 6962/9162 Merkle tree and signs a
-- C2SP checkpoint. Every table here is append-only for the gateway role (INSERT + SELECT,
-- packages/db/src/roles.ts): a serving process can neither edit a row's content nor its leaf.

-- Which transaction wrote the row (the top-level xid, 64-bit: never wraps). Rows commit out of id
-- order, so the sealer takes only rows whose transaction is older than every running one
-- (`xid < pg_snapshot_xmin(pg_current_snapshot())`): such a row is final (committed and visible,
-- or aborted and never seen), and no in-flight row can be skipped. Existing rows get the
-- migration's own xid, which is final once it commits.
ALTER TABLE "audit_events" ADD COLUMN "xid" xid8 NOT NULL DEFAULT pg_current_xact_id();

-- The sealer scans (xid, id) after its watermark: one pass reads only the rows it seals.
CREATE INDEX "audit_events_xid_id_idx" ON "audit_events"("xid", "id");

-- CreateTable: one leaf per sealed row, in tree order. No foreign key to audit_events on purpose:
-- a leaf whose row is gone is exactly what `holdfast audit verify` must be able to find.
CREATE TABLE "audit_leaves" (
    "leaf_index" BIGINT NOT NULL,
    "audit_event_id" BIGINT NOT NULL,
    -- SHA-256(0x00 || core auditLeafEntry(row)).
    "leaf_hash" BYTEA NOT NULL,
    "sealed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_leaves_pkey" PRIMARY KEY ("leaf_index"),
    CONSTRAINT "audit_leaves_leaf_index_check" CHECK ("leaf_index" >= 0),
    CONSTRAINT "audit_leaves_leaf_hash_check" CHECK (octet_length("leaf_hash") = 32)
);

CREATE UNIQUE INDEX "audit_leaves_audit_event_id_key" ON "audit_leaves"("audit_event_id");

-- CreateTable: a signed checkpoint per sealing pass that added leaves (C2SP tlog-checkpoint).
CREATE TABLE "audit_checkpoints" (
    "tree_size" BIGINT NOT NULL,
    "root_hash" BYTEA NOT NULL,
    -- The roots of the perfect subtrees, left to right (core MerkleFrontier): the next sealer
    -- continues the tree from here without reading a single older leaf.
    "frontier" BYTEA[] NOT NULL,
    -- The signed note (checkpoint body + `— <key name> <base64(key id || signature)>`).
    "note" TEXT NOT NULL,
    "key_name" VARCHAR(128) NOT NULL,
    -- The scan watermark: every row at or before (scan_xid, scan_id) in (xid, id) order is sealed
    -- or was aborted; the next pass starts after it.
    "scan_xid" xid8 NOT NULL,
    "scan_id" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("tree_size"),
    CONSTRAINT "audit_checkpoints_tree_size_check" CHECK ("tree_size" > 0),
    CONSTRAINT "audit_checkpoints_root_hash_check" CHECK (octet_length("root_hash") = 32)
);

-- CreateTable: the deployment's checkpoint-signing key (Ed25519), made by whichever gateway needs
-- it first (advisory lock + "oldest row wins"). The private half is envelope-encrypted with the
-- keyring (invariant 6), AAD `audit-key:<id>`; `holdfast rotate-keys` re-wraps it (the gateway
-- role may update that one column and nothing else of the table).
CREATE TABLE "audit_signing_keys" (
    "id" UUID NOT NULL,
    "key_name" VARCHAR(128) NOT NULL,
    -- The raw 32-byte Ed25519 public key.
    "public_key" BYTEA NOT NULL,
    "private_key_enc" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_signing_keys_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "audit_signing_keys_public_key_check" CHECK (octet_length("public_key") = 32)
);

CREATE UNIQUE INDEX "audit_signing_keys_key_name_key" ON "audit_signing_keys"("key_name");
