// The bench's report (bench/report.ts): targets judged from the run's own figures, one table row per
// path and per reference. No load is generated here; `npm run bench` is not part of the test suite.
import test from 'ava';
import { combineRuns, formatTable, hasFailedAnswers, targetVerdict, type BenchReport, type PathResult } from '../../bench/report.ts';

const load = { requests: 100, seconds: 5, requestsPerSecond: 20, p50Ms: 10, p99Ms: 40, non2xx: {}, errors: 0 };
const path = (overrides: Partial<PathResult>): PathResult => ({
  ...load,
  name: 'GET /healthz',
  clients: 32,
  reference: 'bare node:http static JSON',
  referenceRequestsPerSecond: 40,
  ratio: 0.5,
  ...overrides,
});

test('a target is met or missed by the ratio, the RSS and the 5xx count of the same run', (t) => {
  t.is(targetVerdict(path({ target: { ratio: 0.6 } })), '≥ 0.60: missed');
  t.is(targetVerdict(path({ ratio: 0.61, target: { ratio: 0.6 } })), '≥ 0.60: met');
  t.is(targetVerdict(path({ rssBytes: 201e6, target: { rssMb: 200 } })), 'RSS ≤ 200 MB: missed');
  t.is(targetVerdict(path({ non2xx: { '500': 3 }, target: { no5xx: true } })), 'no 5xx: missed');
  t.is(targetVerdict(path({ non2xx: { '429': 3 }, target: { no5xx: true } })), 'no 5xx: met');
  t.is(targetVerdict(path({})), undefined);
});

test('the table has a row per path and per reference, with non-2xx by status', (t) => {
  const report: BenchReport = {
    date: '2030-01-01T00:00:00.000Z',
    seconds: 5,
    node: 'v20.0.0',
    cpus: 2,
    argon2: { memoryKiB: 19456, iterations: 2, parallelism: 1, concurrency: 2 },
    startToReadyMs: 900,
    references: { 'bare node:http static JSON': { ...load, requestsPerSecond: 40, runs: [38, 42] } },
    paths: [path({ target: { ratio: 0.6 } }), path({ name: 'POST /v1/sessions, one account', non2xx: { '500': 2 }, errors: 1 })],
  };
  const lines = formatTable(report).split('\n');
  t.true(lines[0]!.includes('start to ready 900 ms'));
  const rows = lines.filter((line) => line.startsWith('| ') && !line.startsWith('| path'));
  t.is(rows.length, 3);
  t.true(rows[0]!.includes('| 0.50 | ≥ 0.60: missed |'));
  t.true(rows[1]!.includes('| 2×500, 1×no answer |'));
  t.true(rows[2]!.includes('40 (runs: 38, 42)'));
});

test('a reference run before and after its paths reads as one: counts summed, the worst percentiles and RSS', (t) => {
  const before = { ...load, requests: 100, seconds: 5, requestsPerSecond: 20, non2xx: { '500': 3, '429': 1 }, errors: 1, rssBytes: 90e6 };
  const after = { ...load, requests: 200, seconds: 5, requestsPerSecond: 40, p99Ms: 80, non2xx: { '500': 2 }, errors: 2, rssBytes: 80e6 };
  const combined = combineRuns([before, after]);
  t.is(combined.requestsPerSecond, 30);
  t.deepEqual(combined.runs, [20, 40]);
  t.deepEqual(combined.non2xx, { '500': 5, '429': 1 }, 'a status seen in both runs is summed, not replaced by the later run');
  t.is(combined.errors, 3);
  t.is(combined.p99Ms, 80);
  t.is(combined.rssBytes, 90e6);
});

test('the run fails (exit 1) when a path or a reference had a non-2xx answer or none', (t) => {
  const report = (paths: PathResult[], reference = load): BenchReport => ({
    date: '2030-01-01T00:00:00.000Z',
    seconds: 5,
    node: 'v20.0.0',
    cpus: 2,
    argon2: { memoryKiB: 19456, iterations: 2, parallelism: 1, concurrency: 2 },
    startToReadyMs: 900,
    references: { 'bare Koa + postgres.js refresh': reference },
    paths,
  });
  t.false(hasFailedAnswers(report([path({})])));
  t.true(hasFailedAnswers(report([path({ non2xx: { '503': 1 } })])));
  t.true(hasFailedAnswers(report([path({ errors: 1 })])));
  t.true(hasFailedAnswers(report([path({})], { ...load, non2xx: { '401': 32 } })), 'a reference that answered 401');
});
