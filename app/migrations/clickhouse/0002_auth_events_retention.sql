-- requires: ttl
-- Retention: auth events are kept for 400 days (a year of incident look-back plus margin), then
-- deleted by the server in the background. Table TTL arrived in ClickHouse 19.6, so on the 18.16
-- floor this migration is skipped and stays pending; it is applied on the first start against a
-- server that supports it. MODIFY TTL is idempotent, so two instances applying it at once is safe.
ALTER TABLE auth_events MODIFY TTL event_time + INTERVAL 400 DAY
