// Dockerfile checks without a Docker engine: dockerfile-utils' validator (the diagnostics of the VS Code
// Docker language server) plus our own rules over the dockerfile-ast syntax tree. Each rule returns
// messages that name the rule, so a failing test says which rule broke.
import { DockerfileParser, type Instruction, type ImageTemplate, type JSONInstruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

export interface DockerfileProblem {
  rule: string;
  line: number;
  message: string;
}

/** dockerfile-utils' diagnostics (errors and warnings both count), with 1-based lines. */
export function validatorProblems(content: string): DockerfileProblem[] {
  return validate(content).map((diagnostic) => ({
    rule: `dockerfile-utils/${String(diagnostic.code)}`,
    line: diagnostic.range.start.line + 1,
    message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
  }));
}

const lineOf = (instruction: Instruction) => instruction.getRange().start.line + 1;
const keyword = (instruction: Instruction) => instruction.getKeyword().toUpperCase();
const jsonStrings = (instruction: Instruction) => (instruction as JSONInstruction).getJSONStrings().map((argument) => argument.getJSONValue());

/** Our rules for the service image; `content` is a whole Dockerfile. */
export function ruleProblems(content: string): DockerfileProblem[] {
  const dockerfile = DockerfileParser.parse(content);
  const problems: DockerfileProblem[] = [];
  const froms = dockerfile.getFROMs();
  const last = froms.at(-1);
  if (!last) return [{ rule: 'from-present', line: 1, message: 'no FROM instruction' }];

  // Every external base image is pinned to a tag (not latest) or a digest; stage references are exempt.
  const stageNames = new Set<string>();
  for (const from of froms) {
    const image = from.getImageName();
    if (image && image !== 'scratch' && !stageNames.has(image.toLowerCase())) {
      const tag = from.getImageTag();
      if (!from.getImageDigest() && (!tag || tag === 'latest')) {
        problems.push({ rule: 'from-pinned', line: lineOf(from), message: `FROM ${from.getImage() ?? ''} must name a version tag (not latest) or a digest` });
      }
    }
    const stage = from.getBuildStage();
    if (stage) stageNames.add(stage.toLowerCase());
  }
  // COPY --from=<image> pulls an image too, so the same pinning applies to it.
  for (const copy of dockerfile.getCOPYs()) {
    const source = copy.getFromFlag()?.getValue();
    if (source && !stageNames.has(source.toLowerCase()) && !/^\d+$/.test(source) && !/[:@]/.test(source.replace(/:latest$/, ''))) {
      problems.push({ rule: 'from-pinned', line: lineOf(copy), message: `COPY --from=${source} must name a build stage or a pinned image` });
    }
  }

  const runtime = dockerfile.getContainingImage(last.getRange().start) as ImageTemplate;
  const instructions = runtime.getInstructions();
  const named = (name: string) => instructions.filter((instruction) => keyword(instruction) === name);

  const users = named('USER');
  const user = users.at(-1)?.getArgumentsContent()?.trim();
  if (!user) {
    problems.push({ rule: 'user-non-root', line: lineOf(last), message: 'the runtime stage must switch to a non-root USER' });
  } else if (/^(root|0)(:|$)/.test(user)) {
    problems.push({ rule: 'user-non-root', line: lineOf(users.at(-1)!), message: `USER ${user} runs as root` });
  }

  const healthcheck = named('HEALTHCHECK').at(-1);
  const healthcheckArgs = healthcheck?.getArgumentsContent() ?? '';
  if (!healthcheck || !/\bCMD\b/.test(healthcheckArgs) || !healthcheckArgs.includes('/healthz')) {
    problems.push({ rule: 'healthcheck', line: healthcheck ? lineOf(healthcheck) : lineOf(last), message: 'the runtime stage needs HEALTHCHECK CMD probing /healthz' });
  }

  // The probe must follow PORT (the checks run with the container's environment): a fixed port reports a
  // container started on another PORT unhealthy while it serves (found by running the image, issue 19).
  if (healthcheck && healthcheckArgs.includes('/healthz') && !/\bPORT\b/.test(healthcheckArgs)) {
    problems.push({ rule: 'healthcheck-port', line: lineOf(healthcheck), message: 'the HEALTHCHECK must probe the port in PORT, not a fixed one' });
  }

  const cmd = named('CMD').at(-1);
  const entrypoint = named('ENTRYPOINT').at(-1);
  const cmdArgs = cmd && (cmd as JSONInstruction).getJSONStrings().length > 0 ? jsonStrings(cmd) : undefined;
  if (!cmd || !cmdArgs || cmdArgs[0] !== 'node' || entrypoint) {
    problems.push({
      rule: 'cmd-exec-node',
      line: cmd ? lineOf(cmd) : lineOf(last),
      message: 'start with CMD ["node", ...] in exec form and no ENTRYPOINT, so node is PID 1 and receives SIGTERM (no npm, no shell)',
    });
  }

  const exposed = named('EXPOSE').flatMap((instruction) => instruction.getArguments().map((argument) => argument.getValue()));
  if (!exposed.some((port) => port === '8080' || port === '8080/tcp')) {
    problems.push({ rule: 'expose-8080', line: lineOf(last), message: 'the runtime stage must EXPOSE 8080 (the port App Runner is configured with)' });
  }

  // npm 10.8.2's `npm ci` can exit 0 with nothing installed ("Exit handler never called!"); `npm ls` in the
  // same RUN fails the step instead of caching a broken layer that fails later as `tsc: not found`.
  for (const run of dockerfile.getInstructions().filter((instruction) => keyword(instruction) === 'RUN')) {
    const script = run.getArgumentsContent() ?? '';
    const install = script.search(/\bnpm ci\b/);
    // A workspace-filtered `npm ls` exits 0 on an empty tree (no workspace link, nothing to check).
    const checks = [...script.slice(install).matchAll(/\bnpm ls\b[^&|;]*/g)].filter((check) => !/--workspace\b|\s-w\b/.test(check[0]));
    if (install >= 0 && checks.length === 0) {
      problems.push({ rule: 'npm-ci-verified', line: lineOf(run), message: 'follow `npm ci` with a root-level `npm ls` (no --workspace) in the same RUN, so a failed install fails its own step' });
    }
  }

  // `# syntax=` makes Docker fetch a frontend image from Docker Hub before building: offline and mirrored
  // builds break, and nothing here needs a newer frontend than the built-in one.
  for (const directive of dockerfile.getDirectives()) {
    if (directive.getName()?.toLowerCase() === 'syntax') {
      problems.push({ rule: 'no-syntax-directive', line: directive.getRange().start.line + 1, message: 'drop the `# syntax=` directive: it pulls a frontend image from Docker Hub' });
    }
  }

  const productionEnv = runtime
    .getENVs()
    .flatMap((env) => env.getProperties())
    .some((property) => property.getName() === 'NODE_ENV' && property.getValue() === 'production');
  if (!productionEnv) {
    problems.push({ rule: 'node-env-production', line: lineOf(last), message: 'the runtime stage must set ENV NODE_ENV=production' });
  }
  return problems;
}

/** Both the validator and our rules. */
export function dockerfileProblems(content: string): DockerfileProblem[] {
  return [...validatorProblems(content), ...ruleProblems(content)];
}

export const formatProblems = (problems: DockerfileProblem[]) => problems.map((problem) => `line ${problem.line} [${problem.rule}] ${problem.message}`).join('\n');
