// Prometheus metrics of the service, registered on a registry passed in (one per app, so tests never share).
import { Counter, Histogram, type Registry } from 'prom-client';

export interface Metrics {
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  argon2Duration: Histogram<'operation'>;
}

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
  };
}
