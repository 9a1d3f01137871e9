// The operators' auth report: runs the named queries of ops/auth-report.sql for a time window and
// renders them as text. The SQL file is the single source, so what a runbook quotes is what runs.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';

export const AUTH_REPORT_SQL = fileURLToPath(new URL('../ops/auth-report.sql', import.meta.url));

export const AUTH_REPORT_SECTIONS = ['logins_by_outcome', 'top_failing_ips', 'top_failing_accounts', 'lockouts', 'refresh_token_reuse', 'registrations'] as const;
export type AuthReportSection = (typeof AUTH_REPORT_SECTIONS)[number];

export interface AuthReportWindow {
  from: Date;
  to: Date;
}

export type AuthReportRow = Record<string, string | number>;

export interface AuthReport {
  from: string;
  to: string;
  sections: Record<AuthReportSection, AuthReportRow[]>;
}

/**
 * Splits the SQL file into its `-- name:` sections.
 * @param text - the text of auth-report.sql.
 * @returns the SQL of each section by name.
 */
export function parseAuthReportSql(text: string): Map<string, string> {
  const queries = new Map<string, string>();
  for (const chunk of text.split(/^-- name:\s*/m).slice(1)) {
    const [name = '', ...lines] = chunk.split('\n');
    queries.set(name.trim(), lines.join('\n').trim().replace(/;$/, ''));
  }
  return queries;
}

/**
 * Replaces `{from:DateTime}`, `{to:DateTime}` and `{limit:UInt32}` with literals. The 18.16 server
 * has no query parameters; the values are numbers we produce, so no text from the caller reaches SQL.
 * @param sql - a section's SQL.
 * @param window - `[from, to)`, in UTC.
 * @param limit - rows per table.
 * @returns the SQL with literals.
 * @throws TypeError when the limit is not a positive integer or the SQL has an unknown placeholder.
 */
export function bindAuthReportQuery(sql: string, window: AuthReportWindow, limit: number): string {
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`limit must be a positive integer, got ${limit}`);
  const values: Record<string, string> = {
    'from:DateTime': `toDateTime(${Math.floor(window.from.getTime() / 1000)})`,
    'to:DateTime': `toDateTime(${Math.floor(window.to.getTime() / 1000)})`,
    'limit:UInt32': String(limit),
  };
  return sql.replace(/\{(\w+:\w+)\}/g, (placeholder, key: string) => {
    const value = values[key];
    if (value === undefined) throw new TypeError(`unknown placeholder ${placeholder} in auth report SQL`);
    return value;
  });
}

// JSONEachRow quotes 64-bit integers; counts are safely within Number range.
const NUMERIC_COLUMNS = new Set(['events', 'failures', 'accounts', 'ips', 'registrations']);

function normaliseRow(row: Record<string, unknown>): AuthReportRow {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, NUMERIC_COLUMNS.has(key) ? Number(value) : String(value)]));
}

/**
 * Runs every section for the window; `[from, to)`, in UTC.
 * @param client - the ClickHouse client.
 * @param window - `[from, to)`, in UTC.
 * @returns each section's rows.
 * @throws TypeError when the window is empty; the client's error when ClickHouse fails.
 */
export async function runAuthReport(client: ClickHouseClient, window: AuthReportWindow, { limit = 10, sqlPath = AUTH_REPORT_SQL } = {}): Promise<AuthReport> {
  if (!(window.from < window.to)) throw new TypeError('the report window must have from < to');
  const queries = parseAuthReportSql(await readFile(sqlPath, 'utf8'));
  const sections = {} as AuthReport['sections'];
  for (const section of AUTH_REPORT_SECTIONS) {
    const sql = queries.get(section);
    if (sql === undefined) throw new TypeError(`auth-report.sql has no "-- name: ${section}" query`);
    const result = await client.query({ query: bindAuthReportQuery(sql, window, limit), format: 'JSONEachRow' });
    sections[section] = (await result.json<Record<string, unknown>>()).map(normaliseRow);
  }
  return { from: window.from.toISOString(), to: window.to.toISOString(), sections };
}

const TITLES: Record<AuthReportSection, string> = {
  logins_by_outcome: 'Logins by outcome',
  top_failing_ips: 'Top failing IPs',
  top_failing_accounts: 'Top failing accounts',
  lockouts: 'Account lockouts',
  refresh_token_reuse: 'Refresh-token reuse incidents',
  registrations: 'New registrations',
};

function table(rows: AuthReportRow[]): string[] {
  if (rows.length === 0) return ['  (none)'];
  const columns = Object.keys(rows[0] ?? {});
  const cell = (row: AuthReportRow, column: string) => String(row[column] ?? '') || '-';
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row, column).length)));
  const line = (cells: string[]) =>
    `  ${cells.map((text, index) => (typeof rows[0]?.[columns[index] ?? ''] === 'number' ? text.padStart(widths[index] ?? 0) : text.padEnd(widths[index] ?? 0))).join('  ')}`.trimEnd();
  return [line(columns), ...rows.map((row) => line(columns.map((column) => cell(row, column))))];
}

/**
 * Readable text: a header, then one table per section.
 * @param report - the report.
 * @returns the text.
 */
export function formatAuthReport(report: AuthReport): string {
  const lines = [`Auth report for ${report.from} to ${report.to} (UTC, events deduplicated by id)`];
  for (const section of AUTH_REPORT_SECTIONS) {
    const rows = report.sections[section];
    const total = section === 'registrations' ? ` (total ${rows.reduce((sum, row) => sum + Number(row.registrations), 0)})` : '';
    lines.push('', `${TITLES[section]}${total}`, ...table(rows));
  }
  return `${lines.join('\n')}\n`;
}
