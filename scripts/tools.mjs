#!/usr/bin/env node
// `npm run tools`: installs the pinned external toolchain into .local/tools (git-ignored), from registries only.
//   bin/terragrunt      Go module github.com/gruntwork-io/terragrunt at .terragrunt-version, with the ldflags of
//                       Terragrunt's own release so that `terragrunt --version` names the version
//   bin/tflint          Go module github.com/terraform-linters/tflint
//   bin/terraform-docs  Go module github.com/terraform-docs/terraform-docs
// Each Go module is fetched with `go mod download` and built with `go build` in a writable copy (buildGoModule).
//   venv/               checkov, schemathesis (`st`), moto[server] (`moto_server`) and the AWS CLI (`aws`, for the
//                       runbook scripts in the rehearsal) from PyPI
// Versions come from .tool-versions, .terraform-version and .terragrunt-version (scripts/lib/toolchain.mjs).
// Each tool records what it was built from in .local/tools/stamps/<tool>; a second run with the same pins only
// compares stamps and takes well under a second. Build output goes to .local/tools/logs/<tool>.log, and a failure
// is one line naming the tool and the log.
//
// Not installed, because the registries here cannot serve them (no stand-in is written for either):
//   - tflint-ruleset-aws: the Go module proxy refuses every version, so tflint runs with its bundled terraform
//     ruleset only.
//   - the ClickHouse Terraform provider (ClickHouse/clickhouse): its v3 tags lack the /v3 module path, so the Go
//     module proxy answers 403 and it cannot be built.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { awsVenvDir, binDir, pinnedVersions, repoRoot, toolsDir, venvDir } from './lib/toolchain.mjs';

const stampsDir = join(toolsDir, 'stamps');
const logsDir = join(toolsDir, 'logs');

class ToolError extends Error {}

/** Runs a command, appending its output to a log file; rejects with a one-line ToolError on failure. */
function run(tool, command, args, options = {}) {
  const log = join(logsDir, `${tool}.log`);
  writeFileSync(log, `$ ${command} ${args.join(' ')}\n`, { flag: 'a' });
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => {
      output += chunk.toString();
      writeFileSync(log, chunk, { flag: 'a' });
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => rejectRun(new ToolError(`${tool}: could not run ${command} (${error.code ?? error.message})`)));
    child.on('close', (status) => {
      if (status === 0) return resolveRun(output);
      const last = output.trim().split('\n').filter(Boolean).pop() ?? '';
      const error = new ToolError(`${tool}: \`${command} ${args[0]}\` failed: ${last.slice(0, 200)} (log: ${relative(repoRoot, log)})`);
      error.output = output;
      rejectRun(error);
    });
  });
}

function readStamp(tool) {
  const file = join(stampsDir, tool);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function writeStamp(tool, stamp) {
  writeFileSync(join(stampsDir, tool), stamp);
}

function writable(path) {
  let dir = path;
  while (!existsSync(dir)) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Go's environment: its own defaults, or caches under .local/tools/go when $HOME is not writable (a CI user without a home). */
function goEnv() {
  const probe = spawnSync('go', ['env', '-json', 'GOMODCACHE', 'GOCACHE', 'GOPATH', 'GOVERSION'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new ToolError('go is not installed (terragrunt, tflint and terraform-docs are built from the Go module proxy): install Go 1.24 or newer, e.g. `apt-get install golang-go`');
  }
  const current = JSON.parse(probe.stdout);
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-modcacherw -buildvcs=false' };
  if (!writable(current.GOMODCACHE) || !writable(current.GOCACHE)) {
    const goDir = join(toolsDir, 'go');
    Object.assign(env, { GOPATH: goDir, GOMODCACHE: join(goDir, 'pkg', 'mod'), GOCACHE: join(goDir, 'cache') });
  }
  return { env, goVersion: current.GOVERSION };
}

/** Makes a copied module tree writable (the module cache extracts read-only files) so Go can build and we can delete it. */
function makeWritable(dir) {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(path);
    else if (entry.isFile()) chmodSync(path, statSync(path).mode | 0o200);
  }
}

/**
 * Builds the main package at the root of a Go module, as its release does: `go mod download` puts the module in the
 * module cache, and `go build` runs in a writable copy of it. `go install module@version` is not used: it refuses
 * modules with `replace` directives (Terragrunt), and it asks the proxy for the version list to look for a
 * deprecation notice, which the proxy here answers with 403 (tflint, terraform-docs).
 */
async function buildGoModule(tool, module, version, ldflags, go) {
  // On failure `go mod download -json` still prints its JSON object, with the reason in "Error" (e.g. the proxy's
  // 403 for a version it does not serve) and "}" as the last line: the reason is what the one-line error shows.
  const download = ['mod', 'download', '-json', `${module}@v${version}`];
  const info = await run(tool, 'go', download, { env: go.env, cwd: tmpdir() }).then(
    (output) => JSON.parse(output),
    (error) => {
      try {
        return { Error: JSON.parse(error.output ?? '').Error ?? error.message };
      } catch {
        throw error;
      }
    },
  );
  if (info.Error || !info.Dir) {
    throw new ToolError(`${tool}: \`go mod download ${module}@v${version}\` failed: ${String(info.Error ?? 'no Dir').split('\n')[0]} (check the pin in ${tool === 'terragrunt' ? '.terragrunt-version' : '.tool-versions'}; log: ${relative(repoRoot, join(logsDir, `${tool}.log`))})`);
  }
  const work = mkdtempSync(join(tmpdir(), `${tool}-build-`));
  try {
    cpSync(info.Dir, work, { recursive: true });
    makeWritable(work);
    await run(tool, 'go', ['build', '-o', join(binDir, tool), '-ldflags', ldflags, '.'], { env: go.env, cwd: work });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function installVenv(versions) {
  const python = ['python3', 'python'].find((name) => spawnSync(name, ['-c', 'import venv, ensurepip'], { stdio: 'ignore' }).status === 0);
  if (!python) throw new ToolError('venv: python3 with the venv module is not installed: `apt-get install python3-venv`');
  rmSync(venvDir, { recursive: true, force: true });
  await run('venv', python, ['-m', 'venv', venvDir]);
  const pip = join(venvDir, 'bin', 'pip');
  await run('venv', pip, ['install', '--quiet', '--disable-pip-version-check', '--upgrade', 'pip']);
  await run('venv', pip, [
    'install', '--quiet', '--disable-pip-version-check',
    `checkov==${versions.checkov}`, `schemathesis==${versions.schemathesis}`, `moto[server]==${versions.moto}`,
  ]);
  // The AWS CLI v1 pins botocore to one exact version, which checkov's and moto's boto3 ranges need not allow:
  // a virtualenv of its own keeps pip from having to reconcile them.
  rmSync(awsVenvDir, { recursive: true, force: true });
  await run('venv', python, ['-m', 'venv', awsVenvDir]);
  await run('venv', join(awsVenvDir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `awscli==${versions.awscli}`]);
}

async function main() {
  const started = Date.now();
  const versions = pinnedVersions();
  for (const dir of [binDir, stampsDir, logsDir]) mkdirSync(dir, { recursive: true });

  const goTools = [
    // ldflags of Terragrunt's release build (.github/workflows/build.yml at v1.1.1, step "Build Terragrunt"), so that
    // `terragrunt --version` prints the version instead of "latest".
    ['terragrunt', 'github.com/gruntwork-io/terragrunt', `-s -w -X github.com/gruntwork-io/terragrunt/internal/version.Version=v${versions.terragrunt}`],
    // tflint and terraform-docs keep their version in the source (tflint/meta.go, internal/version/version.go);
    // -s -w as in their .goreleaser.yml.
    ['tflint', 'github.com/terraform-linters/tflint', '-s -w'],
    ['terraform-docs', 'github.com/terraform-docs/terraform-docs', '-s -w'],
  ];
  const venvStamp = JSON.stringify({ checkov: versions.checkov, schemathesis: versions.schemathesis, moto: versions.moto, awscli: versions.awscli });
  const venvReady = readStamp('venv') === venvStamp && ['checkov', 'st', 'moto_server'].every((name) => existsSync(join(venvDir, 'bin', name))) && existsSync(join(awsVenvDir, 'bin', 'aws'));

  const pendingGo = [];
  let go;
  for (const [tool, module, ldflags] of goTools) {
    const version = versions[tool];
    const stamp = JSON.stringify({ module, version, ldflags });
    if (readStamp(tool) === stamp && existsSync(join(binDir, tool))) {
      process.stdout.write(`ok   ${tool} v${version} (installed)\n`);
    } else {
      pendingGo.push([tool, module, version, ldflags, stamp]);
    }
  }
  if (pendingGo.length > 0) go = goEnv();
  if (venvReady) process.stdout.write(`ok   checkov ${versions.checkov}, schemathesis ${versions.schemathesis}, moto[server] ${versions.moto} (installed)\n`);

  const timed = async (label, work) => {
    const begin = Date.now();
    process.stdout.write(`...  ${label}\n`);
    await work();
    process.stdout.write(`ok   ${label} (${Math.round((Date.now() - begin) / 1000)}s)\n`);
  };
  // pip mostly waits on the network while go build uses the CPUs, so the two run side by side;
  // the Go builds run one after another (each already uses every core).
  const goChain = (async () => {
    for (const [tool, module, version, ldflags, stamp] of pendingGo) {
      rmSync(join(stampsDir, tool), { force: true });
      rmSync(join(logsDir, `${tool}.log`), { force: true });
      await timed(`${tool} v${version}: build from the Go module proxy (${go.goVersion})`, () => buildGoModule(tool, module, version, ldflags, go));
      writeStamp(tool, stamp);
    }
  })();
  const venvChain = venvReady
    ? Promise.resolve()
    : (async () => {
        rmSync(join(stampsDir, 'venv'), { force: true });
        rmSync(join(logsDir, 'venv.log'), { force: true });
        await timed(`checkov ${versions.checkov}, schemathesis ${versions.schemathesis}, moto[server] ${versions.moto}, awscli ${versions.awscli}: pip install into ${relative(repoRoot, venvDir)}`, () => installVenv(versions));
        writeStamp('venv', venvStamp);
      })();
  const results = await Promise.allSettled([goChain, venvChain]);
  const failures = results.filter((result) => result.status === 'rejected').map((result) => result.reason);
  if (failures.length > 0) throw failures[0];

  process.stdout.write(
    'NOT INSTALLED tflint-ruleset-aws: the Go module proxy refuses every version; tflint runs with its bundled terraform ruleset only\n' +
      'NOT INSTALLED ClickHouse/clickhouse Terraform provider: its v3 tags lack the /v3 module path (Go module proxy answers 403); units and modules that need it are skipped with a printed reason\n' +
      `tools: ready in ${relative(repoRoot, toolsDir)} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`,
  );
}

main().catch((error) => {
  const message = error instanceof ToolError ? error.message : `${error.code ?? error.name}: ${error.message}`;
  process.stderr.write(`tools: ${message.split('\n')[0]}\n`);
  process.exit(1);
});
