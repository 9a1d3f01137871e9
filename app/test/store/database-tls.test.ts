// DATABASE_SSL=verify-full against a real PostgreSQL serving a certificate from a throwaway CA (issue 14
// item 7): the matching CA connects over TLS; a wrong CA or a wrong host name is refused at start-up with
// one JSON line naming the setting to change (issue 19). main.ts runs as a real process.
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import postgres from 'postgres';
import { postgresSsl } from '../../src/store/db.ts';
import { adminUrl } from '../helpers/database.ts';
import { FAST_ARGON2_ENV } from '../helpers/test-app.ts';
import { startTlsPostgres, type TlsPostgres } from '../helpers/tls-postgres.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
let server: TlsPostgres;

test.before(async () => {
  server = await startTlsPostgres();
});
test.after.always(() => server?.stop());

interface Run {
  /** Resolves with the port once main logs `listening`; rejects when it exits first. */
  listening: Promise<number>;
  exited: Promise<number | null>;
  stderr: () => string;
  kill: () => void;
}

function runMain(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import=tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HIBP_ENABLED: 'false', PORT: '0', ...FAST_ARGON2_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'listening') resolve(entry.port!);
    });
    void exited.then((code) => reject(new Error(`main exited with ${code}: ${stderr}`)));
  });
  listening.catch(() => {}); // the failure tests await `exited` instead
  return { listening, exited, stderr: () => stderr, kill: () => child.kill('SIGKILL') };
}

const url = (host: string) => `postgres://postgres@${host}:${server.port}/postgres`;

/** The one line a refused start-up prints, parsed. */
async function startupFailure(t: { is: (a: unknown, b: unknown, m?: string) => void }, run: Run) {
  // A process that starts serving instead is a failure at once, not a wait for an exit that never comes.
  const outcome = await Promise.race([run.exited.then((code) => `exit ${code}`), run.listening.then(() => 'listening', () => 'exited')]);
  t.is(outcome === 'listening' ? 'listening' : await run.exited, 1, `expected a refused start-up:\n${run.stderr()}`);
  const lines = run.stderr().trim().split('\n');
  t.is(lines.length, 1, `exactly one line, no stack trace:\n${run.stderr()}`);
  return JSON.parse(lines[0]!) as { level: string; msg: string; setting?: string; problem: string; code?: string };
}

test('verify-full with the CA that issued the server certificate connects, over TLS', async (t) => {
  const run = runMain({ DATABASE_URL: url('localhost'), DATABASE_SSL: 'verify-full', DATABASE_SSL_ROOT_CERT: server.caFile });
  t.teardown(run.kill);
  const port = await run.listening;
  t.is((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200, run.stderr());
  // The app's own connections are TLS ones (pg_stat_ssl), not a plain fallback.
  const admin = postgres(url('localhost'), { max: 1, ssl: postgresSsl('verify-full', server.caFile, url('localhost')), onnotice: () => {} });
  t.teardown(() => admin.end({ timeout: 1 }));
  const rows = await admin<{ ssl: boolean }[]>`
    select s.ssl from pg_stat_ssl s join pg_stat_activity a using (pid) where a.application_name = 'auth'`;
  t.true(rows.length > 0, 'the app holds a connection');
  t.true(rows.every((row) => row.ssl));
});

/** Connects with the app's own `ssl` option and answers whether the session is TLS. */
async function connectsOverTls(host: string): Promise<boolean> {
  const sql = postgres(url(host), { max: 1, ssl: postgresSsl('verify-full', server.caFile, url(host)), onnotice: () => {} });
  try {
    const [row] = await sql<{ ssl: boolean }[]>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`;
    return row?.ssl === true;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

test('verify-full with a root-only bundle accepts a server certificate issued by an intermediate the server sends (RDS\'s chain shape)', async (t) => {
  const pems = (file: string) => (readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));
  const [root, ...others] = pems(server.caFile);
  const [leaf, intermediate, ...more] = pems(server.chainFile);
  // The shape itself: bundle = one self-signed root; the server sends leaf then intermediate, nothing else.
  t.deepEqual([others.length, more.length], [0, 0]);
  t.true(root!.checkIssued(root!) && intermediate!.checkIssued(root!) && leaf!.checkIssued(intermediate!));
  t.false(leaf!.checkIssued(root!), 'the root did not sign the server certificate itself');
  t.true(await connectsOverTls('localhost'));
});

test('verify-full to an IP literal connects when the certificate has a matching iPAddress SAN', async (t) => {
  // The certificate names IP:127.0.0.2 (and not 127.0.0.1, which the mismatch test below uses).
  t.true(await connectsOverTls('127.0.0.2'));
});

test('verify-full with another CA is refused at start-up, naming DATABASE_SSL_ROOT_CERT', async (t) => {
  const run = runMain({ DATABASE_URL: url('localhost'), DATABASE_SSL: 'verify-full', DATABASE_SSL_ROOT_CERT: server.otherCaFile });
  t.teardown(run.kill);
  const line = await startupFailure(t, run);
  t.like(line, { level: 'fatal', msg: 'start-up failed', setting: 'DATABASE_SSL_ROOT_CERT' });
  t.regex(line.code ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/);
});

test('verify-full to a host name the certificate does not name is refused, naming DATABASE_URL', async (t) => {
  // The certificate says DNS:localhost; 127.0.0.1 reaches the same server under another name.
  const run = runMain({ DATABASE_URL: url('127.0.0.1'), DATABASE_SSL: 'verify-full', DATABASE_SSL_ROOT_CERT: server.caFile });
  t.teardown(run.kill);
  const line = await startupFailure(t, run);
  t.like(line, { msg: 'start-up failed', setting: 'DATABASE_URL', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
});

test('verify-full without DATABASE_SSL_ROOT_CERT trusts only the public roots: a private CA is refused, naming DATABASE_SSL_ROOT_CERT', async (t) => {
  const run = runMain({ DATABASE_URL: url('localhost'), DATABASE_SSL: 'verify-full' });
  t.teardown(run.kill);
  const line = await startupFailure(t, run);
  // The setting named is the one the problem tells the user to set.
  t.like(line, { msg: 'start-up failed', setting: 'DATABASE_SSL_ROOT_CERT' });
  t.regex(line.problem, /set DATABASE_SSL_ROOT_CERT/);
});

test('DATABASE_SSL=disable against a PostgreSQL that admits only TLS is one line naming DATABASE_SSL', async (t) => {
  // The server's pg_hba.conf has only `hostssl` lines (RDS's rds.force_ssl): PostgreSQL answers 28000
  // "no pg_hba.conf entry … SSL off" (15) / "… no encryption" (16+).
  const run = runMain({ DATABASE_URL: url('localhost'), DATABASE_SSL: 'disable' });
  t.teardown(run.kill);
  const line = await startupFailure(t, run);
  t.like(line, { msg: 'start-up failed', setting: 'DATABASE_SSL', code: '28000' });
  t.regex(line.problem, /DATABASE_SSL=verify-full/);
});

test('an unreadable DATABASE_SSL_ROOT_CERT is refused at start-up, naming it', async (t) => {
  const run = runMain({ DATABASE_URL: url('localhost'), DATABASE_SSL: 'verify-full', DATABASE_SSL_ROOT_CERT: `${server.caFile}.missing` });
  t.teardown(run.kill);
  const line = await startupFailure(t, run);
  t.like(line, { msg: 'start-up failed', setting: 'DATABASE_SSL_ROOT_CERT' });
  t.regex(line.problem, /cannot read the CA bundle/);
});

test('DATABASE_SSL=require against a PostgreSQL without TLS is one line naming DATABASE_SSL, not a stack trace', async (t) => {
  // The shared test server has no TLS: production's default `require` meets it (issue 19's trial).
  const run = runMain({ DATABASE_URL: adminUrl(), DATABASE_SSL: 'require' });
  t.teardown(run.kill);
  const line = await startupFailure(t, run);
  t.like(line, { msg: 'start-up failed', setting: 'DATABASE_SSL' });
  t.notRegex(run.stderr(), /\n\s+at /, 'no stack frames');
});

test('a PostgreSQL that refuses the connection is one line naming DATABASE_MIGRATION_URL when that is the URL in use', async (t) => {
  const closed = url('localhost').replace(`:${server.port}/`, ':1/');
  const run = runMain({ DATABASE_URL: closed, DATABASE_MIGRATION_URL: closed });
  t.teardown(run.kill);
  const line = await startupFailure(t, run);
  t.like(line, { msg: 'start-up failed', setting: 'DATABASE_MIGRATION_URL', code: 'ECONNREFUSED' });
});
