// architecture/THREAT_MODEL.md names the test behind every control. This keeps those references true:
// each named file exists and contains the named test (up to an ellipsis), so renaming or deleting a
// test without updating the threat model fails the build.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const testRoot = fileURLToPath(new URL('../', import.meta.url));
const threatModel = readFileSync(fileURLToPath(new URL('../../../architecture/THREAT_MODEL.md', import.meta.url)), 'utf8');

interface Reference {
  file: string;
  name?: string;
}

/** `dir/file.test.ts › test name` spans; a span starting with `›` continues the previous file. */
function references(markdown: string): Reference[] {
  const found: Reference[] = [];
  let lastFile: string | undefined;
  for (const [, span] of markdown.matchAll(/`([^`]+)`/g)) {
    const match = /^(?:([a-z-]+\/[a-z0-9-]+\.test\.ts)\s*)?(?:›\s*(.+))?$/.exec(span!.trim());
    if (!match || (!match[1] && !match[2])) continue;
    const file = match[1] ?? lastFile;
    if (!file) continue;
    lastFile = file;
    found.push({ file, name: match[2] });
  }
  return found;
}

const refs = references(threatModel);

test('the threat model references tests', (t) => {
  t.true(refs.length >= 60, `${refs.length} references`);
});

test('every referenced test file exists and contains the referenced test', (t) => {
  for (const { file, name } of refs) {
    const path = `${testRoot}${file}`;
    if (!existsSync(path)) {
      t.fail(`${file} does not exist`);
      continue;
    }
    if (!name) continue;
    // A trailing or inner ellipsis shortens a long name; the text before it must appear verbatim.
    const prefix = name.split('…')[0]!.trim().replace(/[,;:]$/, '');
    if (prefix.length === 0) continue;
    t.true(readFileSync(path, 'utf8').includes(prefix), `${file} has no test named like "${prefix}"`);
  }
});
