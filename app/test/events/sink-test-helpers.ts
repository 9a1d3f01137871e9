// Small helpers for sink tests: metric values, polling for a condition, and a loopback TCP proxy that
// can be started on a port reserved earlier (a ClickHouse that "comes back").
import { createServer, connect, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionContext } from 'ava';
import type { Registry } from 'prom-client';

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`metric ${name} is not registered`);
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, expected]) => String((value.labels as Record<string, unknown>)[key]) === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

/** A histogram's `_count` and `_sum`. */
export async function histogram(registry: Registry, name: string): Promise<{ count: number; sum: number }> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`metric ${name} is not registered`);
  const { values } = await metric.get();
  // Histogram values carry the series name (`_bucket`, `_count`, `_sum`) next to the base type's fields.
  const series = values as { metricName?: string; value: number }[];
  const pick = (suffix: string) => series.find((value) => value.metricName === `${name}${suffix}`)?.value ?? 0;
  return { count: pick('_count'), sum: pick('_sum') };
}

/** Polls until `check` holds; fails the wait (not a timing assertion) after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A loopback port with nothing listening on it (yet). */
export async function reservePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Forwards `port` to `target` (host:port) until the test ends. */
export async function startTcpProxy(t: ExecutionContext, port: number, target: URL): Promise<Server> {
  const server = createServer((socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}
