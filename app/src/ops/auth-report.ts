// `npm run ops:auth-report -- --since 24h` (or `--from ISO [--to ISO]`, `--limit N`, `--json`):
// what happened in authentication over a window, for incident response and the weekly review.
// Reads only the CLICKHOUSE_* settings; the queries are in auth-report.sql. Run through scripts/ops.mjs,
// which finds a running `npm run dev` and reads .env under the real environment.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadClickHouseConfig, parseDurationSeconds } from '../config/index.ts';
import { processEnv } from '../config/process-env.ts';
import { formatAuthReport, runAuthReport, type AuthReport, type AuthReportWindow } from '../events/clickhouse-auth-report.ts';
import { createClickHouseClient } from '../events/clickhouse-client.ts';

export class UsageError extends Error {
  readonly code = 'invalid_arguments';
}

export interface AuthReportArgs extends AuthReportWindow {
  limit: number;
  json: boolean;
}

const USAGE = 'usage: ops:auth-report (--since <duration, e.g. 24h> | --from <ISO time> [--to <ISO time>]) [--limit N] [--json]';

function instant(name: string, text: string): Date {
  // Only full ISO 8601 date-times, so "01/02/2026" cannot be read two ways.
  const date = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--${name}: expected an ISO 8601 time such as 2026-01-31T00:00:00Z`);
  return date;
}

/**
 * Parses the command line into a window; `now` is injectable for tests.
 * @param argv - the arguments after the command name.
 * @param now - the current time.
 * @returns the window and the row limit.
 * @throws UsageError for an unknown option or a bad date or number.
 */
export function parseAuthReportArgs(argv: string[], now = new Date()): AuthReportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { since: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (parsed.since !== undefined && (parsed.from !== undefined || parsed.to !== undefined)) throw new UsageError(`--since cannot be combined with --from/--to\n${USAGE}`);
  let from: Date;
  let to = now;
  if (parsed.from !== undefined) {
    from = instant('from', parsed.from);
    if (parsed.to !== undefined) to = instant('to', parsed.to);
  } else {
    const seconds = parseDurationSeconds(parsed.since ?? '24h');
    if (seconds === undefined || seconds < 1 || parsed.to !== undefined) throw new UsageError(`--since: expected a duration such as 30m, 24h or 7d\n${USAGE}`);
    from = new Date(now.getTime() - seconds * 1000);
  }
  if (!(from < to)) throw new UsageError('the window is empty: --from must be before --to');
  const limit = Number(parsed.limit ?? '10');
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit: expected a whole number from 1 to 10000');
  return { from, to, limit, json: parsed.json === true };
}

/**
 * Runs the report with the service's ClickHouse settings and returns the text to print.
 * @param argv - the arguments.
 * @param env - the environment (processEnv() by default).
 * @returns the text to print and the report.
 * @throws UsageError for bad arguments or when CLICKHOUSE_URL is not set; ConfigError for invalid configuration.
 */
export async function authReportCommand(argv: string[], env = processEnv()): Promise<{ output: string; report: AuthReport }> {
  const args = parseAuthReportArgs(argv);
  // Only the ClickHouse settings: the report reads nothing else (issue 18).
  const clickhouse = loadClickHouseConfig(env);
  if (!clickhouse) throw new UsageError('CLICKHOUSE_URL is not set: there is no event store to report on (start `npm run dev`, or set CLICKHOUSE_URL)');
  const client = createClickHouseClient({
    url: clickhouse.url,
    username: clickhouse.user,
    password: clickhouse.password,
    database: clickhouse.database,
    application: 'auth-report',
  });
  try {
    const report = await runAuthReport(client, args, { limit: args.limit });
    return { report, output: args.json ? `${JSON.stringify(report, null, 2)}\n` : formatAuthReport(report) };
  } finally {
    await client.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.stdout.write((await authReportCommand(process.argv.slice(2))).output);
  } catch (error) {
    const message = error instanceof ConfigError ? error.problems.join('; ') : error instanceof Error ? error.message : String(error);
    process.stderr.write(`auth-report: ${message}\n`);
    process.exitCode = error instanceof UsageError || error instanceof ConfigError ? 2 : 1;
  }
}
