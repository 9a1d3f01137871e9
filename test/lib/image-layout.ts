// Rebuilds, without Docker, the runtime layout that app/Dockerfile assembles, so a test can run the image's
// CMD and HEALTHCHECK for real: tsc output in app/dist, app/migrations and app/package.json side by side,
// dependencies resolved from the repository's node_modules (the image has the same hoisted workspace layout).
import { DockerfileParser, type JSONInstruction } from 'dockerfile-ast';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './hcl.ts';

export interface RuntimeStage {
  cmd: string[];
  healthcheck: string[];
  env: Record<string, string>;
}

/** The runtime (last) stage's CMD, HEALTHCHECK CMD (exec form) and ENV, read from the Dockerfile. */
export function runtimeStage(dockerfilePath = join(repoRoot, 'app', 'Dockerfile')): RuntimeStage {
  const dockerfile = DockerfileParser.parse(readFileSync(dockerfilePath, 'utf8'));
  const last = dockerfile.getFROMs().at(-1)!;
  const stage = dockerfile.getContainingImage(last.getRange().start)!;
  const json = (instruction: unknown) => (instruction as JSONInstruction).getJSONStrings().map((argument) => argument.getJSONValue());
  const healthcheck = stage.getHEALTHCHECKs().at(-1);
  const env = Object.fromEntries(stage.getENVs().flatMap((instruction) => instruction.getProperties()).map((property) => [property.getName(), property.getValue() ?? '']));
  // HEALTHCHECK is not a JSON instruction in the AST (its flags come first): parse the array after CMD.
  const healthcheckJson = /\bCMD\s+(\[[\s\S]*\])\s*$/.exec(healthcheck?.getArgumentsContent()?.replace(/\\\r?\n/g, ' ') ?? '')?.[1];
  return { cmd: json(stage.getCMDs().at(-1)), healthcheck: healthcheckJson ? ['CMD', ...(JSON.parse(healthcheckJson) as string[])] : [], env };
}

/** Builds app/src with the image's tsconfig into .local/ (git-ignored, inside the repo for node_modules) and returns app/. */
export async function buildRuntimeLayout(): Promise<string> {
  mkdirSync(join(repoRoot, '.local'), { recursive: true });
  const root = mkdtempSync(join(repoRoot, '.local', 'image-layout-'));
  const appDir = join(root, 'app');
  // Asynchronous, so the other tests of the file keep running during the ~10 s build.
  try {
    await promisify(execFile)(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', join(repoRoot, 'app', 'tsconfig.build.json'), '--outDir', join(appDir, 'dist')]);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  cpSync(join(repoRoot, 'app', 'migrations'), join(appDir, 'migrations'), { recursive: true });
  cpSync(join(repoRoot, 'app', 'package.json'), join(appDir, 'package.json'));
  return appDir;
}
