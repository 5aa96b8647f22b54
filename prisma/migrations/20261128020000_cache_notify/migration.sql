-- Cache invalidation (DESIGN invariant 8): gateways cache metadata (application by API key, a
-- user's factor list) and LISTEN on `holdfast_cache`; these triggers tell them what changed.
-- Only changes that alter cached data notify: a verification's failed_count / last_used_at
-- updates do not, so the hot path sends no notifications.

CREATE OR REPLACE FUNCTION holdfast_notify_cache() RETURNS trigger AS $$
DECLARE
  row_data RECORD;
  payload TEXT;
BEGIN
  IF TG_OP = 'DELETE' THEN row_data := OLD; ELSE row_data := NEW; END IF;
  IF TG_TABLE_NAME = 'api_keys' THEN
    payload := 'apikey:' || row_data.id;
  ELSIF TG_TABLE_NAME = 'applications' THEN
    payload := 'application:' || row_data.id;
  ELSIF TG_TABLE_NAME = 'factors' THEN
    payload := 'user:' || row_data.user_id;
  ELSIF TG_TABLE_NAME = 'recovery_codes' THEN
    SELECT 'user:' || f.user_id INTO payload FROM factors f WHERE f.id = row_data.factor_id;
  ELSIF TG_TABLE_NAME = 'users' THEN
    payload := 'user:' || row_data.id;
  END IF;
  IF payload IS NOT NULL THEN
    PERFORM pg_notify('holdfast_cache', payload);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER api_keys_notify_cache AFTER INSERT OR UPDATE OR DELETE ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION holdfast_notify_cache();
CREATE TRIGGER applications_notify_cache AFTER UPDATE OR DELETE ON "applications"
  FOR EACH ROW EXECUTE FUNCTION holdfast_notify_cache();
CREATE TRIGGER users_notify_cache AFTER DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION holdfast_notify_cache();
CREATE TRIGGER factors_notify_cache_insert_delete AFTER INSERT OR DELETE ON "factors"
  FOR EACH ROW EXECUTE FUNCTION holdfast_notify_cache();
CREATE TRIGGER factors_notify_cache_update AFTER UPDATE ON "factors"
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.label IS DISTINCT FROM NEW.label
                     OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.locked_until IS DISTINCT FROM NEW.locked_until)
  EXECUTE FUNCTION holdfast_notify_cache();
CREATE TRIGGER recovery_codes_notify_cache AFTER INSERT OR UPDATE OR DELETE ON "recovery_codes"
  FOR EACH ROW EXECUTE FUNCTION holdfast_notify_cache();
