#!/usr/bin/env node
// `npm run dev`: the whole stack on a laptop.
//  - With a working Docker engine (and DEV_NATIVE unset): `docker compose up --build`, configured from .env.
//  - Without one: PostgreSQL and ClickHouse start natively into .local/services (git-ignored) on free
//    loopback ports, migrations run, and the app starts in watch mode. The app reads the same variable
//    names from .env (or .env.example when there is no .env); only the connection variables are pointed
//    at the native services, since .env names the compose hostnames.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServices } from './services.mjs';
import { dotenvValues } from './lib/dotenv.mjs';
import { ensureArgon2 } from './lib/preflight.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONNECTION_VARIABLES = [
  'DATABASE_URL',
  'DATABASE_MIGRATION_URL',
  'CLICKHOUSE_URL',
  'CLICKHOUSE_USER',
  'CLICKHOUSE_PASSWORD',
  'CLICKHOUSE_DATABASE',
];

function log(message) {
  process.stdout.write(`[dev] ${message}\n`);
}

function dockerEngineAvailable() {
  if (process.env.DEV_NATIVE) return false;
  if (!existsSync(join(repoRoot, 'docker-compose.yml'))) return false;
  const info = spawnSync('docker', ['info'], { stdio: 'ignore' });
  if (info.status !== 0) return false;
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
}

function runCompose() {
  if (!existsSync(join(repoRoot, '.env'))) {
    log('no .env found: copy .env.example to .env first (cp .env.example .env)');
    process.exit(1);
  }
  log('Docker engine found: docker compose up --build (reset with: docker compose down -v)');
  const child = spawn('docker', ['compose', 'up', '--build'], { cwd: repoRoot, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}

async function runNative() {
  const envFile = existsSync(join(repoRoot, '.env')) ? '.env' : '.env.example';
  const fileValues = existsSync(join(repoRoot, envFile)) ? dotenvValues(readFileSync(join(repoRoot, envFile), 'utf8')) : {};
  log(`no Docker engine: starting PostgreSQL and ClickHouse natively (config from ${envFile})`);
  const servicesDir = join(repoRoot, '.local', 'services');
  const { stopServices } = await import('./services.mjs');
  stopServices(servicesDir); // a previous run that was killed may have left them running
  const services = await startServices(servicesDir);
  const env = { ...process.env, ...fileValues };
  for (const name of CONNECTION_VARIABLES) env[name] = services.env[name];
  env.NODE_ENV = env.NODE_ENV === 'production' ? 'development' : env.NODE_ENV ?? 'development';
  const port = env.PORT ?? '8080';

  const migrate = spawnSync('npm', ['--workspace', 'app', 'run', 'migrate'], { cwd: repoRoot, env, stdio: 'inherit' });
  if (migrate.status !== 0) {
    services.stop();
    process.exit(migrate.status ?? 1);
  }

  const app = spawn('npm', ['--workspace', 'app', 'run', 'dev'], { cwd: repoRoot, env, stdio: 'inherit' });
  log(`API on http://127.0.0.1:${port} (PostgreSQL and ClickHouse data in .local/services)`);
  log(`try: curl -s -X POST http://127.0.0.1:${port}/v1/users -H 'content-type: application/json' -d '{"email":"ada@example.com","password":"correct horse battery staple"}'`);
  log('stop with Ctrl-C');

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    app.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  app.on('exit', (code) => {
    services.stop();
    process.exit(code ?? 0);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (dockerEngineAvailable()) runCompose();
  else {
    ensureArgon2();
    await runNative();
  }
}
