import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parseSigningJwkSet, type SigningJwkSet } from '../../src/config/index.ts';
import { addNextKey, generateKeySet, promoteNextKey, retirePreviousKeys, RotationError, runSigningKeysCli } from '../../src/ops/signing-keys.ts';

const states = (set: SigningJwkSet) => set.keys.map((key) => key.status);

test('a full rotation: generate, add-next, promote, retire', (t) => {
  const generated = generateKeySet();
  t.deepEqual(states(generated), ['current']);
  const withNext = addNextKey(generated);
  t.deepEqual(states(withNext), ['current', 'next']);
  const promoted = promoteNextKey(withNext);
  t.deepEqual(states(promoted), ['previous', 'current']);
  t.is(promoted.keys[1]?.kid, withNext.keys[1]?.kid);
  const retired = retirePreviousKeys(promoted);
  t.deepEqual(states(retired), ['current']);
  t.is(retired.keys[0]?.kid, withNext.keys[1]?.kid);
  for (const set of [generated, withNext, promoted, retired]) t.true(parseSigningJwkSet(JSON.stringify(set)).ok);
});

test('steps out of order are refused', (t) => {
  const set = generateKeySet();
  t.throws(() => promoteNextKey(set), { instanceOf: RotationError, message: /no next key/ });
  t.throws(() => retirePreviousKeys(set), { instanceOf: RotationError });
  t.throws(() => addNextKey(addNextKey(set)), { instanceOf: RotationError, message: /already has a next key/ });
  t.throws(() => promoteNextKey(addNextKey(promoteNextKey(addNextKey(set)))), { instanceOf: RotationError, message: /retire it first/ });
});

test('the CLI reads stdin, writes a valid set, and reports misuse with an exit code', (t) => {
  let out = '';
  let err = '';
  const io = (stdin: string) => ({ stdin: () => stdin, stdout: (text: string) => (out += text), stderr: (text: string) => (err += text) });
  t.is(runSigningKeysCli(['generate'], io('')), 0);
  const generated = out;
  out = '';
  t.is(runSigningKeysCli(['add-next'], io(generated)), 0);
  const parsed = parseSigningJwkSet(out);
  t.true(parsed.ok);
  out = '';
  t.is(runSigningKeysCli(['status'], io(generated)), 0);
  t.regex(out, /^\S+ current\n$/);
  t.false(out.includes('"d"'));
  t.is(runSigningKeysCli(['promote'], io('{"keys":[]}')), 1);
  t.regex(err, /invalid key set/);
  t.is(runSigningKeysCli(['bogus'], io('')), 2);
  t.regex(err, /usage/);
});

test('the CLI runs as a script', (t) => {
  const script = fileURLToPath(new URL('../../src/ops/signing-keys.ts', import.meta.url));
  const result = spawnSync(process.execPath, ['--import=tsx', script, 'generate'], { encoding: 'utf8' });
  t.is(result.status, 0, result.stderr);
  t.true(parseSigningJwkSet(result.stdout).ok);
});
