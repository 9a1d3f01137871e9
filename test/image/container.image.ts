// `npm run image:test`: the built image (npm run image:build) run the way docker-compose.yml runs it:
// read-only root, /tmp as tmpfs, every capability dropped, no-new-privileges, uid 10001 and an env file,
// against the PostgreSQL and ClickHouse that scripts/with-services.mjs provides (native ones here, the
// service containers in GitHub CI). node's test runner, not ava: this file is not part of `npm test`
// (a cold build takes minutes and ~7 GB with podman's vfs storage); .ci/run and GitHub CI run it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateEphemeralKeySet } from '../../app/src/auth/signing-keys.ts';
import { createTestDatabase, type TestDatabase } from '../../app/test/helpers/database.ts';
import { containerEngine, imageExists, imageName, imageSize, repoRoot, type Engine } from '../../scripts/lib/container-engine.mjs';
import { dotenvValues } from '../../scripts/lib/dotenv.mjs';
import { pinnedCaIdentifier, rdsRootCommonName, regionsInUse } from '../lib/rds-ca.ts';

/** The budget of issue 19, in bytes as `docker image ls` counts MB. */
const SIZE_BUDGET = 200_000_000;
const GRACE_SECONDS = 30; // docker-compose.yml stop_grace_period
const CA_BUNDLE = '/srv/auth/certs/aws-rds-ca-bundle.pem';

const engine: Engine = containerEngine();
const image = imageName();
const suffix = randomBytes(4).toString('hex');
const name = `auth-image-test-${suffix}`;
const workDir = mkdtempSync(join(tmpdir(), 'auth-image-test-'));
const figures: Record<string, string> = {};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function required(variable: string): string {
  const value = process.env[variable];
  if (!value) throw new Error(`${variable} is not set: run through \`npm run image:test\` (scripts/with-services.mjs provides it)`);
  return value;
}

/** docker-compose.yml's app service, as engine flags (podman needs --read-only-tmpfs=false to match read_only). */
function composeFlags(envFile: string): string[] {
  return [
    '--network=host', '--read-only', ...(engine.name === 'podman' ? ['--read-only-tmpfs=false'] : []), '--tmpfs', '/tmp',
    '--cap-drop=ALL', '--security-opt', 'no-new-privileges', '--env-file', envFile,
  ];
}

const exec = (...command: string[]) => engine.spawn(['exec', name, ...command]);
const clickhouseUrl = required('TEST_CLICKHOUSE_URL');
const clickhouseDatabase = `image_test_${suffix}`;
async function clickhouse(sql: string): Promise<string> {
  const response = await fetch(clickhouseUrl, { method: 'POST', body: sql });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

let db: TestDatabase;
let port: number;
let base: string;
let envFile: string;
let env: Record<string, string>;

describe(`image ${image} run as docker-compose.yml runs it`, () => {
  before(async () => {
    assert.ok(imageExists(engine, image), `${image} is not built: run \`npm run image:build\` first`);
    db = await createTestDatabase({ migrate: false });
    await clickhouse(`CREATE DATABASE ${clickhouseDatabase}`);
    port = await freePort(); // not 8080: the HEALTHCHECK must follow PORT
    base = `http://127.0.0.1:${port}`;
    // .env.example, as `cp .env.example .env` gives it, then production and this run's services.
    env = {
      ...dotenvValues(readFileSync(join(repoRoot, '.env.example'), 'utf8')),
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: db.url,
      DATABASE_MIGRATION_URL: db.ownerUrl,
      DATABASE_SSL: 'disable',
      JWT_SIGNING_KEYS: JSON.stringify(generateEphemeralKeySet()),
      JWT_ISSUER: 'https://auth.image-test.example',
      CLICKHOUSE_URL: clickhouseUrl,
      // The admin user of the test server: CH 18.16 (Debian) has no SQL user management.
      CLICKHOUSE_USER: 'default',
      CLICKHOUSE_PASSWORD: '',
      CLICKHOUSE_DATABASE: clickhouseDatabase,
      EVENTS_FLUSH_INTERVAL_MS: '200',
      HIBP_ENABLED: 'false', // tests talk to loopback only
    };
    envFile = join(workDir, 'app.env');
    writeFileSync(envFile, Object.entries(env).map(([key, value]) => `${key}=${value}`).join('\n') + '\n', { mode: 0o600 });

    const started = Date.now();
    engine.run(['run', '-d', '--name', name, ...composeFlags(envFile), image]);
    let ready = false;
    while (!ready && Date.now() - started < 120_000) {
      ready = await fetch(`${base}/readyz`).then((response) => response.ok, () => false);
      if (!ready) await sleep(100);
    }
    assert.ok(ready, `never ready:\n${engine.spawn(['logs', name]).stdout}${engine.spawn(['logs', name]).stderr}`);
    figures['start to ready'] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  });

  after(async () => {
    engine.spawn(['rm', '-f', '-t', '0', name]);
    await db?.drop();
    await clickhouse(`DROP DATABASE IF EXISTS ${clickhouseDatabase}`).catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
    process.stdout.write(`image figures: ${Object.entries(figures).map(([key, value]) => `${key} ${value}`).join('; ')}\n`);
  });

  test('the image is within the 200 MB budget', () => {
    const size = imageSize(engine, image);
    figures.size = `${size} B (${(size / 1e6).toFixed(1)} MB)`;
    assert.ok(size <= SIZE_BUDGET, `${size} B is over the ${SIZE_BUDGET} B budget`);
  });

  test('/healthz and /readyz answer 200', async () => {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
  });

  test('register, login and /v1/me', async () => {
    const credentials = { email: `image-${suffix}@example.com`, password: 'a long enough passphrase' };
    const json = { 'content-type': 'application/json' };
    const registered = await fetch(`${base}/v1/users`, { method: 'POST', headers: json, body: JSON.stringify(credentials) });
    assert.equal(registered.status, 201, await registered.clone().text());
    const login = await fetch(`${base}/v1/sessions`, { method: 'POST', headers: json, body: JSON.stringify(credentials) });
    assert.equal(login.status, 200, await login.clone().text());
    const { access_token: token } = (await login.json()) as { access_token: string };
    const me = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { email: string }).email, credentials.email);
  });

  test('auth events reach ClickHouse', async () => {
    let types: string[] = [];
    for (let attempt = 0; attempt < 100 && !(types.includes('user_registered') && types.includes('login_succeeded')); attempt++) {
      const table = await clickhouse(`EXISTS TABLE ${clickhouseDatabase}.auth_events`);
      if (table.trim() === '1') types = (await clickhouse(`SELECT DISTINCT event_type FROM ${clickhouseDatabase}.auth_events`)).trim().split('\n');
      await sleep(200);
    }
    assert.ok(types.includes('user_registered') && types.includes('login_succeeded'), `event types in ClickHouse: ${types.join(', ')}`);
  });

  test('the image HEALTHCHECK evaluates healthy on a PORT other than 8080', async () => {
    if (engine.name === 'podman') {
      // podman has no HEALTHCHECK scheduler without systemd: evaluate it as the scheduler would, where one
      // success makes the container healthy and only --retries=3 failures in a row make it unhealthy (a
      // probe can exceed its 3 s timeout on a loaded machine).
      let result = engine.spawn(['healthcheck', 'run', name]);
      for (let attempt = 1; attempt < 3 && result.status !== 0; attempt++) result = engine.spawn(['healthcheck', 'run', name]);
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
      assert.equal(engine.run(['inspect', '--format', '{{.State.Health.Status}}', name]).trim(), 'healthy');
    } else {
      // docker schedules it (first probe after --interval=10s).
      let status = '';
      for (let attempt = 0; attempt < 60 && status !== 'healthy'; attempt++) {
        status = engine.run(['inspect', '--format', '{{.State.Health.Status}}', name]).trim();
        if (status !== 'healthy') await sleep(1000);
      }
      assert.equal(status, 'healthy');
    }
  });

  test('PID 1 is node dist/main.js as uid 10001, without capabilities, with no_new_privs', () => {
    const status = exec('cat', '/proc/1/status').stdout;
    const field = (key: string) => new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim().split(/\s+/) ?? [];
    assert.deepEqual(field('Uid'), ['10001', '10001', '10001', '10001']);
    assert.deepEqual(field('Gid'), ['10001', '10001', '10001', '10001']);
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) assert.deepEqual(field(set), ['0000000000000000'], set);
    assert.deepEqual(field('NoNewPrivs'), ['1']);
    assert.deepEqual(exec('cat', '/proc/1/cmdline').stdout.split('\0').filter(Boolean), ['node', 'dist/main.js']);
  });

  test('nothing outside /tmp (and the shared-memory mounts) is writable', () => {
    // access(W_OK) is false on a read-only mount, so -writable lists what the app user could change.
    const found = exec('find', '/', '(', '-path', '/proc', '-o', '-path', '/sys', ')', '-prune', '-o', '(', '-type', 'd', '-o', '-type', 'f', ')', '-writable', '-print');
    const writable = found.stdout.trim().split('\n').filter(Boolean);
    assert.deepEqual(writable.filter((path) => !/^\/(tmp|dev\/shm|dev\/mqueue)(\/|$)/.test(path)), []);
    assert.ok(writable.includes('/tmp'), '/tmp is the tmpfs');
    assert.notEqual(exec('touch', '/srv/auth/app/written').status, 0, 'the app directory is read-only');
    assert.equal(exec('touch', '/tmp/written').status, 0);
  });

  test('the image carries the RDS CA bundle and no source maps', () => {
    const count = exec('node', '-e', `const { X509Certificate } = require('node:crypto'); const pem = require('node:fs').readFileSync('${CA_BUNDLE}', 'utf8'); const all = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []; all.forEach((c) => new X509Certificate(c)); console.log(all.length)`);
    assert.equal(count.status, 0, count.stderr);
    assert.ok(Number(count.stdout) >= 20, `${count.stdout} certificates`);
    // For every region in use, an unexpired root of the CA rds-postgres pins (test/lib/rds-ca.ts).
    for (const region of regionsInUse()) {
      const commonName = rdsRootCommonName(region, pinnedCaIdentifier());
      const found = exec('node', '-e', `const { X509Certificate } = require('node:crypto'); const pem = require('node:fs').readFileSync('${CA_BUNDLE}', 'utf8'); const now = new Date(); const all = (pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((c) => new X509Certificate(c)); console.log(all.filter((c) => c.subject.split('\\n').includes(${JSON.stringify(`CN=${commonName}`)}) && c.ca && new Date(c.validFrom) <= now && now < new Date(c.validTo)).length)`);
      assert.equal(found.status, 0, found.stderr);
      assert.ok(Number(found.stdout) >= 1, `no unexpired "${commonName}" in ${CA_BUNDLE}`);
    }
    assert.equal(exec('find', '/srv/auth/app/dist', '-name', '*.map').stdout.trim(), '');
  });

  test('production without signing keys refuses with one clear line', () => {
    const keyless = join(workDir, 'keyless.env');
    writeFileSync(keyless, `NODE_ENV=production\nDATABASE_URL=${db.url}\nJWT_ISSUER=https://auth.image-test.example\n`, { mode: 0o600 });
    // --no-healthcheck: a one-shot run; podman would otherwise add its own lines about the health timer.
    const result = engine.spawn(['run', '--rm', '--no-healthcheck', ...composeFlags(keyless), image]);
    assert.equal(result.status, 78, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    const report = JSON.parse(lines[0]!) as { problems: string[] };
    assert.ok(report.problems.some((problem) => problem.startsWith('JWT_SIGNING_KEYS: required when NODE_ENV=production')), lines[0]);
  });

  test('production\'s default DATABASE_SSL=require against a PostgreSQL without TLS is one line naming DATABASE_SSL', () => {
    const plain = join(workDir, 'plain.env');
    const settings = { ...env, DATABASE_SSL: '', PORT: '0' }; // empty is unset: production's default, require
    writeFileSync(plain, Object.entries(settings).map(([key, value]) => `${key}=${value}`).join('\n') + '\n', { mode: 0o600 });
    const result = engine.spawn(['run', '--rm', '--no-healthcheck', ...composeFlags(plain), image]);
    assert.equal(result.status, 1, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.equal((JSON.parse(lines[0]!) as { setting: string }).setting, 'DATABASE_SSL');
  });

  // Last: it stops the container the other tests use.
  test(`SIGTERM with a keep-alive client connected exits 0 within the ${GRACE_SECONDS} s grace period, drain logged`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const socketClosed = await new Promise<Promise<void>>((resolve, reject) => {
      const req = request(`${base}/healthz`, { agent }, (response) => {
        response.resume();
        response.on('end', () => {
          const socket = req.socket!;
          const closed = new Promise<void>((done) => socket.once('close', () => done()));
          // The agent unrefs an idle keep-alive socket; keep it referenced so its close is seen.
          setImmediate(() => socket.ref());
          resolve(closed);
        });
      });
      req.on('error', reject);
      req.end();
    });
    const stopping = Date.now();
    const stop = engine.spawn(['stop', '-t', String(GRACE_SECONDS), name]);
    figures.stop = `${((Date.now() - stopping) / 1000).toFixed(2)} s`;
    assert.equal(stop.status, 0, stop.stderr);
    await socketClosed; // the server closed the idle keep-alive connection itself
    figures['keep-alive connection closed after'] = `${((Date.now() - stopping) / 1000).toFixed(2)} s`;
    agent.destroy();
    assert.equal(engine.run(['inspect', '--format', '{{.State.ExitCode}}', name]).trim(), '0');
    const logs = engine.spawn(['logs', name]);
    figures['stopped and inspected after'] = `${((Date.now() - stopping) / 1000).toFixed(2)} s`;
    const lines = `${logs.stdout}\n${logs.stderr}`.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg?: string; drained?: string; signal?: string });
    assert.ok(lines.some((line) => line.msg === 'shutting down' && line.signal === 'SIGTERM'), 'shutting down logged');
    assert.ok(lines.some((line) => line.msg === 'stopped' && line.drained === 'done'), 'drain logged as done');
  });
});
