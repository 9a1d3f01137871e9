// Runbooks stay honest: every procedure is indexed, every script it names exists, every script is
// used by some procedure, and every script follows the same safety conventions.
import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/hcl.ts';

const runbooksDir = join(repoRoot, 'runbooks');
const scriptsDir = join(runbooksDir, 'scripts');
const runbooks = readdirSync(runbooksDir).filter((name) => name.endsWith('.md') && name !== 'README.md');
const scripts = readdirSync(scriptsDir).filter((name) => /\.(sh|mjs)$/.test(name));
const read = (path: string) => readFileSync(path, 'utf8');
const allDocs = runbooks.map((name) => read(join(runbooksDir, name))).join('\n') + read(join(runbooksDir, 'README.md'));

test('the procedures named by the mission exist', (t) => {
  for (const name of ['deploy-and-rollback.md', 'rotate-jwt-signing-keys.md', 'rotate-database-credentials.md', 'rotate-clickhouse-credentials.md', 'restore-database.md', 'new-environment.md', 'incidents.md']) {
    t.true(runbooks.includes(name), name);
  }
});

test('every runbook is linked from the index', (t) => {
  const index = read(join(runbooksDir, 'README.md'));
  for (const name of runbooks) t.true(index.includes(`](${name})`), `${name} is not in runbooks/README.md`);
});

test('every script a runbook names exists', (t) => {
  const named = new Set([...allDocs.matchAll(/(?:runbooks\/)?scripts\/([\w.-]+\.(?:sh|mjs))/g)].map((match) => match[1]!));
  t.true(named.size > 0);
  for (const name of named) t.true(scripts.includes(name), `runbooks name scripts/${name}, which does not exist`);
});

test('every script is used by some runbook (lib.sh by the scripts)', (t) => {
  for (const name of scripts.filter((script) => script !== 'lib.sh')) {
    t.true(allDocs.includes(name), `runbooks/scripts/${name} is not referenced by any runbook`);
  }
});

test('every shell script is strict, sources the shared helpers and prints usage without arguments', (t) => {
  for (const name of scripts.filter((script) => script.endsWith('.sh') && script !== 'lib.sh')) {
    const text = read(join(scriptsDir, name));
    t.true(text.startsWith('#!/usr/bin/env bash\n'), `${name}: shebang`);
    t.true(text.includes('set -euo pipefail'), `${name}: set -euo pipefail`);
    t.true(text.includes('. "$(dirname "$0")/lib.sh"'), `${name}: sources lib.sh`);
    t.regex(text, /\$\{1:\?usage: /, `${name}: usage message for a missing argument`);
  }
});

test('no script passes a secret on a command line (no --secret-string with a value)', (t) => {
  for (const name of scripts) {
    const text = read(join(scriptsDir, name));
    for (const match of text.matchAll(/--secret-string\s+(\S+)/g)) t.regex(match[1]!, /^"file:\/\//, `${name}: ${match[0]}`);
    t.notRegex(text, /PASSWORD\s+'\$password'/, `${name}: plaintext password in SQL`);
  }
});
