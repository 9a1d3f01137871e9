// Summarises a V8 CPU profile written by `node --cpu-prof` (the .cpuprofile JSON: nodes with callFrame,
// hitCount and children; samples with timeDeltas, as documented for the Chrome DevTools Protocol
// Profiler.Profile type): self time by function and by package, so "where does a request's time go" reads
// without opening DevTools.
//
//   npx tsx bench/profile-summary.ts FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArgument] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArgument ?? 25);
if (!(Number.isInteger(top) && top > 0)) {
  // Often a glob such as CPU.*.cpuprofile that matched a second profile, which then landed here.
  process.stderr.write(`profile-summary: TOP must be a whole number, not ${topArgument}; pass one .cpuprofile at a time\n`);
  process.exit(2);
}
let profile: CpuProfile;
try {
  profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
} catch (error) {
  // One plain line: a missing file (often an unmatched glob) or one that is not a V8 CPU profile.
  process.stderr.write(`profile-summary: cannot read ${file} as a .cpuprofile (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pass the file that \`node --cpu-prof\` wrote\n`);
  process.exit(2);
}
const byId = new Map(profile.nodes.map((node) => [node.id, node]));

// Self time of a node: the sum of the time deltas of the samples that landed in it. Samples in V8's
// `(idle)` node (the main thread waiting for the event loop) are left out, so that every share below is a
// share of busy time, as bench/README.md quotes them.
const selfMicros = new Map<number, number>();
let idleMicros = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  if (byId.get(id)?.callFrame.functionName === '(idle)') idleMicros += delta;
  else selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
});
const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);

const packageOf = (url: string) => {
  if (!url) return '(native: program, GC)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('/dist/')) return 'app';
  return url;
};

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const { callFrame } = byId.get(id)!;
  const where = callFrame.url ? `${callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${callFrame.lineNumber + 1}` : '';
  const name = `${callFrame.functionName || '(anonymous)'} ${where}`.trim();
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  byPackage.set(packageOf(callFrame.url), (byPackage.get(packageOf(callFrame.url)) ?? 0) + micros);
}

const print = (title: string, entries: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((micros / total) * 100).toFixed(1).padStart(6)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}\n`);
  }
};
process.stdout.write(`${file}: ${((total + idleMicros) / 1e6).toFixed(1)} s sampled, ${(total / 1e6).toFixed(1)} s busy (idle left out of the shares)`);
print('self time by package', byPackage);
print('self time by function', byFunction);
