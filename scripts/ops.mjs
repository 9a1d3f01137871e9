#!/usr/bin/env node
// Runs an ops script of the app (app/src/ops) with the local configuration found the way a newcomer expects:
// the real environment wins, then a running `npm run dev` (its record, scripts/lib/dev-stack.mjs, names the
// native services), then .env (or .env.example). Each ops script validates only the variables it uses.
//   node scripts/ops.mjs auth-report -- --since 24h      (npm run ops:auth-report -- --since 24h)
//   node scripts/ops.mjs migrate                         (npm run migrate)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from './lib/cli.mjs';
import { readDevStack } from './lib/dev-stack.mjs';
import { withDotenvFile } from './lib/dotenv.mjs';
import { StartupError } from './lib/services/process.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Each ops script of the app, and the variables that name what it connects to (the first is the one to set):
// migrate reads DATABASE_MIGRATION_URL, else DATABASE_URL (app/src/ops/migrate.ts); the report reads
// CLICKHOUSE_URL only (app/src/ops/auth-report.ts).
const SCRIPTS = {
  'auth-report': { script: 'ops:auth-report', needs: ['CLICKHOUSE_URL'] },
  migrate: { script: 'migrate', needs: ['DATABASE_MIGRATION_URL', 'DATABASE_URL'] },
};

await runMain('ops', async () => {
  const [name, ...rest] = process.argv.slice(2);
  const { script, needs } = SCRIPTS[name] ?? {};
  if (!script) throw new StartupError(`unknown ops script ${name ?? '(none)'}: one of ${Object.keys(SCRIPTS).join(', ')}`);
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  const envFileName = existsSync(join(repoRoot, '.env')) ? '.env' : '.env.example';
  const stack = await readDevStack(repoRoot);
  // Empty values mean unset, as in the app.
  if (!stack && !needs.some((variable) => process.env[variable])) {
    process.stderr.write(`[ops] no running npm run dev found: using ${envFileName} under the environment (start npm run dev, or set ${needs[0]})\n`);
  }
  const env = withDotenvFile(join(repoRoot, envFileName), { ...stack?.env, ...process.env });
  const child = spawn('npm', ['--silent', '--workspace', 'app', 'run', script, '--', ...args], { cwd: repoRoot, env, stdio: 'inherit' });
  const code = await new Promise((resolveExit) => child.on('exit', (status, signal) => resolveExit(status ?? (signal ? 1 : 0))));
  process.exit(code);
});
