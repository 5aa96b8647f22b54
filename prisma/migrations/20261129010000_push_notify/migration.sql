-- Push approval long-polls (verify.pushStatus, the hosted page): a decision made on any gateway
-- wakes the waiters on every gateway at once. Each gateway's listener connection LISTENs on
-- `holdfast_push` (api/src/cache/cache-listener.ts); the payload is the transaction id only.
-- Without a listener (or while it is down) the long-poll re-reads every 250 ms instead.

CREATE OR REPLACE FUNCTION holdfast_notify_push() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('holdfast_push', NEW.id::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER push_transactions_notify_status AFTER UPDATE OF "status" ON "push_transactions"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION holdfast_notify_push();
