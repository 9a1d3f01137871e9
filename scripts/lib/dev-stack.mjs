// Where a running `npm run dev` records itself: its pid, the app's, the API URL, the services folder and the
// connection variables. scripts/dev.mjs writes it; the ops launcher (scripts/ops.mjs) reads it to find the
// local services. DEV_STACK_FILE overrides the place (tests run their own stacks side by side).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** The record's path for the checkout at `repoRoot`. */
export function devStackFile(repoRoot, env = process.env) {
  return env.DEV_STACK_FILE || join(repoRoot, '.local', 'dev-stack.json');
}

/** True when something accepts TCP connections at the host and port of `url` (within 2 s). */
function answers(url) {
  let target;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(false);
  }
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : target.protocol.startsWith('postgres') ? 5432 : 80));
  return new Promise((resolveAnswer) => {
    const socket = connect({ host: target.hostname.replace(/^\[|\]$/g, ''), port, timeout: 2000 });
    const done = (result) => {
      socket.destroy();
      resolveAnswer(result);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/**
 * The local stack's record, or undefined when there is none. A record whose dev.mjs is gone (killed with
 * kill -9) still counts while the services it names answer: they keep running until the next `npm run dev`
 * stops them.
 */
export async function readDevStack(repoRoot, env = process.env) {
  let stack;
  try {
    stack = JSON.parse(readFileSync(devStackFile(repoRoot, env), 'utf8'));
  } catch {
    return undefined;
  }
  try {
    process.kill(stack.pid, 0);
    return stack;
  } catch (error) {
    if (error.code === 'EPERM') return stack;
  }
  const urls = [stack.env?.DATABASE_URL, stack.env?.CLICKHOUSE_URL].filter(Boolean);
  if (urls.length === 0) return undefined;
  return (await Promise.all(urls.map(answers))).every(Boolean) ? stack : undefined;
}
