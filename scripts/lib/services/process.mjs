// Small process helpers shared by the native PostgreSQL and ClickHouse launchers (scripts/lib/services/).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const isRoot = process.getuid?.() === 0;

/**
 * A start-up failure the user can act on. The launchers print its message as one line, never a stack trace
 * (scripts/lib/cli.mjs).
 */
export class StartupError extends Error {
  name = 'StartupError';
}

/** Writes one `[services]` line to stderr. */
export function log(message) {
  process.stderr.write(`[services] ${message}\n`);
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; it stays free until someone binds it). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** The absolute path of `binary` on PATH, or undefined. */
export function which(binary) {
  try {
    return execFileSync('sh', ['-c', 'command -v "$1"', 'sh', binary], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A fresh folder for one run's service data, under the system temporary folder rather than the checkout:
 * as root PostgreSQL runs as the `postgres` user, who cannot enter a checkout inside a private (mode 700)
 * folder such as root's home or a `mktemp -d` folder. Mode 755 so that user can reach its own subfolder.
 */
export function newServicesDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `auth-platform-${prefix}`));
  chmodSync(dir, 0o755);
  return dir;
}

// PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user, which Debian's postgresql
// package creates (installing is .ci/run's job, not the launcher's).
export function serviceUser() {
  if (!isRoot) return undefined;
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    throw new StartupError('as root, PostgreSQL runs as the `postgres` user, which does not exist: install the postgresql package (apt-get install postgresql), or run as a normal user');
  }
  return 'postgres';
}

/** Runs a command (as `user` when given) and returns its stdout; a failure throws with the command's stderr. */
export function runAs(user, command, args, options = {}) {
  const [file, argv] = user ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
  return execFileSync(file, argv, { stdio: 'pipe', encoding: 'utf8', ...options });
}

/** The first line of a failed command's stderr (or the error's message), for a one-line report. */
export function firstLine(error) {
  const text = String(error?.stderr || error?.message || error).trim();
  return text.split('\n').find((line) => line.trim()) ?? text;
}

/** Polls `check` every 200 ms until it returns true; throws a StartupError after `timeoutMs` milliseconds. */
export async function waitFor(check, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(200);
  }
  throw new StartupError(`${what} did not become ready in ${timeoutMs / 1000} s${lastError ? `: ${firstLine(lastError)}` : ''}`);
}

/**
 * True while a process with this pid exists and has not exited (signal 0 checks without sending anything; an
 * exited child that its parent has not reaped yet, state Z in /proc/<pid>/stat, counts as gone).
 */
export function processAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  return processStat(pid)?.state !== 'Z';
}

/**
 * Fields of /proc/<pid>/stat (Linux, proc(5)): `state` (field 3), `parentPid` (field 4) and `startTime` (field 22, clock ticks after
 * boot, as a string), or undefined when the process is gone or there is no /proc.
 */
export function processStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (comm) is in parentheses and may hold spaces or parentheses: split after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], parentPid: Number(fields[1]), startTime: fields[19] };
}

/** The pids whose parent is `pid` (from /proc/<n>/stat field 4); [] without /proc. */
export function childPids(pid) {
  let names = [];
  try {
    names = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return names.map(Number).filter((candidate) => processStat(candidate)?.parentPid === pid);
}

/** A process's argument vector from /proc/<pid>/cmdline, or undefined when it is gone (or there is no /proc). */
export function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

/**
 * What identifies a process beyond its pid, which the system reuses (after a reboot, say): its start time
 * (/proc/<pid>/stat field 22) and the argument vector it was started with. Record it right after spawning,
 * with the argv given to spawn (the child may not have run exec yet).
 */
export function processIdentity(pid, command) {
  return { pid, startTime: processStat(pid)?.startTime, command };
}

/**
 * True when `identity` (from processIdentity) still runs: the same pid, start time and command line. A record
 * without them (or a system without /proc) does not match, so nothing is signalled on a guess.
 */
export function sameProcess(identity) {
  if (!identity || !processAlive(identity.pid) || !identity.startTime || !Array.isArray(identity.command)) return false;
  const command = commandOf(identity.pid);
  return processStat(identity.pid)?.startTime === identity.startTime && JSON.stringify(command) === JSON.stringify(identity.command);
}
