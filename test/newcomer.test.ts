// Issue 18: the README's commands as a newcomer meets them, run for real as child processes: a checkout inside
// a private (mode 700) folder, the environment over .env, a second `npm run dev`, a killed run, a missing
// ClickHouse, the ops script, Ctrl-C, and the small things. The dev stacks run from a copy of the checkout
// inside a `mkdtemp` folder (mode 700, like `mktemp -d` or root's home), with node_modules linked in.
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminClickHouseUrl } from './lib/admin-clickhouse.ts';
import { adminDatabaseUrl } from './lib/admin-postgres.ts';
import { repoRoot } from './lib/hcl.ts';

type Context = ExecutionContext<unknown>;

/** The environment of a newcomer's shell: none of the connection variables `npm test` sets for the suites. */
function shellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(TEST_|DATABASE_|CLICKHOUSE_|npm_)/.test(name) || name === 'PORT' || name === 'HOST') continue;
    env[name] = value;
  }
  return { ...env, DEV_NATIVE: '1', ...extra };
}

/** A temporary folder that the `postgres` user can enter (mode 755), removed after the test. */
function openTempDir(t: Context, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A copy of the checkout inside a fresh mode-700 folder, as `git clone` into `mktemp -d` would make, or (with
 * `open`) a mode-755 one, for the cases that must fail on their own grounds rather than on the private folder.
 */
function privateCheckout(t: Context, { open = false } = {}): string {
  const outer = mkdtempSync(join(tmpdir(), 'newcomer-'));
  t.teardown(() => rmSync(outer, { recursive: true, force: true }));
  if (open) chmodSync(outer, 0o755);
  t.is(statSync(outer).mode & 0o777, open ? 0o755 : 0o700);
  const root = join(outer, 'auth-platform');
  for (const entry of ['scripts', 'docker', 'app', 'package.json', '.env.example', 'README.md']) {
    cpSync(join(repoRoot, entry), join(root, entry), { recursive: true, filter: (source) => !source.includes(`${sep}node_modules`) && !source.includes(`${sep}.local`) });
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  if (existsSync(join(repoRoot, 'app', 'node_modules'))) symlinkSync(join(repoRoot, 'app', 'node_modules'), join(root, 'app', 'node_modules'));
  return root;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts `node <script>` in its own process group, as a shell starts a job, collecting stdout and stderr. */
function startScript(t: Context, cwd: string, script: string, env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, [script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
  });
  return { child, output: () => output, exited };
}

/** Waits until the run printed `pattern` (no time limit here: ava's timeout bounds a hang). */
async function waitForOutput(run: Run, pattern: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const match = pattern.exec(run.output());
    if (match) return match;
    if (run.child.exitCode !== null) throw new Error(`exited ${run.child.exitCode} before printing ${pattern}:\n${run.output()}`);
    await sleep(100);
  }
}

/** The listening sockets on `port` from /proc/net/tcp{,6}: the local address in the kernel's hex notation. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8').split('\n').slice(1).map((line) => line.trim().split(/\s+/)).filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A').map((fields) => fields[1]!.split(':')[0]!),
  );
}

async function clickhouse(url: string, sql: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', body: sql, headers: { 'X-ClickHouse-User': 'default', 'X-ClickHouse-Key': '' } });
  const text = await response.text();
  if (!response.ok) throw new Error(text);
  return text;
}

/** A fresh PostgreSQL database and ClickHouse database on the suite's servers, as a newcomer's own servers. */
async function externalServices(t: Context): Promise<Record<string, string>> {
  const name = `newcomer_${randomBytes(4).toString('hex')}`;
  const admin = new URL(await adminDatabaseUrl());
  const connection = { ...process.env, PGHOST: admin.hostname, PGPORT: admin.port, PGUSER: decodeURIComponent(admin.username), PGPASSWORD: decodeURIComponent(admin.password) };
  spawnSync('psql', ['-X', '-q', '-d', 'postgres', '-c', `create database ${name}`], { env: connection, stdio: 'ignore' });
  const clickhouseUrl = await adminClickHouseUrl();
  await clickhouse(clickhouseUrl, `CREATE DATABASE ${name}`);
  t.teardown(async () => {
    spawnSync('psql', ['-X', '-q', '-d', 'postgres', '-c', `drop database if exists ${name} with (force)`], { env: connection, stdio: 'ignore' });
    await clickhouse(clickhouseUrl, `DROP DATABASE IF EXISTS ${name}`);
  });
  const database = new URL(admin.href);
  database.pathname = `/${name}`;
  return { DATABASE_URL: database.href, CLICKHOUSE_URL: clickhouseUrl, CLICKHOUSE_USER: 'default', CLICKHOUSE_PASSWORD: '', CLICKHOUSE_DATABASE: name };
}

/** The README's shell block of requests (register, log in, refresh, /v1/me, log out), aimed at `url`. */
function readmeRequests(url: string): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!).find((text) => text.includes('/v1/tokens/refresh'));
  if (!block) throw new Error('README.md has no sh block with the refresh request');
  return block.replace(/^api=\S+$/m, `api=${url}`);
}

test.serial('npm test from a checkout inside a mode-700 folder: PostgreSQL starts where its user can reach, and nothing is left behind', async (t) => {
  const root = privateCheckout(t);
  const temp = openTempDir(t, 'newcomer-tmp-');
  // ClickHouse is named (as a running one), so only PostgreSQL starts: the part that used to fail as root.
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'with-services.mjs'), 'sh', '-c', 'psql "$TEST_DATABASE_ADMIN_URL" -XAtc "select 1" && psql "$DATABASE_URL" -XAtc "select current_user"'], {
    cwd: root,
    env: shellEnv({ TMPDIR: temp, TEST_CLICKHOUSE_URL: 'http://127.0.0.1:9' }),
    encoding: 'utf8',
  });
  t.is(result.status, 0, result.stderr);
  t.is(result.stdout, '1\nauth_app\n');
  t.deepEqual(readdirSync(temp), [], 'the services folder is removed at the end');
});

test.serial('a missing ClickHouse: one line saying what to do, and the PostgreSQL already started is stopped', async (t) => {
  const temp = openTempDir(t, 'newcomer-tmp-');
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'with-services.mjs'), 'true'], {
    cwd: repoRoot,
    env: shellEnv({ TMPDIR: temp, CLICKHOUSE_BIN: join(temp, 'clickhouse-server') }),
    encoding: 'utf8',
  });
  t.is(result.status, 1);
  t.notRegex(result.stderr, /^\s+at /m, 'no stack trace');
  const lines = result.stderr.trim().split('\n');
  t.regex(lines.at(-1)!, /^\[services\] clickhouse-server not found: install it \(apt-get install clickhouse-server.*\), or use a running one with CLICKHOUSE_URL \(npm run dev\) \/ TEST_CLICKHOUSE_URL \(npm test\)$/);
  const port = Number(/PostgreSQL on 127\.0\.0\.1:(\d+)/.exec(result.stderr)?.[1]);
  t.true(port > 0, result.stderr);
  t.false(await accepts(port), 'PostgreSQL was stopped');
  t.deepEqual(readdirSync(temp), []);
});

test.serial('npm run dev: the environment wins over .env.example, named services are used, one run at a time, Ctrl-C flushes the events', async (t) => {
  const root = privateCheckout(t, { open: true });
  const port = await freePort();
  const services = await externalServices(t);
  // A flush interval longer than the test: the events reach ClickHouse only through the graceful shutdown.
  const env = shellEnv({ ...services, PORT: String(port), HIBP_ENABLED: 'false', EVENTS_FLUSH_INTERVAL_MS: '600000', EVENTS_BATCH_SIZE: '10000' });
  const dev = startScript(t, root, join(root, 'scripts', 'dev.mjs'), env);
  const url = (await waitForOutput(dev, /\[dev\] API on (\S+)/))[1]!;
  t.is(url, `http://127.0.0.1:${port}`, 'PORT from the environment, not 8080 from .env.example');
  t.notRegex(dev.output(), /\[services\] (PostgreSQL|ClickHouse) on/, 'the named services are used, none started');
  t.true(dev.output().indexOf('"msg":"listening"') < dev.output().indexOf('[dev] API on'), 'the API line comes once the app answers');
  t.deepEqual(listeningAddresses(port), ['0100007F'], 'bound to 127.0.0.1 only');

  const second = spawnSync(process.execPath, [join(root, 'scripts', 'dev.mjs')], { cwd: root, env: { ...env, PORT: String(await freePort()) }, encoding: 'utf8' });
  t.is(second.status, 1);
  t.regex(second.stderr, new RegExp(`^\\[dev\\] already running \\(pid ${dev.child.pid}, API on ${url}\\): stop it with Ctrl-C in its terminal, or kill ${dev.child.pid}\\n$`));
  t.is((await fetch(`${url}/readyz`)).status, 200, 'the first run still serves');

  const requests = spawnSync('bash', ['-euo', 'pipefail', '-c', readmeRequests(url)], { encoding: 'utf8' });
  t.is(requests.status, 0, requests.stderr);
  t.regex(requests.stdout, /"email":"ada@example.com"/, 'GET /v1/me answered');

  // The ops script finds this run by itself and needs no DATABASE_URL.
  const report = spawnSync('npm', ['run', '--silent', 'ops:auth-report', '--', '--since', '1h'], { cwd: root, env: shellEnv(), encoding: 'utf8' });
  t.is(report.status, 0, report.stderr);
  t.regex(report.stdout, /New registrations/);

  // Ctrl-C in a terminal signals the whole foreground process group.
  process.kill(-dev.child.pid!, 'SIGINT');
  t.is(await dev.exited, 0, dev.output());
  t.notRegex(dev.output(), /Force killing/);
  t.regex(dev.output(), /"msg":"stopped"/);
  const types = (await clickhouse(services.CLICKHOUSE_URL!, `SELECT event_type FROM ${services.CLICKHOUSE_DATABASE}.auth_events ORDER BY event_type FORMAT TSV`)).trim().split('\n');
  t.true(types.length >= 4, `the queued events were flushed at shutdown: ${types.join(', ')}`);
  t.false(existsSync(join(root, '.local', 'dev-stack.json')));
});

test.serial('npm run dev after a kill -9 of the previous run stops what that run left, in a mode-700 checkout with native services', async (t) => {
  const root = privateCheckout(t);
  const temp = openTempDir(t, 'newcomer-tmp-');
  const env = shellEnv({ PORT: String(await freePort()), HIBP_ENABLED: 'false', TMPDIR: temp });
  const first = startScript(t, root, join(root, 'scripts', 'dev.mjs'), env);
  await waitForOutput(first, /\[dev\] API on/);
  t.regex(first.output(), /\[services\] PostgreSQL on/);
  const stack = JSON.parse(readFileSync(join(root, '.local', 'dev-stack.json'), 'utf8')) as { pid: number; appPid: number; servicesDir: string };
  t.is(stack.pid, first.child.pid!);
  process.kill(first.child.pid!, 'SIGKILL');
  await first.exited;

  const next = startScript(t, root, join(root, 'scripts', 'dev.mjs'), env);
  await waitForOutput(next, /\[dev\] API on/);
  t.regex(next.output(), new RegExp(`a previous run \\(pid ${first.child.pid}\\) ended without cleaning up: stopping what it left running`));
  t.false(alive(stack.appPid), 'the orphaned app was stopped');
  t.false(existsSync(stack.servicesDir), 'its services were stopped and their folder removed');
  process.kill(-next.child.pid!, 'SIGINT');
  t.is(await next.exited, 0, next.output());
  // tsx keeps its compile cache there (tsx-<uid>), by design; nothing of ours remains.
  t.deepEqual(readdirSync(temp).filter((name) => !name.startsWith('tsx-')), [], 'nothing left in the temporary folder');
});

/** The pids whose command line mentions `text` (a services folder: the ClickHouse server's --config-file). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  }).map(Number);
}

for (const [script, args] of [['dev.mjs', []], ['test.mjs', []], ['with-services.mjs', ['sleep', '600']]] as const) {
  test.serial(`Ctrl-C during the start-up of ${script}, right after PostgreSQL started: both servers are stopped`, async (t) => {
    const temp = openTempDir(t, 'newcomer-tmp-');
    const env = shellEnv({ TMPDIR: temp, DEV_STACK_FILE: join(temp, 'dev-stack.json'), PORT: String(await freePort()), HIBP_ENABLED: 'false' });
    const child = spawn(process.execPath, [join(repoRoot, 'scripts', script), ...args], { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const run: Run = { child, output: () => output, exited };
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    });
    const port = Number((await waitForOutput(run, /\[services\] PostgreSQL on 127\.0\.0\.1:(\d+)/))[1]);
    // Ctrl-C in a terminal signals the whole foreground process group.
    process.kill(-child.pid!, 'SIGINT');
    const code = await exited;
    t.not(code, 0, output);
    t.notRegex(output, /^\s+at /m, 'no stack trace');
    t.false(await accepts(port), `PostgreSQL was stopped:\n${output}`);
    t.deepEqual(processesMentioning(temp), [], 'no ClickHouse (or anything else) runs from the run\'s folder');
    t.deepEqual(readdirSync(temp).filter((name) => !name.startsWith('tsx-')), [], 'the services folder is removed');
  });
}

test('npm run dev names the cause of a listen failure in one line: PORT, the port in use, a privileged port, HOST', async (t) => {
  const temp = openTempDir(t, 'newcomer-tmp-');
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.teardown(() => busy.close());
  const busyPort = String((busy.address() as { port: number }).port);
  // The privileged-port case needs a process that may not bind below 1024. Root keeps its uid (so it can read a
  // checkout inside a mode-700 folder, as CI may clone it) and loses CAP_NET_BIND_SERVICE through util-linux's
  // setpriv (capabilities(7): without it, binding a port below ip_unprivileged_port_start fails with EACCES);
  // any other user cannot bind there anyway.
  const dev = (extra: Record<string, string>, unprivileged?: boolean) => {
    const argv = [process.execPath, join(repoRoot, 'scripts', 'dev.mjs')];
    const dropBind = unprivileged && process.getuid?.() === 0;
    const [file, args] = dropBind ? ['setpriv', ['--bounding-set=-net_bind_service', '--inh-caps=-net_bind_service', ...argv]] : [argv[0]!, argv.slice(1)];
    return spawnSync(file, args, { cwd: repoRoot, env: shellEnv({ TMPDIR: temp, DEV_STACK_FILE: join(temp, `dev-stack-${randomBytes(4).toString('hex')}.json`), ...extra }), encoding: 'utf8' });
  };
  const cases: Array<[Record<string, string>, RegExp, boolean?]> = [
    [{ PORT: 'abc' }, /^\[dev\] PORT=abc is not a port number \(0-65535\): e\.g\. PORT=8080 npm run dev$/],
    [{ PORT: busyPort }, new RegExp(`^\\[dev\\] port ${busyPort} on 127\\.0\\.0\\.1 is in use: stop what listens there, or choose another with PORT=<port> npm run dev$`)],
    [{ PORT: '80' }, /^\[dev\] port 80 on 127\.0\.0\.1 is privileged \(below 1024 only root may listen\): choose another with PORT=<port> npm run dev$/, true],
    [{ PORT: busyPort, HOST: '192.0.2.1' }, /^\[dev\] HOST=192\.0\.2\.1 is not an address of this machine: unset HOST \(127\.0\.0\.1\) or give one of its addresses$/],
    [{ PORT: busyPort, HOST: 'no-such-host.invalid' }, /^\[dev\] HOST=no-such-host\.invalid (does not resolve|could not be resolved \(no DNS answer\)): unset HOST \(127\.0\.0\.1\) or give an address of this machine$/],
  ];
  for (const [extra, line, unprivileged] of cases) {
    const result = dev(extra, unprivileged);
    t.is(result.status, 1, JSON.stringify(extra));
    t.regex(result.stderr.trim(), line);
    t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
  t.deepEqual(readdirSync(temp), [], 'nothing started, nothing recorded');
});

test('the ops launcher\'s note names the variable the command needs, and is left out when that variable is set', (t) => {
  const temp = openTempDir(t, 'newcomer-tmp-');
  // No dev stack recorded. The note comes before the launcher runs `npm run <script>`; what that script does
  // is not under test here, so an `npm` first on PATH that only exits 0 takes its place (a real run takes
  // over ten seconds each to fail connecting).
  mkdirSync(join(temp, 'bin'));
  writeFileSync(join(temp, 'bin', 'npm'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const ops = (args: string[], extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(repoRoot, 'scripts', 'ops.mjs'), ...args], {
      cwd: repoRoot,
      env: shellEnv({ DEV_STACK_FILE: join(temp, 'dev-stack.json'), PATH: `${join(temp, 'bin')}:${process.env.PATH}`, ...extra }),
      encoding: 'utf8',
    });
  const note = /^\[ops\] no running npm run dev found: using \.env(\.example)? under the environment \(start npm run dev, or set (\w+)\)$/m;
  t.is(note.exec(ops(['migrate']).stderr)?.[2], 'DATABASE_MIGRATION_URL');
  t.is(note.exec(ops(['auth-report']).stderr)?.[2], 'CLICKHOUSE_URL');
  t.notRegex(ops(['migrate'], { DATABASE_MIGRATION_URL: 'postgres://auth_owner:x@127.0.0.1:9/auth' }).stderr, note);
  t.notRegex(ops(['auth-report'], { CLICKHOUSE_URL: 'http://127.0.0.1:9' }).stderr, note);
});

test('after a kill -9 of dev.mjs, the ops launcher still uses the services its record names while they answer', async (t) => {
  const temp = openTempDir(t, 'newcomer-tmp-');
  // The ops script itself is not under test: an `npm` first on PATH prints the ClickHouse URL it was given.
  mkdirSync(join(temp, 'bin'));
  writeFileSync(join(temp, 'bin', 'npm'), '#!/bin/sh\nprintf %s "$CLICKHOUSE_URL"\n', { mode: 0o755 });
  const listening = async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
  };
  const [postgres, clickhouse] = [await listening(), await listening()];
  t.teardown(() => [postgres, clickhouse].forEach(({ server }) => server.close()));
  const deadPid = spawnSync('true').pid; // dev.mjs, killed: its pid is gone
  // The record as scripts/dev.mjs writes it (pid, appPid, url, servicesDir, env).
  writeFileSync(join(temp, 'dev-stack.json'), JSON.stringify({ pid: deadPid, servicesDir: join(temp, 'gone'), env: { DATABASE_URL: postgres.url.replace('http', 'postgres'), CLICKHOUSE_URL: clickhouse.url } }));
  const ops = () =>
    spawnSync(process.execPath, [join(repoRoot, 'scripts', 'ops.mjs'), 'auth-report'], {
      cwd: repoRoot,
      env: shellEnv({ DEV_STACK_FILE: join(temp, 'dev-stack.json'), PATH: `${join(temp, 'bin')}:${process.env.PATH}` }),
      encoding: 'utf8',
    });
  const used = ops();
  t.is(used.status, 0, used.stderr);
  t.is(used.stdout, clickhouse.url, 'the record\'s ClickHouse');
  t.notRegex(used.stderr, /no running npm run dev/);
  await new Promise((resolve) => clickhouse.server.close(resolve));
  const gone = ops();
  t.regex(gone.stderr, /no running npm run dev found/, 'services that no longer answer are not used');
  t.not(gone.stdout, clickhouse.url);
});

test('a stale dev-stack record whose pids now belong to other processes: npm run dev signals none of them', async (t) => {
  const temp = openTempDir(t, 'newcomer-tmp-');
  // Other processes that got the recorded pids (after a reboot, say), with "tsx" and "dev.mjs" in their command
  // lines, as the old check by substring would have taken them for the app and the run.
  const impostor = (name: string) => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', name], { detached: true, stdio: 'ignore' });
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    });
    return child;
  };
  const [app, server] = [impostor('node_modules/tsx/dist/cli.mjs'), impostor('clickhouse-server')];
  const deadPid = spawnSync('true').pid;
  const servicesDir = join(temp, 'auth-platform-dev-old');
  mkdirSync(join(servicesDir, 'ch'), { recursive: true });
  // The server's pid file as the launcher used to write it: the bare pid.
  writeFileSync(join(servicesDir, 'ch', 'server.pid'), String(server.pid));
  writeFileSync(join(temp, 'dev-stack.json'), JSON.stringify({ pid: deadPid, startTime: '1', command: ['node', 'scripts/dev.mjs'], appPid: app.pid, appStartTime: '2', appCommand: ['node', 'tsx', 'watch'], servicesDir }));
  // PORT=abc ends the run right after it dealt with the stale record, before anything starts.
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'dev.mjs')], { cwd: repoRoot, env: shellEnv({ TMPDIR: temp, DEV_STACK_FILE: join(temp, 'dev-stack.json'), PORT: 'abc' }), encoding: 'utf8' });
  t.regex(result.stdout, /a previous run \(pid \d+\) ended without cleaning up/);
  t.regex(result.stderr, /PORT=abc/);
  await sleep(500); // a SIGTERM, had one been sent, has been delivered by now
  t.true(alive(app.pid!) && app.exitCode === null && app.signalCode === null, 'the process that got the app\'s pid runs on');
  t.true(alive(server.pid!) && server.exitCode === null && server.signalCode === null, 'the process that got ClickHouse\'s pid runs on');
});

test.serial('Ctrl-C of npm run dev waits for the app\'s shutdown past tsx watch\'s 5 s force kill, up to SHUTDOWN_TIMEOUT_MS', async (t) => {
  const temp = openTempDir(t, 'newcomer-tmp-');
  const env = shellEnv({ TMPDIR: temp, DEV_STACK_FILE: join(temp, 'dev-stack.json'), PORT: String(await freePort()), HIBP_ENABLED: 'false', SHUTDOWN_TIMEOUT_MS: '8000' });
  const dev = startScript(t, repoRoot, join(repoRoot, 'scripts', 'dev.mjs'), env);
  const url = new URL((await waitForOutput(dev, /\[dev\] API on (\S+)/))[1]!);
  // A request whose headers never end holds the server's graceful close until SHUTDOWN_TIMEOUT_MS (8 s),
  // longer than the 5 s after which tsx watch force-kills the process it relayed a signal to.
  const socket = connect(Number(url.port), url.hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET /readyz HTTP/1.1\r\nhost: ${url.host}\r\n`);
  socket.on('error', () => {});
  t.teardown(() => socket.destroy());
  process.kill(-dev.child.pid!, 'SIGINT');
  t.is(await dev.exited, 0, dev.output());
  t.notRegex(dev.output(), /Force killing/);
  t.regex(dev.output(), /"msg":"stopped"/, 'the app ran its shutdown to the end');
});

test('the Quick start names the headers prerequisite next to npm ci, and its --nodedir holds this Node\'s headers', (t) => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('`npm run tools` installs'));
  const command = /^npm ci --nodedir=(.+)$/m.exec(quickStart)?.[1];
  t.truthy(command, 'a `npm ci --nodedir=...` line in the Quick start');
  t.regex(quickStart, /python3, make and g\+\+/);
  // The README's expression, evaluated by a shell as a user would: the prefix whose include/node has headers
  // of the running Node (what scripts/lib/preflight.mjs gives node-gyp as npm_config_nodedir).
  const nodedir = spawnSync('sh', ['-c', `printf %s ${command}`], { encoding: 'utf8' }).stdout;
  const script = `import { nodeHeadersDir } from ${JSON.stringify(join(repoRoot, 'scripts', 'lib', 'preflight.mjs'))};
    process.stdout.write(String(nodeHeadersDir()));`;
  t.is(spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).stdout, nodedir);
});

test.serial('an exported empty CLICKHOUSE_URL counts as unset in npm run dev: the native ClickHouse starts', async (t) => {
  const temp = openTempDir(t, 'newcomer-tmp-');
  // PostgreSQL named (a closed port: the run is interrupted before it is used), CLICKHOUSE_URL exported empty.
  const env = shellEnv({ TMPDIR: temp, DEV_STACK_FILE: join(temp, 'dev-stack.json'), PORT: String(await freePort()), DATABASE_URL: 'postgres://auth_app:x@127.0.0.1:9/auth', CLICKHOUSE_URL: '' });
  const dev = startScript(t, repoRoot, join(repoRoot, 'scripts', 'dev.mjs'), env);
  const line = (await waitForOutput(dev, /^\[dev\] no Docker engine: (.*)$/m))[1]!;
  process.kill(-dev.child.pid!, 'SIGINT');
  await dev.exited;
  t.regex(line, /^starting ClickHouse natively/);
  t.deepEqual(processesMentioning(temp), []);
});

test('terraform runs get a folder of their own, removed at exit, whoever owns /tmp/auth-platform-terraform', (t) => {
  const temp = openTempDir(t, 'newcomer-tmp-');
  // Another user's folder at the old fixed path; a file stands in for it, since root may write anywhere.
  writeFileSync(join(temp, 'auth-platform-terraform'), '');
  const script = `import { terraformEnv } from ${JSON.stringify(join(repoRoot, 'scripts', 'lib', 'terraform-cli.mjs'))};
    const env = terraformEnv(); process.stdout.write(env.TF_CLI_CONFIG_FILE);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TMPDIR: temp }, encoding: 'utf8' });
  t.is(result.status, 0, result.stderr);
  t.is(dirname(dirname(result.stdout)), temp);
  t.deepEqual(readdirSync(temp), ['auth-platform-terraform'], 'the per-run folder is gone after exit');
});

test('the npm test summary counts passed tests from ava\'s real output, also when some fail', (t) => {
  const dir = openTempDir(t, 'newcomer-ava-');
  // A tiny ava project: two passing tests and one failing, run by the repository's ava 7.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', ava: { files: ['*.test.mjs'] } }));
  const avaMain = join(repoRoot, 'node_modules', 'ava', 'entrypoints', 'main.mjs');
  writeFileSync(join(dir, 'sample.test.mjs'), `import test from ${JSON.stringify(avaMain)};
test('one', (t) => t.pass()); test('two', (t) => t.pass()); test('three', (t) => t.fail());\n`);
  const ava = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'ava', 'entrypoints', 'cli.mjs')], { cwd: dir, env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
  t.is(ava.status, 1, ava.stdout + ava.stderr);
  const script = `import { countTests } from ${JSON.stringify(join(repoRoot, 'scripts', 'lib', 'test-summary.mjs'))};
    process.stdout.write(JSON.stringify(countTests(process.argv[1])));`;
  const counted = spawnSync(process.execPath, ['--input-type=module', '-e', script, ava.stdout + ava.stderr], { encoding: 'utf8' });
  const { passed, failed, problems } = JSON.parse(counted.stdout);
  t.deepEqual({ passed, failed }, { passed: 2, failed: 1 });
  t.true(problems.some((line: string) => line.includes('three')), problems.join('\n'));
});

test('the npm test summary counts a test file that exits part-way as a failure, and names it', (t) => {
  const dir = openTempDir(t, 'newcomer-ava-exit-');
  // A file whose process ends between its tests, as a crash in native code or a stray process.exit would: ava 7
  // reports "✘ <file> exited with a non-zero exit code: 3" and no failed test.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', ava: { files: ['*.test.mjs'] } }));
  const avaMain = join(repoRoot, 'node_modules', 'ava', 'entrypoints', 'main.mjs');
  writeFileSync(join(dir, 'crash.test.mjs'), `import test from ${JSON.stringify(avaMain)};
test.serial('one', (t) => t.pass()); test.serial('two', () => { process.exit(3); }); test.serial('three', (t) => t.pass());\n`);
  const ava = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'ava', 'entrypoints', 'cli.mjs')], { cwd: dir, env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
  t.is(ava.status, 1, ava.stdout + ava.stderr);
  const script = `import { countTests } from ${JSON.stringify(join(repoRoot, 'scripts', 'lib', 'test-summary.mjs'))};
    process.stdout.write(JSON.stringify(countTests(process.argv[1])));`;
  const counted = spawnSync(process.execPath, ['--input-type=module', '-e', script, ava.stdout + ava.stderr], { encoding: 'utf8' });
  const { passed, failed, problems } = JSON.parse(counted.stdout);
  t.is(passed, 1);
  t.true(failed >= 1, ava.stdout + ava.stderr);
  t.true(problems.some((line: string) => /crash\.test\.mjs exited with a non-zero exit code: 3/.test(line)), problems.join('\n'));
});

test('argon2 source builds use the headers of the installed Node (npm_config_nodedir), when they match it', (t) => {
  const prefix = openTempDir(t, 'newcomer-node-');
  mkdirSync(join(prefix, 'bin'));
  mkdirSync(join(prefix, 'include', 'node'), { recursive: true });
  writeFileSync(join(prefix, 'bin', 'node'), '');
  const [major, minor, patch] = process.version.slice(1).split('.');
  // The defines of Node's src/node_version.h, as installed into <prefix>/include/node.
  const header = (version: string[]) => ['MAJOR', 'MINOR', 'PATCH'].map((part, index) => `#define NODE_${part}_VERSION ${version[index]}\n`).join('');
  const probe = (execPath: string) => {
    const script = `import { nodeHeadersDir } from ${JSON.stringify(join(repoRoot, 'scripts', 'lib', 'preflight.mjs'))};
      process.stdout.write(String(nodeHeadersDir(${JSON.stringify(execPath)})));`;
    return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).stdout;
  };
  writeFileSync(join(prefix, 'include', 'node', 'node_version.h'), header([major!, minor!, patch!]));
  t.is(probe(join(prefix, 'bin', 'node')), prefix);
  writeFileSync(join(prefix, 'include', 'node', 'node_version.h'), header([major!, minor!, String(Number(patch) + 1)]));
  t.is(probe(join(prefix, 'bin', 'node')), 'undefined', 'headers of another version are not used');
});

test('the README\'s example password is the one npm run dev prints, and not the well-known breached one', (t) => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const dev = readFileSync(join(repoRoot, 'scripts', 'dev.mjs'), 'utf8');
  const passwords = new Set([...readme.matchAll(/"password":"([^"]+)"/g), ...dev.matchAll(/"password":"([^"]+)"/g)].map((match) => match[1]));
  t.is(passwords.size, 1, [...passwords].join(', '));
  // Pwned Passwords counts "correct horse battery staple" in thousands of breaches; the example is random.
  t.false(passwords.has('correct horse battery staple'));
});
