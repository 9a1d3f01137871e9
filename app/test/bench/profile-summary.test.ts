// bench/profile-summary.ts on a real profile written by `node --cpu-prof` (this node's V8), not a fixture.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const summary = resolve(dirname(fileURLToPath(import.meta.url)), '../../bench/profile-summary.ts');

test('shares are of busy time: the (idle) samples are left out and the package shares add up to 100 %', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'profile-summary-'));
  try {
    // Some work, then the main thread waits on a timer: the profile has busy and idle samples.
    execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '-e', 'let x = 0; for (let i = 0; i < 2e7; i++) x += i % 7; setTimeout(() => {}, 300);']);
    const [file] = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
    const profile = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as { nodes: { id: number; callFrame: { functionName: string } }[]; samples: number[] };
    const idle = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id));
    t.true(profile.samples.some((id) => idle.has(id)), 'the profile has idle samples to leave out');

    const output = execFileSync(process.execPath, ['--import', 'tsx', summary, join(dir, file!), '100'], { encoding: 'utf8' });
    t.false(output.includes('(idle)'));
    t.regex(output, /s sampled, [\d.]+ s busy/);
    const byPackage = output.split('self time by function')[0]!.split('self time by package')[1]!;
    const shares = [...byPackage.matchAll(/^\s*([\d.]+)%/gm)].map((match) => Number(match[1]));
    const sum = shares.reduce((total, share) => total + share, 0);
    t.true(Math.abs(sum - 100) < 0.1 * shares.length, `package shares add up to ${sum}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that is not there is one plain line, not a stack trace', (t) => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', summary, '/nonexistent/CPU.cpuprofile'], { encoding: 'utf8' });
  t.is(run.status, 2);
  t.is(run.stderr.trim().split('\n').length, 1);
  t.regex(run.stderr, /cannot read \/nonexistent\/CPU\.cpuprofile as a \.cpuprofile \(ENOENT\)/);
});

test('a second profile where TOP goes (a glob that matched two files) is one plain line, not empty tables', (t) => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', summary, '/nonexistent/CPU.1.cpuprofile', '/nonexistent/CPU.2.cpuprofile'], { encoding: 'utf8' });
  t.is(run.status, 2);
  t.is(run.stderr.trim().split('\n').length, 1);
  t.regex(run.stderr, /TOP must be a whole number, not \/nonexistent\/CPU\.2\.cpuprofile; pass one \.cpuprofile at a time/);
});
