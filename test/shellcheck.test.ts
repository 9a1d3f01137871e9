// shellcheck (the Debian package, on PATH) over every shell script in the repository and over every
// `run:` block of the workflows and composite actions. A run: block is checked the way the runner
// executes it (bash -e -o pipefail), with each `${{ ... }}` replaced by a placeholder word.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { repoRoot } from './lib/hcl.ts';
import { parseYaml, stepsOf, type Yaml } from './lib/workflow-rules.ts';

const SKIP_DIRS = new Set(['.git', 'node_modules', '.local', '.terraform', '.terragrunt-cache', 'dist', 'coverage']);

/** Files named *.sh, or whose first line is a sh/bash shebang. */
export function findShellScripts(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      found.push(...findShellScripts(path));
    } else if (entry.isFile()) {
      if (entry.name.endsWith('.sh')) {
        found.push(path);
        continue;
      }
      if (statSync(path).size > 512 * 1024) continue;
      const firstLine = readFileSync(path, 'utf8').split('\n', 1)[0] ?? '';
      if (/^#!\s*(\/usr\/bin\/env\s+(-S\s+)?)?(\/bin\/|\/usr\/bin\/)?(ba)?sh\b/.test(firstLine)) found.push(path);
    }
  }
  return found.sort();
}

interface RunBlock {
  name: string;
  script: string;
}

/** The bash run: blocks of a workflow or composite action, with expressions replaced by a placeholder. */
export function runBlocks(label: string, doc: Yaml): RunBlock[] {
  const defaultShell = doc.defaults?.run?.shell;
  return stepsOf(doc).flatMap(([job, step], index) => {
    const shell = (step as { shell?: string }).shell ?? doc.jobs?.[job]?.defaults?.run?.shell ?? defaultShell ?? 'bash';
    if (!step.run || !/^(bash|sh)\b/.test(shell)) return [];
    const script = step.run.replace(/\$\{\{.*?\}\}/gs, 'GHA_EXPRESSION');
    return [{ name: `${label} job ${job} step ${index + 1}`, script: `#!/usr/bin/env bash\nset -eo pipefail\n${script}\n` }];
  });
}

function shellcheck(files: string[]): { status: number | null; output: string } {
  const run = spawnSync('shellcheck', ['--format=gcc', '--external-sources', ...files], { cwd: repoRoot, encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function checkRunBlocks(blocks: RunBlock[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'run-blocks-'));
  try {
    const files = blocks.map((block, index) => {
      const file = join(dir, `block-${index}.sh`);
      writeFileSync(file, block.script);
      return file;
    });
    if (files.length === 0) return [];
    const { output } = shellcheck(files);
    // Name the workflow step instead of the temp file in each finding.
    return output
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/^.*block-(\d+)\.sh:(\d+)/, (_, index: string, lineNo: string) => `${blocks[Number(index)]!.name} line ${Number(lineNo) - 2}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function workflowDocs(): Array<[string, Yaml]> {
  const docs: Array<[string, Yaml]> = [];
  const workflows = join(repoRoot, '.github', 'workflows');
  for (const name of readdirSync(workflows).filter((n) => /\.ya?ml$/.test(n))) {
    docs.push([`.github/workflows/${name}`, parseYaml(readFileSync(join(workflows, name), 'utf8'))]);
  }
  const actions = join(repoRoot, '.github', 'actions');
  for (const name of existsSync(actions) ? readdirSync(actions) : []) {
    const file = join(actions, name, 'action.yml');
    if (existsSync(file)) docs.push([`.github/actions/${name}/action.yml`, parseYaml(readFileSync(file, 'utf8'))]);
  }
  return docs;
}

const scripts = findShellScripts(repoRoot);

test('shellcheck is installed', (t) => {
  t.is(spawnSync('shellcheck', ['--version']).status, 0);
});

test('the script finder sees .ci/run, the CI scripts and shebang-only files', (t) => {
  const names = scripts.map((path) => relative(repoRoot, path));
  t.true(names.includes('.ci/run'));
  t.true(names.includes('.github/scripts/push-image.sh'));
  t.true(names.includes('runbooks/scripts/apprunner-wait.sh'));
  const dir = mkdtempSync(join(tmpdir(), 'finder-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'tool'), '#!/bin/sh\necho hi\n');
  writeFileSync(join(dir, 'node-tool'), '#!/usr/bin/env node\n');
  writeFileSync(join(dir, 'x.sh'), 'echo hi\n');
  t.deepEqual(findShellScripts(dir).map((path) => relative(dir, path)), ['tool', 'x.sh']);
});

test('shellcheck passes on every shell script in the repository', (t) => {
  const { status, output } = shellcheck(scripts);
  t.is(output, '');
  t.is(status, 0);
});

test('shellcheck passes on every run: block of the workflows and composite actions', (t) => {
  const blocks = workflowDocs().flatMap(([label, doc]) => runBlocks(label, doc));
  t.true(blocks.length >= 15, `only ${blocks.length} run: blocks found`);
  t.deepEqual(checkRunBlocks(blocks), []);
});

test('the checks fail on a bad script and on a bad run: block', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bad-script-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.sh');
  writeFileSync(bad, '#!/usr/bin/env bash\nrm -rf $1/tmp\n');
  const { status, output } = shellcheck([bad]);
  t.not(status, 0);
  t.regex(output, /SC2086/);
  const doc = parseYaml('jobs:\n  a:\n    steps:\n      - run: |\n          cd ${{ github.workspace }}\n          for f in $(ls *.txt); do echo $f; done\n      - shell: pwsh\n        run: Write-Host $x\n');
  const blocks = runBlocks('bad.yml', doc);
  t.is(blocks.length, 1, 'pwsh steps are not shell-checked');
  const findings = checkRunBlocks(blocks);
  t.true(findings.some((line) => line.startsWith('bad.yml job a step 1 line 2') && /SC2045|SC2086/.test(line)), findings.join('\n'));
});
