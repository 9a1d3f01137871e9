// Fake command-line tools (aws, terragrunt, ...) for testing the runbook scripts without a cloud.
// Each fake records its argv (and chosen env variables) as one JSON line, and answers from a scenario:
// an ordered list of rules; the first rule whose `match` words are each part of some argument, and that has
// answers left, prints its next answer and exits with its code.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeAnswer {
  stdout?: string;
  stderr?: string;
  code?: number;
}

export interface FakeRule {
  tool: string;
  match: string[];
  answers: FakeAnswer[];
}

export interface FakeCall {
  tool: string;
  argv: string[];
  env: Record<string, string | undefined>;
  /** What the tool read on stdin, for tools listed in FAKE_CLI_READ_STDIN. */
  stdin?: string;
  /** Content of each file:// or @/path argument at the time of the call. */
  files: Record<string, string>;
}

const FAKE_SOURCE = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const tool = path.basename(process.argv[1]);
const argv = process.argv.slice(2);
const dir = process.env.FAKE_CLI_DIR;
const recorded = {};
for (const name of (process.env.FAKE_CLI_RECORD_ENV || '').split(',').filter(Boolean)) recorded[name] = process.env[name];
const readsStdin = (process.env.FAKE_CLI_READ_STDIN || '').split(',').includes(tool);
const stdin = readsStdin ? fs.readFileSync(0, 'utf8') : undefined;
// file://PATH and @PATH arguments (how the scripts hand secrets to aws and curl) are recorded with their content.
const files = {};
for (const arg of argv) {
  const file = arg.startsWith('file://') ? arg.slice(7) : arg.startsWith('@/') ? arg.slice(1) : undefined;
  if (file && fs.existsSync(file)) files[arg] = fs.readFileSync(file, 'utf8');
}
fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify({ tool, argv, env: recorded, stdin, files }) + '\\n');
const scenario = JSON.parse(fs.readFileSync(path.join(dir, 'scenario.json'), 'utf8'));
const statePath = path.join(dir, 'state.json');
const state = fs.existsSync(statePath) ? JSON.parse(fs.readFileSync(statePath, 'utf8')) : {};
for (const [index, rule] of scenario.entries()) {
  if (rule.tool !== tool || !rule.match.every((word) => argv.some((arg) => arg.includes(word)))) continue;
  const used = state[index] || 0;
  if (used >= rule.answers.length) continue;
  state[index] = used + 1;
  fs.writeFileSync(statePath, JSON.stringify(state));
  const answer = rule.answers[used];
  if (answer.stdout) process.stdout.write(answer.stdout);
  if (answer.stderr) process.stderr.write(answer.stderr);
  process.exit(answer.code || 0);
}
process.stderr.write('fake ' + tool + ': no scenario rule for: ' + argv.join(' ') + '\\n');
process.exit(97);
`;

export class FakeCli {
  readonly dir: string;
  readonly binDir: string;

  constructor(tools: string[], scenario: FakeRule[]) {
    this.dir = mkdtempSync(join(tmpdir(), 'fake-cli-'));
    this.binDir = join(this.dir, 'bin');
    writeFileSync(join(this.dir, 'scenario.json'), JSON.stringify(scenario));
    mkdirSync(this.binDir, { recursive: true });
    for (const tool of tools) {
      const path = join(this.binDir, tool);
      writeFileSync(path, FAKE_SOURCE);
      chmodSync(path, 0o755);
    }
  }

  calls(): FakeCall[] {
    const path = join(this.dir, 'calls.jsonl');
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as FakeCall);
  }

  /** Runs a script with the fakes first on PATH. Never rejects: returns the exit code and output. */
  run(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        script,
        args,
        {
          env: {
            PATH: `${this.binDir}:${process.env.PATH ?? ''}`,
            HOME: this.dir,
            FAKE_CLI_DIR: this.dir,
            AWS_REGION: 'eu-west-1',
            ...env,
          },
          timeout: 60_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
  }
}
