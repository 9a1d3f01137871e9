// Prometheus metrics of the service, registered on a registry passed in (one per app, so tests never share).
import { Counter, Histogram, type Registry } from 'prom-client';

export interface Metrics {
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  argon2Duration: Histogram<'operation'>;
  databaseTransientErrors: Counter<'kind' | 'outcome'>;
}

const DATABASE_TRANSIENT_ERRORS = 'database_transient_errors_total';

/**
 * The counter of transient PostgreSQL failures (issue 14), by `kind` (serialization_failure, deadlock,
 * lock_timeout, connection) and `outcome`: `retried` (run again by the store) or `unavailable`
 * (answered 503). Shared by whoever asks on one registry, since both the stores and the app count.
 * @param registry - the Prometheus registry.
 * @returns the counter `database_transient_errors_total{kind,outcome}`, created on first use.
 */
export function databaseTransientErrors(registry: Registry): Counter<'kind' | 'outcome'> {
  const existing = registry.getSingleMetric(DATABASE_TRANSIENT_ERRORS);
  if (existing) return existing as Counter<'kind' | 'outcome'>;
  return new Counter({
    name: DATABASE_TRANSIENT_ERRORS,
    help: 'Transient PostgreSQL failures (deadlock, serialization failure, lock timeout, lost or refused connection) by kind and outcome: retried, or answered 503 unavailable.',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
}

/**
 * Registers the HTTP and argon2 metrics (durations in seconds) on a registry; each registry takes one set.
 * @param registry - the Prometheus registry.
 * @returns the metrics.
 */
export function createMetrics(registry: Registry): Metrics {
  return {
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    argon2Duration: new Histogram({
      name: 'argon2_duration_seconds',
      help: 'argon2id hash and verify time.',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6],
      registers: [registry],
    }),
    databaseTransientErrors: databaseTransientErrors(registry),
  };
}
