-- Audit event ids chosen by the writer (issue 12, outage spool). A gateway that cannot reach the
-- database keeps an event in its local spool with an id it made (UUIDv7, time-ordered) and replays
-- it later with `INSERT … ON CONFLICT (event_id) DO NOTHING`: the spool is at-least-once (a gateway
-- killed between the insert and deleting its segment sends the segment again), the unique id makes
-- the table exactly-once. Writers that do not choose an id get a random one from the default.
-- The gateway role keeps INSERT + SELECT only: ON CONFLICT DO NOTHING needs no UPDATE right.

ALTER TABLE "audit_events" ADD COLUMN "event_id" UUID NOT NULL DEFAULT gen_random_uuid();

CREATE UNIQUE INDEX "audit_events_event_id_key" ON "audit_events"("event_id");
