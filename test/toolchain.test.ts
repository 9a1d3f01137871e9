// The toolchain interface (scripts/lib/toolchain.mjs) that scripts and tests use to find `npm run tools`' output.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinnedVersions, repoRoot, toolPath } from '../scripts/lib/toolchain.mjs';

test('toolPath names the missing tool and the command to run, in one line', (t) => {
  const error = t.throws(() => toolPath('no-such-tool'));
  t.is(error.message, 'no-such-tool is not installed: run `npm run tools`');
});

test('the pins: Terraform and Terragrunt from their version files, the rest from .tool-versions', (t) => {
  const versions = pinnedVersions();
  t.is(versions.terragrunt, readFileSync(join(repoRoot, '.terragrunt-version'), 'utf8').trim());
  t.is(versions.terraform, readFileSync(join(repoRoot, '.terraform-version'), 'utf8').trim());
  for (const name of ['tflint', 'terraform-docs', 'checkov', 'schemathesis', 'moto']) t.regex(versions[name] ?? '', /^\d+\.\d+\.\d+$/, name);
});

// `npm run tools` (scripts/tools.mjs) in a throwaway checkout: its pins and scripts copied, .local/tools holding the
// stamps of a finished install and empty stand-in files for the binaries (nothing here runs them). The Go module
// proxy is switched off (GOPROXY=off, a documented setting of the go command: "module lookup disabled"), so a build
// that is attempted fails at once and offline, the way a pin the proxy does not serve fails.
function sandbox(t: { teardown: (fn: () => void) => void }): string {
  const root = mkdtempSync(join(tmpdir(), 'tools-sandbox-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  cpSync(join(repoRoot, 'scripts'), join(root, 'scripts'), { recursive: true });
  for (const file of ['.tool-versions', '.terraform-version', '.terragrunt-version', 'package.json']) cpSync(join(repoRoot, file), join(root, file));
  const versions = pinnedVersions();
  const tools = join(root, '.local', 'tools');
  for (const dir of ['bin', 'stamps', 'logs', 'venv/bin', 'aws-venv/bin']) mkdirSync(join(tools, dir), { recursive: true });
  // The stamps scripts/tools.mjs writes after a build (same JSON, same key order).
  const ldflags: Record<string, string> = {
    terragrunt: `-s -w -X github.com/gruntwork-io/terragrunt/internal/version.Version=v${versions.terragrunt}`,
    tflint: '-s -w',
    'terraform-docs': '-s -w',
  };
  const modules: Record<string, string> = {
    terragrunt: 'github.com/gruntwork-io/terragrunt',
    tflint: 'github.com/terraform-linters/tflint',
    'terraform-docs': 'github.com/terraform-docs/terraform-docs',
  };
  for (const tool of Object.keys(modules)) {
    writeFileSync(join(tools, 'bin', tool), '');
    writeFileSync(join(tools, 'stamps', tool), JSON.stringify({ module: modules[tool], version: versions[tool], ldflags: ldflags[tool] }));
  }
  for (const name of ['checkov', 'st', 'moto_server']) writeFileSync(join(tools, 'venv', 'bin', name), '');
  writeFileSync(join(tools, 'aws-venv', 'bin', 'aws'), '');
  writeFileSync(join(tools, 'stamps', 'venv'), JSON.stringify({ checkov: versions.checkov, schemathesis: versions.schemathesis, moto: versions.moto, awscli: versions.awscli }));
  return root;
}

function runTools(root: string, path = process.env.PATH ?? '') {
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  return spawnSync(process.execPath, [join(root, 'scripts', 'tools.mjs')], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: path, HOME: home, GOPROXY: 'off', GOPATH: join(home, 'go'), GOCACHE: join(home, 'go-cache'), GOTOOLCHAIN: 'local' },
  });
}

test('npm run tools: with every stamp matching its pin nothing is built (no go on PATH) and it exits 0', (t) => {
  const root = sandbox(t);
  const result = runTools(root, '');
  t.is(result.status, 0, result.stderr);
  for (const tool of ['terragrunt', 'tflint', 'terraform-docs']) t.regex(result.stdout, new RegExp(`^ok {3}${tool} v\\S+ \\(installed\\)$`, 'm'));
  t.regex(result.stdout, /^ok {3}checkov .* \(installed\)$/m);
});

test('npm run tools: a changed pin rebuilds that tool only, and a version the proxy cannot serve fails in one line naming it', (t) => {
  const root = sandbox(t);
  const pins = join(root, '.tool-versions');
  writeFileSync(pins, readFileSync(pins, 'utf8').replace(/^tflint \S+$/m, 'tflint 0.64.99'));
  const result = runTools(root);
  t.is(result.status, 1);
  t.regex(result.stdout, /^ok {3}terragrunt v\S+ \(installed\)$/m);
  t.regex(result.stdout, /^ok {3}terraform-docs v\S+ \(installed\)$/m);
  t.notRegex(result.stdout, /^ok {3}tflint/m);
  const lines = result.stderr.trim().split('\n');
  t.is(lines.length, 1, result.stderr);
  // The reason from go's JSON "Error" field, not the "}" that ends go's output.
  t.regex(lines[0]!, /^tools: tflint: `go mod download github\.com\/terraform-linters\/tflint@v0\.64\.99` failed: .*GOPROXY=off.*\(check the pin in \.tool-versions; log: \.local\/tools\/logs\/tflint\.log\)$/);
  // The stamp is gone, so the next run tries again instead of calling the old binary current.
  t.false(existsSync(join(root, '.local', 'tools', 'stamps', 'tflint')));
});

// What is installed is what is pinned: each tool asked for its own version (their --version output as printed by
// terragrunt v1.1.1, tflint 0.64.0, terraform-docs v0.21.0, checkov 3.3.30, schemathesis 4.32.5, moto 5.2.5,
// aws-cli 1.46.3). A stamp only records what was built; this catches a toolchain from another checkout or a
// half-finished build that a stamp would not.
test('every installed tool reports the version pinned for it', (t) => {
  const versions = pinnedVersions();
  const version = (name: string, args: string[]) => {
    const result = spawnSync(toolPath(name), args, { encoding: 'utf8' });
    return `${result.stdout}${result.stderr}`;
  };
  const escape = (text: string) => text.replace(/\./g, '\\.');
  t.regex(version('terragrunt', ['--version']), new RegExp(`^terragrunt version v${escape(versions.terragrunt!)}$`, 'm'));
  t.regex(version('tflint', ['--version']), new RegExp(`^TFLint version ${escape(versions.tflint!)}$`, 'm'));
  t.regex(version('terraform-docs', ['--version']), new RegExp(`^terraform-docs version v${escape(versions['terraform-docs']!)} `, 'm'));
  t.is(version('checkov', ['--version']).trim(), versions.checkov ?? '(no pin)');
  t.regex(version('st', ['--version']), new RegExp(`^st, version ${escape(versions.schemathesis!)}$`, 'm'));
  t.is(version('python', ['-c', 'import moto; print(moto.__version__)']).trim(), versions.moto ?? '(no pin)');
  t.regex(version('aws', ['--version']), new RegExp(`^aws-cli/${escape(versions.awscli!)} `, 'm'));
});
