// Signing-key rotation for runbooks. Each command reads a JWK set (JWT_SIGNING_KEYS) from stdin and
// writes the new set to stdout, so the secret only ever passes through a pipe:
//
//   tsx src/ops/signing-keys.ts generate            > keys.json   a new set with one current key
//   tsx src/ops/signing-keys.ts add-next   < in.json > out.json   deploy 1: publish a next key
//   tsx src/ops/signing-keys.ts promote    < in.json > out.json   deploy 2: next -> current, current -> previous
//   tsx src/ops/signing-keys.ts retire     < in.json > out.json   deploy 3: drop previous keys (after the access TTL)
//   tsx src/ops/signing-keys.ts status     < in.json              kids and states, no key material
//
// Each step is one deploy apart so that every consumer's JWKS cache (max-age 300 s) already holds a key
// before any token is signed with it, and keeps it until the tokens it signed have expired.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { generateSigningJwk } from '../auth/signing-keys.ts';
import { parseSigningJwkSet, type SigningJwkSet } from '../config/index.ts';

export class RotationError extends Error {
  override name = 'RotationError';
}

/**
 * A new JWT_SIGNING_KEYS set with one `current` ES256 key.
 * @returns the set.
 */
export function generateKeySet(): SigningJwkSet {
  return { keys: [generateSigningJwk('current')] };
}

/**
 * Rotation step 1: adds a `next` key, published in the JWKS before it signs.
 * @param set - the current set.
 * @returns the new set.
 * @throws RotationError when the set already has a next key.
 */
export function addNextKey(set: SigningJwkSet): SigningJwkSet {
  if (set.keys.some((key) => key.status === 'next')) throw new RotationError('the set already has a next key: promote it first');
  return { keys: [...set.keys, generateSigningJwk('next')] };
}

/**
 * Rotation step 2: `next` becomes `current`, `current` becomes `previous` (still verifies).
 * @param set - the current set.
 * @returns the new set.
 * @throws RotationError without a next key, or while a previous key remains.
 */
export function promoteNextKey(set: SigningJwkSet): SigningJwkSet {
  if (!set.keys.some((key) => key.status === 'next')) throw new RotationError('the set has no next key: run add-next and deploy first');
  if (set.keys.some((key) => key.status === 'previous')) throw new RotationError('the set still has a previous key: retire it first');
  return {
    keys: set.keys.map((key) => ({ ...key, status: key.status === 'next' ? 'current' : key.status === 'current' ? 'previous' : key.status })),
  };
}

/**
 * Rotation step 3: drops `previous` keys, once every token they signed has expired.
 * @param set - the current set.
 * @returns the new set.
 * @throws RotationError when there is no previous key.
 */
export function retirePreviousKeys(set: SigningJwkSet): SigningJwkSet {
  if (!set.keys.some((key) => key.status === 'previous')) throw new RotationError('the set has no previous key');
  return { keys: set.keys.filter((key) => key.status !== 'previous') };
}

/**
 * One line per key: its kid and state.
 * @param set - the set.
 * @returns the lines.
 */
export function describeKeySet(set: SigningJwkSet): string {
  return set.keys.map((key) => `${key.kid} ${key.status}`).join('\n');
}

function parse(text: string): SigningJwkSet {
  const parsed = parseSigningJwkSet(text);
  if (!parsed.ok) throw new RotationError(`invalid key set: ${parsed.problems.join('; ')}`);
  return parsed.value;
}

/**
 * Runs one command; returns the exit code. Output goes through the given writers (tests pass their own).
 * @param args - the command and its arguments.
 * @param io - stdin, stdout and stderr.
 * @returns the exit code: 0 done, 1 when the step is refused or the input set is invalid, 2 for an unknown command.
 */
export function runSigningKeysCli(
  args: readonly string[],
  io: { stdin: () => string; stdout: (text: string) => void; stderr: (text: string) => void },
): number {
  const [command] = args;
  const commands: Record<string, () => SigningJwkSet | string> = {
    generate: generateKeySet,
    'add-next': () => addNextKey(parse(io.stdin())),
    promote: () => promoteNextKey(parse(io.stdin())),
    retire: () => retirePreviousKeys(parse(io.stdin())),
    status: () => describeKeySet(parse(io.stdin())),
  };
  const run = command ? commands[command] : undefined;
  if (!run) {
    io.stderr(`usage: signing-keys <${Object.keys(commands).join('|')}> (reads a JWK set on stdin, writes one to stdout)\n`);
    return 2;
  }
  try {
    const result = run();
    // Re-validate what we emit: a runbook must never be handed a set the service would refuse.
    io.stdout(typeof result === 'string' ? `${result}\n` : `${JSON.stringify(parse(JSON.stringify(result)))}\n`);
    return 0;
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = runSigningKeysCli(process.argv.slice(2), {
    stdin: () => readFileSync(0, 'utf8'),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
