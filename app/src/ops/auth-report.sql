-- Auth report queries, run by `npm run ops:auth-report` and quoted by the runbooks.
--
-- Parameters use ClickHouse's {name:Type} syntax. With a current clickhouse-client pass them as
--   clickhouse-client --param_from='2026-01-01 00:00:00' --param_to='2026-01-02 00:00:00' --param_limit=10 ...
-- The 18.16 server has no query parameters, so the CLI substitutes validated literals itself.
-- The window is [from, to) in UTC.
--
-- Delivery into auth_events is at least once, so a retried insert can store an event twice:
-- every count is uniqExact(event_id) and every listing is LIMIT 1 BY event_id.

-- name: logins_by_outcome
SELECT
    outcome,
    reason,
    uniqExact(event_id) AS events
FROM auth_events
WHERE event_time >= {from:DateTime} AND event_time < {to:DateTime}
  AND event_type IN ('login_succeeded', 'login_failed')
GROUP BY outcome, reason
ORDER BY outcome DESC, events DESC, reason;

-- name: top_failing_ips
SELECT
    client_ip,
    uniqExact(event_id) AS failures,
    uniqExactIf(user_id, user_id != '') AS accounts,
    toString(max(event_time)) AS last_seen
FROM auth_events
WHERE event_time >= {from:DateTime} AND event_time < {to:DateTime}
  AND event_type = 'login_failed'
GROUP BY client_ip
ORDER BY failures DESC, client_ip
LIMIT {limit:UInt32};

-- name: top_failing_accounts
-- Only known accounts: a failure for an unknown email has no user id (emails are never stored).
SELECT
    user_id,
    uniqExact(event_id) AS failures,
    uniqExact(client_ip) AS ips,
    toString(max(event_time)) AS last_seen
FROM auth_events
WHERE event_time >= {from:DateTime} AND event_time < {to:DateTime}
  AND event_type = 'login_failed' AND user_id != ''
GROUP BY user_id
ORDER BY failures DESC, user_id
LIMIT {limit:UInt32};

-- name: lockouts
SELECT
    toString(event_time) AS time,
    user_id,
    client_ip,
    reason
FROM auth_events
WHERE event_time >= {from:DateTime} AND event_time < {to:DateTime}
  AND event_type = 'account_locked'
ORDER BY event_time, event_time_ms, event_id
LIMIT 1 BY event_id
LIMIT {limit:UInt32};

-- name: refresh_token_reuse
-- Each row is an incident: a rotated refresh token was presented again and its session was revoked.
SELECT
    toString(event_time) AS time,
    user_id,
    session_id,
    client_ip,
    user_agent
FROM auth_events
WHERE event_time >= {from:DateTime} AND event_time < {to:DateTime}
  AND event_type = 'refresh_token_reused'
ORDER BY event_time, event_time_ms, event_id
LIMIT 1 BY event_id
LIMIT {limit:UInt32};

-- name: registrations
SELECT
    toString(toDate(event_time)) AS day,
    uniqExact(event_id) AS registrations
FROM auth_events
WHERE event_time >= {from:DateTime} AND event_time < {to:DateTime}
  AND event_type = 'user_registered'
GROUP BY day
ORDER BY day;
