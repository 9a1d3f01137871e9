// app/Dockerfile, linted without a Docker engine: dockerfile-utils' validator plus our rules
// (test/lib/dockerfile-rules.ts). Each rule is also shown failing on a small bad Dockerfile.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/hcl.ts';
import { dockerfileProblems, formatProblems, ruleProblems, validatorProblems } from './lib/dockerfile-rules.ts';

const dockerfile = readFileSync(join(repoRoot, 'app', 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8');

// A minimal Dockerfile that passes every rule; each bad fixture changes one thing.
const GOOD = `FROM node:20.20-bookworm-slim AS build
RUN npm ci
FROM debian:bookworm-slim
COPY --from=build /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz')"]
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
  ['user-non-root', 'USER only in the build stage', GOOD.replace('USER 10001:10001\n', '').replace('RUN npm ci', 'RUN npm ci\nUSER node')],
  ['healthcheck', 'no HEALTHCHECK', GOOD.replace(/HEALTHCHECK.*\n/, '')],
  ['healthcheck', 'HEALTHCHECK NONE', GOOD.replace(/HEALTHCHECK.*\n/, 'HEALTHCHECK NONE\n')],
  ['cmd-exec-node', 'shell-form CMD', GOOD.replace('CMD ["node", "dist/main.js"]', 'CMD node dist/main.js')],
  ['cmd-exec-node', 'CMD through npm', GOOD.replace('CMD ["node", "dist/main.js"]', 'CMD ["npm", "start"]')],
  ['cmd-exec-node', 'an ENTRYPOINT shell wrapper', GOOD.replace('CMD ["node", "dist', 'ENTRYPOINT ["/bin/sh", "-c"]\nCMD ["node", "dist')],
  ['expose-8080', 'EXPOSE 3000', GOOD.replace('EXPOSE 8080', 'EXPOSE 3000')],
  ['node-env-production', 'NODE_ENV=development', GOOD.replace('NODE_ENV=production', 'NODE_ENV=development')],
];

for (const [rule, what, content] of badFixtures) {
  test(`rule ${rule} fails on: ${what}`, (t) => {
    const rules = ruleProblems(content).map((problem) => problem.rule);
    t.deepEqual([...new Set(rules)], [rule], formatProblems(ruleProblems(content)));
  });
}

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
