// Sends auth events to ClickHouse without ever slowing or failing a request.
//
// emit() only validates and appends to a bounded in-memory queue. One insert at a time sends up to
// `batchSize` events as a single JSONEachRow insert, started when `batchSize` events are waiting or by
// the `flushIntervalMs` timer, whichever comes first. A failed insert puts its batch back at the head
// of the queue and retries after exponential backoff with jitter, for as long as the process runs.
// When the queue is full the oldest waiting event is dropped and counted, so memory stays bounded
// through a long ClickHouse outage. close() stops the timer and drains within a deadline.
//
// Delivery is at least once: an insert that timed out may still have been stored, and its retry
// stores the same event ids again. Reads deduplicate on event_id (see migrations/clickhouse/0001).
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { regexes } from 'zod';
import { equalJitterBackoffMs } from '../shared/backoff.ts';
import type { AuthEvent, EventSink } from './auth-event.ts';
import { detectClickHouseCapabilities, type ClickHouseCapabilities } from './clickhouse-capabilities.ts';
import { toAuthEventRow, type AuthEventRow } from './clickhouse-event-row.ts';
import { createClickHouseSinkMetrics, type ClickHouseSinkMetrics, type DropReason } from './clickhouse-sink-metrics.ts';


export interface ClickHouseSinkOptions {
  client: ClickHouseClient;
  registry: Registry;
  /** Events per insert, and the queue length that starts one. */
  batchSize?: number;
  /** A partial batch is sent at least this often. */
  flushIntervalMs?: number;
  /** Most events held (waiting plus in flight); beyond it the oldest waiting one is dropped. */
  capacity?: number;
  table?: string;
  /** Ask for server-side async_insert; used only if the server supports it (21.11+), see insertSettingsFor. */
  asyncInsert?: boolean;
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Jitter source, in [0, 1). */
  random?: () => number;
  /** Close the client in close(); set when the sink is the client's only user. */
  ownsClient?: boolean;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/**
 * Settings for each insert. async_insert with wait_for_async_insert keeps the acknowledgement (and so
 * at-least-once delivery) while letting a newer server merge small inserts; 18.16 rejects the setting
 * name outright, so it is sent only when the detected server has it.
 * @param asyncInsertRequested - CLICKHOUSE_ASYNC_INSERT.
 * @param capabilities - the detected server capabilities, undefined before detection.
 * @returns the ClickHouse settings of each insert.
 */
export function insertSettingsFor(asyncInsertRequested: boolean, capabilities: ClickHouseCapabilities | undefined): ClickHouseSettings {
  if (!asyncInsertRequested || !capabilities?.asyncInsert) return {};
  return { async_insert: 1, wait_for_async_insert: 1 };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

export class ClickHouseSink implements EventSink {
  readonly metrics: ClickHouseSinkMetrics;
  private readonly client: ClickHouseClient;
  private readonly table: string;
  private readonly batchSize: number;
  private readonly capacity: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly logger: ClickHouseSinkOptions['logger'];
  private readonly ownsClient: boolean;
  private readonly asyncInsert: boolean;
  private insertSettings: ClickHouseSettings | undefined;
  private pending: AuthEventRow[] = [];
  private inFlight = 0;
  private sending: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly flushTimer: NodeJS.Timeout;
  private consecutiveFailures = 0;
  // One warning per episode of a full queue (reset by the next successful insert), not one per event.
  private warnedQueueFull = false;
  // Aborted when the close deadline passes, cutting short whatever insert is then in flight.
  private readonly deadline = new AbortController();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: ClickHouseSinkOptions) {
    this.client = options.client;
    this.table = options.table ?? 'auth_events';
    this.batchSize = positiveInteger('batchSize', options.batchSize ?? 500);
    this.capacity = positiveInteger('capacity', options.capacity ?? 10_000);
    if (this.batchSize > this.capacity) throw new TypeError(`batchSize (${this.batchSize}) must not exceed capacity (${this.capacity})`);
    const flushIntervalMs = positiveInteger('flushIntervalMs', options.flushIntervalMs ?? 1000);
    this.initialDelayMs = options.retry?.initialDelayMs ?? 200;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 30_000;
    this.random = options.random ?? Math.random;
    this.logger = options.logger;
    this.ownsClient = options.ownsClient ?? false;
    this.asyncInsert = options.asyncInsert ?? false;
    this.metrics = createClickHouseSinkMetrics(options.registry);
    // unref: a pending flush must not keep the process alive; close() drains explicitly.
    this.flushTimer = setInterval(() => this.startSending(), flushIntervalMs).unref();
  }

  /** Events held, waiting or in flight. */
  get depth(): number {
    return this.pending.length + this.inFlight;
  }

  emit(event: AuthEvent): void {
    try {
      if (this.closed) return this.drop('shutdown', 1);
      if (typeof event?.id !== 'string' || !regexes.guid.test(event.id) || !Number.isFinite(event.time)) return this.drop('invalid', 1);
      const row = toAuthEventRow(event);
      if (this.depth >= this.capacity) {
        this.drop('queue_full', 1);
        // Everything held is in flight only when batchSize equals capacity; then the newcomer goes.
        if (this.pending.length === 0) return;
        this.pending.shift();
      }
      this.pending.push(row);
      this.metrics.enqueued.inc();
      this.metrics.queueDepth.set(this.depth);
      if (this.pending.length >= this.batchSize) this.startSending();
    } catch (error) {
      // The request path must never see a sink failure.
      this.logger?.error({ err: error }, 'auth event sink failed to queue an event');
    }
  }

  /** Sends what is waiting now (tests, and the interval timer) and waits for the current send. */
  async flush(): Promise<void> {
    this.startSending();
    await this.sending;
  }

  close(deadlineMs = 5000): Promise<void> {
    this.closing ??= this.drain(deadlineMs);
    return this.closing;
  }

  private drop(reason: DropReason, count: number): void {
    if (count <= 0) return;
    this.metrics.dropped.inc({ reason }, count);
    if (reason === 'queue_full' && !this.warnedQueueFull) {
      this.warnedQueueFull = true;
      this.logger?.warn({ capacity: this.capacity }, 'auth event queue is full; dropping the oldest events (see auth_events_dropped_total)');
    }
  }

  private startSending(): void {
    if (this.sending || this.retryTimer || this.pending.length === 0) return;
    this.sending = this.sendWhileFull().finally(() => {
      this.sending = undefined;
    });
  }

  // Sends one batch (full or not), then keeps going while full batches are waiting.
  private async sendWhileFull(): Promise<void> {
    do {
      if (!(await this.sendBatch())) {
        if (!this.closed) this.scheduleRetry();
        return;
      }
    } while (this.pending.length >= this.batchSize || (this.closed && this.pending.length > 0 && !this.deadline.signal.aborted));
  }

  private async sendBatch(): Promise<boolean> {
    const batch = this.pending.splice(0, this.batchSize);
    this.inFlight = batch.length;
    const stopTimer = this.metrics.insertDuration.startTimer();
    try {
      await this.client.insert({
        table: this.table,
        values: batch,
        format: 'JSONEachRow',
        clickhouse_settings: await this.settings(),
        abort_signal: this.deadline.signal,
      });
      stopTimer();
      this.metrics.written.inc(batch.length);
      this.metrics.batchSize.observe(batch.length);
      if (this.consecutiveFailures > 0) this.logger?.info({ failures: this.consecutiveFailures }, 'ClickHouse inserts recovered');
      this.consecutiveFailures = 0;
      this.warnedQueueFull = false;
      return true;
    } catch (error) {
      stopTimer();
      this.metrics.insertFailures.inc();
      this.consecutiveFailures += 1;
      // Back at the head, in order. Emits during the insert counted it against capacity, so this fits.
      this.pending = batch.concat(this.pending);
      // Log the first failure of an outage and then every tenth, not every retry.
      if (this.consecutiveFailures % 10 === 1) {
        this.logger?.warn({ err: error, failures: this.consecutiveFailures, queued: this.pending.length }, 'ClickHouse insert failed; will retry');
      }
      return false;
    } finally {
      this.inFlight = 0;
      this.metrics.queueDepth.set(this.depth);
    }
  }

  private async settings(): Promise<ClickHouseSettings> {
    if (this.insertSettings) return this.insertSettings;
    if (!this.asyncInsert) return (this.insertSettings = {});
    // Detected once, on the first insert; a failure here fails this insert and is retried like one.
    const capabilities = await detectClickHouseCapabilities(this.client);
    if (!capabilities.asyncInsert) {
      this.logger?.warn({ serverVersion: capabilities.version.raw }, 'CLICKHOUSE_ASYNC_INSERT is set but this ClickHouse has no async_insert; using plain inserts');
    }
    return (this.insertSettings = insertSettingsFor(true, capabilities));
  }

  /** Exponential backoff with equal jitter: half the step fixed, half random, so retries spread out. */
  backoffDelayMs(failures: number): number {
    return equalJitterBackoffMs(failures, this.initialDelayMs, this.maxDelayMs, this.random);
  }

  private scheduleRetry(): void {
    const delay = this.backoffDelayMs(this.consecutiveFailures);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.startSending();
    }, delay).unref();
  }

  private async drain(deadlineMs: number): Promise<void> {
    this.closed = true;
    clearInterval(this.flushTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const deadlineTimer = setTimeout(() => this.deadline.abort(), Math.max(0, deadlineMs));
    try {
      while (this.depth > 0 && !this.deadline.signal.aborted) {
        if (this.sending) {
          await this.sending;
          continue;
        }
        if (await this.sendBatch()) continue;
        await sleep(this.backoffDelayMs(this.consecutiveFailures), undefined, { signal: this.deadline.signal }).catch(() => undefined);
      }
      if (this.sending) await this.sending;
      // What the deadline left behind is lost; count it so the loss is visible.
      if (this.pending.length > 0) this.logger?.warn({ dropped: this.pending.length }, 'auth events not written before the shutdown deadline');
      this.drop('shutdown', this.pending.length);
      this.pending = [];
      this.metrics.queueDepth.set(0);
    } finally {
      clearTimeout(deadlineTimer);
      if (this.ownsClient) await this.client.close();
    }
  }
}
