// The load generator, forked by run.ts into its own process so that it never shares an event loop with
// the server it measures. It receives one scenario over IPC, runs it and sends one LoadResult back.
//
// Stateless requests (GET /healthz, the JWKS, /v1/me, the bare static server) go through autocannon.
// Requests that carry per-client state (each client logging in to its own account, each client chaining
// its own refresh token) go through a closed loop of node:http clients, one keep-alive connection each,
// because autocannon resets its per-connection context after every request.
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';

export type LoadScenario =
  | { kind: 'autocannon'; url: string; connections: number; seconds: number; warmupSeconds: number; headers?: Record<string, string> }
  | {
      kind: 'closed-loop';
      url: string;
      /** One JSON request body per client; the number of clients. */
      bodies: string[];
      seconds: number;
      warmupSeconds: number;
      /** After a 2xx, the next body is `{ [field]: response[field] }`: each client chains its own refresh token. */
      chain?: 'refresh_token';
      /** A request without an answer after this long counts as "no answer"; default 30 s. */
      requestTimeoutMs?: number;
    };

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers with a status outside 2xx, by status. */
  non2xx: Record<string, number>;
  /** Connection errors and timeouts (no status at all). */
  errors: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!);
const round = (value: number) => Math.round(value * 100) / 100;

/**
 * A LoadResult from autocannon 8's result. `errors` already counts the timeouts (autocannon's onTimeout
 * increments both `errors` and `timeouts`; @types/autocannon: "connection errors (including timeouts)"),
 * so it is taken as is. Requests per second are over `duration`, the seconds autocannon actually ran: it
 * stops on its once-a-second sampling tick, which a loaded machine can delay past the requested length.
 */
export function loadResultOf(result: autocannon.Result): LoadResult {
  const non2xx: Record<string, number> = {};
  for (const [status, count] of Object.entries(result.statusCodeStats ?? {})) {
    if (!status.startsWith('2') && (count.count ?? 0) > 0) non2xx[status] = count.count ?? 0;
  }
  const requests = result.requests.total;
  return {
    requests,
    seconds: result.duration,
    requestsPerSecond: round(requests / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx,
    errors: result.errors,
  };
}

async function runAutocannon(scenario: Extract<LoadScenario, { kind: 'autocannon' }>): Promise<LoadResult> {
  const options = { url: scenario.url, connections: scenario.connections, headers: scenario.headers };
  // Warm-up first, so JIT compilation and connection set-up do not count.
  if (scenario.warmupSeconds > 0) await autocannon({ ...options, duration: scenario.warmupSeconds });
  return loadResultOf(await autocannon({ ...options, duration: scenario.seconds }));
}

// Far above a login's latency with 16 clients queued on 2 argon2 lanes of a loaded machine (p99 about 2 s
// on 2026-11-29): only a request the app never answers reaches it.
const REQUEST_TIMEOUT_MS = 30_000;

function post(agent: Agent, url: URL, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    // A request the app never answers counts as "no answer" instead of holding its client, and the
    // bench, forever.
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error('request timed out')));
    outgoing.end(body);
  });
}

async function runClosedLoop(scenario: Extract<LoadScenario, { kind: 'closed-loop' }>): Promise<LoadResult> {
  const url = new URL(scenario.url);
  const started = performance.now();
  const measureFrom = started + scenario.warmupSeconds * 1000;
  const stopAt = measureFrom + scenario.seconds * 1000;
  const latencies: number[] = [];
  const non2xx: Record<string, number> = {};
  let errors = 0;
  const client = async (firstBody: string) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let body = firstBody;
    while (performance.now() < stopAt) {
      const sent = performance.now();
      try {
        const response = await post(agent, url, body, scenario.requestTimeoutMs ?? REQUEST_TIMEOUT_MS);
        const received = performance.now();
        if (response.status >= 200 && response.status < 300 && scenario.chain) {
          body = JSON.stringify({ [scenario.chain]: (JSON.parse(response.text) as Record<string, unknown>)[scenario.chain] });
        }
        // A request counts in the window it completes in, as autocannon counts.
        if (received < measureFrom || received > stopAt) continue;
        latencies.push(received - sent);
        if (response.status < 200 || response.status >= 300) non2xx[String(response.status)] = (non2xx[String(response.status)] ?? 0) + 1;
      } catch {
        const failed = performance.now();
        if (failed >= measureFrom && failed <= stopAt) errors += 1;
        await sleep(10);
      }
    }
    agent.destroy();
  };
  await Promise.all(scenario.bodies.map(client));
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds: scenario.seconds,
    requestsPerSecond: round(latencies.length / scenario.seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    non2xx,
    errors,
  };
}

/** Runs one scenario in this process (run.ts calls it through IPC). */
export function runScenario(scenario: LoadScenario): Promise<LoadResult> {
  return scenario.kind === 'autocannon' ? runAutocannon(scenario) : runClosedLoop(scenario);
}

// Only as the forked script, not when imported (an ava worker also has an IPC channel).
if (process.send && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // The parent disconnects once it has the answer; with nothing else pending, the process then ends.
  process.once('message', (scenario: LoadScenario) => {
    runScenario(scenario).then(
      (result) => process.send!({ result }),
      (error: unknown) => process.send!({ error: String(error) }),
    );
  });
}
