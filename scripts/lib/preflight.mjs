// Checks that native dependencies load before anything uses them, and repairs them when they do not.
// argon2 ships prebuilt binaries, and its install script falls back to compiling from source when the
// prebuild cannot load. Where install scripts did not run (npm 11 can skip them), or where the glibc
// prebuild crashes at load (seen on Debian 12: SIGSEGV), node_modules holds a binary that kills the
// process on first use. We probe it in a child process and compile it from source when needed
// (python3, make and g++ are on the machines we support).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PROBE = "require('argon2').hash('probe', { memoryCost: 1024, timeCost: 1, parallelism: 1 }).then(() => process.exit(0), () => process.exit(3))";

function argon2Loads() {
  return spawnSync(process.execPath, ['-e', PROBE], { cwd: join(repoRoot, 'app'), stdio: 'ignore' }).status === 0;
}

function nodeGypScript() {
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout.trim();
  const candidates = [join(npmRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), join(repoRoot, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  return candidates.find((path) => existsSync(path));
}

/**
 * The install prefix whose include/node holds the headers of the running Node (Debian's nodejs and the
 * official tarballs ship them), or undefined. Given to node-gyp as npm_config_nodedir, so a source build
 * never downloads headers (which fails offline or behind a proxy).
 */
export function nodeHeadersDir(execPath = process.execPath, version = process.version) {
  const prefix = dirname(dirname(realpathSync(execPath)));
  const header = join(prefix, 'include', 'node', 'node_version.h');
  if (!existsSync(header)) return undefined;
  const text = readFileSync(header, 'utf8');
  const part = (name) => new RegExp(`#define\\s+NODE_${name}_VERSION\\s+(\\d+)`).exec(text)?.[1];
  return `v${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` === version ? prefix : undefined;
}

function buildEnv() {
  const nodedir = process.env.npm_config_nodedir || nodeHeadersDir();
  return nodedir ? { ...process.env, npm_config_nodedir: nodedir } : process.env;
}

export function ensureArgon2(log = (message) => process.stderr.write(`[preflight] ${message}\n`)) {
  if (argon2Loads()) return;
  log('argon2 does not load from node_modules; compiling it from source (one time)');
  spawnSync('npm', ['rebuild', 'argon2', '--build-from-source', '--foreground-scripts'], { cwd: repoRoot, stdio: 'inherit', env: buildEnv() });
  if (argon2Loads()) return;
  const gyp = nodeGypScript();
  const argon2Dir = join(repoRoot, 'node_modules', 'argon2');
  if (gyp && existsSync(argon2Dir)) {
    spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: argon2Dir, stdio: 'inherit', env: buildEnv() });
    if (argon2Loads()) return;
  }
  throw new Error('argon2 cannot be loaded or built: install python3, make and g++, then run `npm rebuild argon2 --build-from-source`');
}
