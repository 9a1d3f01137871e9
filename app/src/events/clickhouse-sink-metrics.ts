// Prometheus metrics of the ClickHouse sink, registered on the registry the caller passes in.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type DropReason = 'queue_full' | 'invalid' | 'shutdown';

export interface ClickHouseSinkMetrics {
  enqueued: Counter;
  written: Counter;
  dropped: Counter<'reason'>;
  queueDepth: Gauge;
  insertDuration: Histogram;
  insertFailures: Counter;
  batchSize: Histogram;
}

/**
 * Creates and registers the sink's metrics. Each registry can hold one sink's set.
 * @param registry - the Prometheus registry.
 * @returns the sink's counters, gauges and histograms.
 */
export function createClickHouseSinkMetrics(registry: Registry): ClickHouseSinkMetrics {
  const registers = [registry];
  return {
    enqueued: new Counter({ name: 'auth_events_enqueued_total', help: 'Auth events accepted into the ClickHouse queue.', registers }),
    written: new Counter({ name: 'auth_events_written_total', help: 'Auth events acknowledged by ClickHouse (a retried batch counts once per success).', registers }),
    dropped: new Counter({
      name: 'auth_events_dropped_total',
      help: 'Auth events never written: queue_full drops the oldest queued event, shutdown is what the close deadline left, invalid failed validation.',
      labelNames: ['reason'],
      registers,
    }),
    queueDepth: new Gauge({ name: 'auth_events_queue_depth', help: 'Auth events waiting for ClickHouse, including the batch being inserted.', registers }),
    insertDuration: new Histogram({
      name: 'auth_events_insert_duration_seconds',
      help: 'Duration of one batch insert into ClickHouse, failed or not.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    insertFailures: new Counter({ name: 'auth_events_insert_failures_total', help: 'Batch inserts into ClickHouse that failed and will be retried.', registers }),
    batchSize: new Histogram({
      name: 'auth_events_insert_batch_size',
      help: 'Events per successful insert.',
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
      registers,
    }),
  };
}
