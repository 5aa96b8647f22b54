-- The live audit stream (issue 12, GET /v1/audit/stream): a sealing pass on any gateway wakes the
-- waiting streams on every gateway at once. The sealer inserts one audit_checkpoints row per pass
-- that sealed something (in the same transaction as its leaves), so the notification is delivered
-- at commit, when the new leaves are readable. Each gateway's listener connection LISTENs on
-- `holdfast_audit` (api/src/cache/cache-listener.ts); the payload is the new tree size, a hint
-- only: streams re-read the sealed leaves. Without a listener they re-read on a timer instead.

CREATE OR REPLACE FUNCTION holdfast_notify_audit() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('holdfast_audit', NEW.tree_size::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_checkpoints_notify AFTER INSERT ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION holdfast_notify_audit();
