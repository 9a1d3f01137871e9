// Where a running `npm run dev` records itself: its pid, the app's, the API URL, the services folder and the
// connection variables. scripts/dev.mjs writes it; the ops launcher (scripts/ops.mjs) reads it to find the
// local services. DEV_STACK_FILE overrides the place (tests run their own stacks side by side).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The record's path for the checkout at `repoRoot`. */
export function devStackFile(repoRoot, env = process.env) {
  return env.DEV_STACK_FILE || join(repoRoot, '.local', 'dev-stack.json');
}

/** The running stack's record, or undefined when there is none (or its dev.mjs is gone). */
export function readDevStack(repoRoot, env = process.env) {
  let stack;
  try {
    stack = JSON.parse(readFileSync(devStackFile(repoRoot, env), 'utf8'));
  } catch {
    return undefined;
  }
  try {
    process.kill(stack.pid, 0);
  } catch (error) {
    if (error.code !== 'EPERM') return undefined;
  }
  return stack;
}
