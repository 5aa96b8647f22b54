-- Audit retention (issue 12): old audit rows are deleted only below a signed "pruned below N" mark.
-- `holdfast audit prune` (run with the migrator's credentials: the gateway role may never delete
-- an audit row) signs, with the deployment's audit key, a C2SP checkpoint of a tree head the
-- sealer already signed, with the extension line `pruned-below <N>`, stores it here and deletes
-- the rows of leaves 0..N-1 in the same transaction. The leaves (32-byte hashes) and checkpoints
-- stay: inclusion proofs of later events and consistency between checkpoints remain checkable, and
-- `holdfast audit verify` accepts a missing row below the highest mark whose signature verifies and
-- whose tree head is a stored checkpoint's. Only the key holder can authorise a hole.

-- CreateTable: append-only (the gateway role: SELECT only, packages/db/src/roles.ts).
CREATE TABLE "audit_prune_marks" (
    -- N: the rows of leaves 0..N-1 may be gone.
    "pruned_below" BIGINT NOT NULL,
    -- The signed tree head the mark is for (a stored checkpoint's size and root).
    "tree_size" BIGINT NOT NULL,
    "root_hash" BYTEA NOT NULL,
    -- The signed note: checkpoint body + `pruned-below <N>` + `— <key name> <base64(key id || signature)>`.
    "note" TEXT NOT NULL,
    "key_name" VARCHAR(128) NOT NULL,
    -- What the operator asked for (`--before`): every pruned event occurred before it.
    "pruned_before" TIMESTAMPTZ(3) NOT NULL,
    -- Rows deleted by this prune, and rows below N it kept (a webhook delivery still pending).
    "deleted_rows" BIGINT NOT NULL,
    "kept_rows" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_prune_marks_pkey" PRIMARY KEY ("pruned_below"),
    CONSTRAINT "audit_prune_marks_range_check" CHECK ("pruned_below" > 0 AND "pruned_below" <= "tree_size"),
    CONSTRAINT "audit_prune_marks_root_hash_check" CHECK (octet_length("root_hash") = 32),
    CONSTRAINT "audit_prune_marks_counts_check" CHECK ("deleted_rows" >= 0 AND "kept_rows" >= 0)
);
