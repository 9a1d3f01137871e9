// The bench's report: the JSON shape written by `--json FILE` and the markdown table printed to stdout.
import type { LoadResult } from './load.ts';

export interface PathTarget {
  /** Lowest acceptable requests per second as a fraction of the reference's. */
  ratio?: number;
  /** Highest acceptable RSS of the app after the path, in MB (10^6 bytes). */
  rssMb?: number;
  /** No 5xx answer at all. */
  no5xx?: boolean;
}

export interface PathResult extends LoadResult {
  name: string;
  /** Concurrent clients (connections) driving the path. */
  clients: number;
  /** The app's resident set size in bytes right after the path. */
  rssBytes?: number;
  reference: string;
  referenceRequestsPerSecond: number;
  /** requestsPerSecond / referenceRequestsPerSecond, both measured in this run. */
  ratio: number;
  target?: PathTarget;
}

export interface BenchReport {
  date: string;
  /** Measured seconds per path. */
  seconds: number;
  node: string;
  cpus: number;
  argon2: { memoryKiB: number; iterations: number; parallelism: number; concurrency: number };
  /** From spawning `node app/dist/main.js` to the first 200 from /readyz, in milliseconds. */
  startToReadyMs: number;
  /** Each reference; `runs` holds the req/s of each run when it ran more than once (before and after its paths). */
  references: Record<string, LoadResult & { rssBytes?: number; runs?: number[] }>;
  paths: PathResult[];
}

/**
 * Several runs of one reference as one: requests and seconds summed (so req/s is their mean over time),
 * non-2xx and errors summed by status, percentiles and RSS the worst seen; `runs` keeps each run's req/s.
 */
export function combineRuns(runs: (LoadResult & { rssBytes?: number })[]): LoadResult & { rssBytes?: number; runs: number[] } {
  const requests = runs.reduce((sum, run) => sum + run.requests, 0);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  const non2xx: Record<string, number> = {};
  for (const run of runs) for (const [status, count] of Object.entries(run.non2xx)) non2xx[status] = (non2xx[status] ?? 0) + count;
  return {
    requests,
    seconds,
    requestsPerSecond: requests / seconds,
    p50Ms: Math.max(...runs.map((run) => run.p50Ms)),
    p99Ms: Math.max(...runs.map((run) => run.p99Ms)),
    non2xx,
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    rssBytes: Math.max(...runs.map((run) => run.rssBytes ?? 0)),
    runs: runs.map((run) => run.requestsPerSecond),
  };
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '—' : (bytes / 1e6).toFixed(0));
const fixed = (value: number, digits = 0) => value.toFixed(digits);
const non2xx = (counts: Record<string, number>, errors: number) => {
  const parts = Object.entries(counts).map(([status, count]) => `${count}×${status}`);
  if (errors > 0) parts.push(`${errors}×no answer`);
  return parts.length === 0 ? '0' : parts.join(', ');
};

/** Whether each target of a path was met, as `met`/`missed` words for the table; undefined without targets. */
export function targetVerdict(path: PathResult): string | undefined {
  const { target } = path;
  if (!target) return undefined;
  const parts: string[] = [];
  if (target.ratio !== undefined) parts.push(`≥ ${target.ratio.toFixed(2)}: ${path.ratio >= target.ratio ? 'met' : 'missed'}`);
  if (target.rssMb !== undefined && path.rssBytes !== undefined) parts.push(`RSS ≤ ${target.rssMb} MB: ${path.rssBytes / 1e6 <= target.rssMb ? 'met' : 'missed'}`);
  if (target.no5xx) parts.push(`no 5xx: ${Object.keys(path.non2xx).some((status) => status.startsWith('5')) ? 'missed' : 'met'}`);
  return parts.join('; ');
}

/**
 * Whether any path or any reference had a non-2xx answer or none at all. A reference counts too: one that
 * answered 401 (say, a refresh chain broken by a reused token) measured cheaper work than it claims, and
 * every ratio read against it is off.
 */
export function hasFailedAnswers(report: BenchReport): boolean {
  return [...report.paths, ...Object.values(report.references)].some((result) => result.errors > 0 || Object.keys(result.non2xx).length > 0);
}

/** The markdown table: every path against its reference, then the references themselves. */
export function formatTable(report: BenchReport): string {
  const lines = [
    `${report.cpus} CPUs, node ${report.node}, ${report.seconds} s per path after a 1 s warm-up; argon2id m=${report.argon2.memoryKiB} KiB, t=${report.argon2.iterations}, p=${report.argon2.parallelism}, ${report.argon2.concurrency} in flight; start to ready ${report.startToReadyMs} ms`,
    '',
    '| path | clients | req/s | reference | reference req/s | ratio | target | p50 ms | p99 ms | non-2xx | RSS after, MB |',
    '|---|---:|---:|---|---:|---:|---|---:|---:|---|---:|',
  ];
  for (const path of report.paths) {
    lines.push(
      `| ${path.name} | ${path.clients} | ${fixed(path.requestsPerSecond)} | ${path.reference} | ${fixed(path.referenceRequestsPerSecond)} | ${fixed(path.ratio, 2)} | ${targetVerdict(path) ?? '—'} | ${fixed(path.p50Ms, 1)} | ${fixed(path.p99Ms, 1)} | ${non2xx(path.non2xx, path.errors)} | ${mb(path.rssBytes)} |`,
    );
  }
  for (const [name, reference] of Object.entries(report.references)) {
    const runs = reference.runs ? ` (runs: ${reference.runs.map((run) => fixed(run)).join(', ')})` : '';
    lines.push(`| *reference:* ${name} | | ${fixed(reference.requestsPerSecond)}${runs} | | | | | ${fixed(reference.p50Ms, 1)} | ${fixed(reference.p99Ms, 1)} | ${non2xx(reference.non2xx, reference.errors)} | ${mb(reference.rssBytes)} |`);
  }
  return lines.join('\n');
}
