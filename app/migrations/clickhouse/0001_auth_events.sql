-- Auth events: one row per security-relevant action of the service.
--
-- Runs on the 18.16 floor and on ClickHouse Cloud, so it uses only what 18.16 has: no DateTime64
-- (time is whole seconds in event_time plus the millisecond part in event_time_ms), no LowCardinality,
-- no IPv4/IPv6 types (client_ip is text), and empty string instead of NULL (key columns cannot be
-- Nullable there). 18.16 also fills omitted JSONEachRow fields with type defaults rather than DEFAULT
-- expressions, so the sink always sends every column.
--
-- Delivery is at least once: a retried insert can store an event twice. ReplacingMergeTree with
-- event_id as the last key column collapses such copies when parts merge, and because merges are
-- eventual every query deduplicates on event_id too (uniqExact(event_id), LIMIT 1 BY event_id).
-- Ordered for the common questions: by type and time, then user.
CREATE TABLE IF NOT EXISTS auth_events
(
    event_id UUID,
    event_time DateTime('UTC'),
    event_time_ms UInt16,
    event_type String,
    outcome String,
    reason String,
    user_id String,
    session_id String,
    client_ip String,
    user_agent String,
    request_id String,
    service_version String,
    environment String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (event_type, event_time, user_id, event_id)
