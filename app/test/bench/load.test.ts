// The load generator's reading of autocannon (bench/load.ts), on real autocannon 8 runs against local
// node:http servers. Nothing here asserts on time: only counts that autocannon itself reports.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import autocannon from 'autocannon';
import { loadResultOf, runScenario } from '../../bench/load.ts';

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

test('a timeout counts once as "no answer" (autocannon counts it in errors and in timeouts)', async (t) => {
  // Never answers: every request of the run ends in autocannon's timeout.
  const server = createServer(() => {});
  const url = await listen(server);
  try {
    const raw = await autocannon({ url, connections: 2, duration: 2, timeout: 1 });
    t.true(raw.timeouts > 0, 'the run had timeouts');
    t.is(raw.errors, raw.timeouts, 'autocannon 8 already counts each timeout in errors');
    const result = loadResultOf(raw);
    t.is(result.errors, raw.timeouts);
    t.is(result.requests, 0);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('non-2xx answers are counted by status, and requests per second are over the seconds autocannon ran', async (t) => {
  let answered = 0;
  const server = createServer((_request, response) => {
    answered += 1;
    response.writeHead(answered % 2 === 0 ? 304 : 200).end(answered % 2 === 0 ? undefined : '{}');
  });
  const url = await listen(server);
  try {
    const raw = await autocannon({ url, connections: 1, duration: 1 });
    const result = loadResultOf(raw);
    t.true(result.requests > 2);
    t.is(result.requests, (result.non2xx['304'] ?? 0) + (raw.statusCodeStats?.['200']?.count ?? 0));
    t.true((result.non2xx['304'] ?? 0) > 0);
    t.deepEqual(Object.keys(result.non2xx), ['304']);
    t.is(result.seconds, raw.duration);
    t.is(result.requestsPerSecond, Math.round((result.requests / raw.duration) * 100) / 100);
    t.is(result.errors, 0);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a closed-loop client whose request is never answered counts "no answer" and the run still ends', async (t) => {
  // Without a request timeout the client would wait forever and the bench with it; ava's own timeout is
  // the guard here, the assertions are on counts only.
  t.timeout(30_000);
  const server = createServer(() => {});
  const url = await listen(server);
  try {
    const result = await runScenario({ kind: 'closed-loop', url, bodies: ['{}', '{}'], seconds: 2, warmupSeconds: 0, requestTimeoutMs: 200 });
    t.true(result.errors > 0);
    t.is(result.requests, 0);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
