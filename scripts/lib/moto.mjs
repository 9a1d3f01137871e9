// moto's AWS API emulator in server mode (PyPI `moto[server]`, version in .tool-versions), as the offline plan
// (scripts/plan-offline.mjs) and the bring-up rehearsal (scripts/rehearse.mjs) both run it: one server on a free
// loopback port, serving one AWS account, stopped when the caller is done or exits.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './services/process.mjs';
import { toolPath } from './toolchain.mjs';

/**
 * The moto 5.2.5 gap that both scripts work around, in one place. moto evaluates an S3 bucket policy without the
 * request's condition values, and a statement whose Condition does not hold answers DENIED whatever its Effect
 * (moto 5.2.5 `moto/iam/access_control.py` lines 493-494, `IAMPolicyStatement.is_action_permitted`; called from
 * `moto/s3/models.py` lines 1154-1161, `FakeBucket.get_permission`, with no condition values, and enforced by
 * `moto/s3/responses.py` lines 1937-1939, which answers 403). So a TLS-only statement (Deny s3:* when
 * aws:SecureTransport is false, as Terragrunt's backend bootstrap and modules/state-backend write it) refuses every
 * state read and write in moto, whereas AWS applies it to plain-HTTP requests only.
 * What each script does about it:
 *   - plan-offline creates each state bucket itself (createBucket), versioned, with no bucket policy;
 *   - the rehearsal runs the README's `terragrunt backend bootstrap` with REHEARSAL=1, which makes root.hcl set the
 *     S3 backend's `skip_bucket_enforced_tls` and live/_envcommon/state-backend.hcl pass `enforce_tls = false`.
 * architecture/REHEARSAL_GAPS.md lists it with the other gaps.
 */
export const BUCKET_POLICY_CONDITION_GAP =
  'moto 5.2.5 evaluates a bucket policy statement with a Condition as if the condition never held and answers DENIED (moto/iam/access_control.py:493-494, moto/s3/models.py:1154-1161), so a TLS-only Deny refuses every request';

// The services' free-port helper, re-exported for the callers of this module.
export { freePort };

/** The environment moto_server runs with for one account. */
export function motoServerEnv(accountId, baseEnv = process.env) {
  return {
    ...baseEnv,
    // The account every request is served as, so that STS GetCallerIdentity answers with it and the generated
    // provider's allowed_account_ids holds (moto docs, "Multi-Account support").
    MOTO_ACCOUNT_ID: accountId,
    // The AWS managed policies (ReadOnlyAccess, PowerUserAccess, ...) exist in every AWS account; moto loads them
    // only when asked (moto 5.2.5 moto/settings.py line 214, MOTO_IAM_LOAD_MANAGED_POLICIES; moto docs, "IAM").
    MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
  };
}

/**
 * Starts moto_server for one account on a free loopback port and waits until it answers `GET /moto-api/`.
 *
 * @param {string} accountId the 12-digit AWS account ID the server answers as
 * moto logs every request on stderr. That goes to a file, not a pipe: a caller that blocks its event loop (the
 * rehearsal's spawnSync steps) would otherwise leave a full pipe that stalls moto.
 *
 * @param {{ timeoutMs?: number, logFile?: string, server?: string }} [options] how long to wait for the server
 *   (milliseconds, default 60000); the file for moto's log (default: a temporary file, removed by stop); the
 *   moto_server executable (default: the toolchain's, `toolPath('moto_server')`)
 * @returns {Promise<{ url: string, port: number, stop: () => void }>} its endpoint (`http://127.0.0.1:<port>`) and a
 *   stop function (SIGTERM, idempotent; also called when this process exits)
 * @throws {Error} one line: moto_server is not installed (toolchain), could not be started (spawn error, such as a
 *   virtualenv whose Python is gone), exited before it listened (its last stderr line), or did not answer in time
 */
export async function startMoto(accountId, { timeoutMs = 60_000, logFile, server: serverOption } = {}) {
  if (!/^\d{12}$/.test(accountId)) throw new Error(`moto: "${accountId}" is not a 12-digit AWS account ID`);
  const server = serverOption ?? toolPath('moto_server');
  const port = await freePort();
  const log = logFile ?? join(tmpdir(), `moto-${process.pid}-${port}.log`);
  const logFd = openSync(log, 'a', 0o600);
  const child = spawn(server, ['-H', '127.0.0.1', '-p', String(port)], {
    env: motoServerEnv(accountId),
    stdio: ['ignore', 'ignore', logFd],
  });
  closeSync(logFd);
  // The server must not keep its caller alive: a script that is done exits, and the 'exit' handler below stops it
  // (without unref, a caller that ends without calling stop waits forever, as the rehearsal did after "passed").
  child.unref();
  // A spawn failure (ENOENT/EACCES: the file or its interpreter is missing) is an 'error' event, which would
  // otherwise be thrown as an uncaught exception with a stack trace (Node.js child_process, "Event: 'error'").
  let spawnError;
  child.once('error', (error) => {
    spawnError = error;
  });
  const lastLogLine = () => readFileSync(log, 'utf8').trim().split('\n').pop() || '(nothing on stderr)';
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    if (child.exitCode === null) child.kill('SIGTERM');
    if (!logFile) rmSync(log, { force: true });
  };
  process.on('exit', stop);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (spawnError) {
      stop();
      throw new Error(`moto_server could not be started (${spawnError.code ?? spawnError.message}: ${server}): run \`npm run tools\``);
    }
    if (child.exitCode !== null) {
      const reason = lastLogLine();
      stop();
      throw new Error(`moto_server exited with code ${child.exitCode} before it listened: ${reason}`);
    }
    try {
      const response = await fetch(`${url}/moto-api/`);
      if (response.ok) return { url, port, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  stop();
  throw new Error(`moto_server did not answer on ${url} within ${Math.round(timeoutMs / 1000)} s`);
}

/**
 * Creates a versioned S3 bucket in moto over the S3 REST API (path-style, unsigned: moto does not check
 * signatures), with no bucket policy (see BUCKET_POLICY_CONDITION_GAP). The bodies are the S3 API's (2006-03-01):
 * CreateBucket's CreateBucketConfiguration with a LocationConstraint (required outside us-east-1) and
 * PutBucketVersioning's VersioningConfiguration, Status Enabled; moto 5.2.5 parses both as S3 does
 * (moto/s3/responses.py).
 *
 * @param {string} motoUrl the server's endpoint
 * @param {{ bucket: string, region: string }} target bucket name and its region (LocationConstraint)
 * @throws {Error} when moto answers a request with a non-2xx status
 */
export async function createBucket(motoUrl, { bucket, region }) {
  const request = async (path, body) => {
    const response = await fetch(`${motoUrl}/${bucket}${path}`, { method: 'PUT', body, headers: { 'content-type': 'application/xml' } });
    if (!response.ok) throw new Error(`moto: PUT /${bucket}${path} answered ${response.status}`);
  };
  const xmlns = 'http://s3.amazonaws.com/doc/2006-03-01/';
  await request('', `<CreateBucketConfiguration xmlns="${xmlns}"><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`);
  await request('?versioning', `<VersioningConfiguration xmlns="${xmlns}"><Status>Enabled</Status></VersioningConfiguration>`);
}
