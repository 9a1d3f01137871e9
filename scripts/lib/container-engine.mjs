// The container engine for `npm run image:build` / `npm run image:test`: docker where a Docker engine
// answers (GitHub CI, laptops), else Debian's podman with the flags these machines need
// (shared/notes/container-image-here.md): vfs storage, runc, cgroupfs, and a containers.conf without
// default ulimits (the one beside this file, through CONTAINERS_CONF, so /etc is left alone).
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The tag image:build gives and image:test runs; the compose app service's image name. */
export const DEFAULT_IMAGE = 'auth-platform/app:local';
export const imageName = () => process.env.IMAGE || DEFAULT_IMAGE;

/** The FROM images of app/Dockerfile, by the names a registry-less podman must hold them under. */
export const BASE_IMAGES = {
  debian: 'docker.io/library/debian:bookworm-slim',
  node: 'docker.io/library/node:20.20-bookworm-slim',
};

const PODMAN_GLOBAL = ['--storage-driver=vfs', '--runtime=runc', '--cgroup-manager=cgroupfs'];
const PODMAN_CONF = join(repoRoot, 'scripts', 'image', 'containers.conf');

function works(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 });
  return result.status === 0;
}

/**
 * @typedef {object} Engine
 * @property {'docker' | 'podman'} name
 * @property {(args: string[], options?: import('node:child_process').ExecFileSyncOptions) => string} run
 *   runs the engine with its global flags; returns stdout; throws on a non-zero exit
 * @property {(args: string[], options?: import('node:child_process').SpawnSyncOptions) => import('node:child_process').SpawnSyncReturns<string>} spawn
 * @property {string[]} argv the engine command with its global flags, for callers that spawn it themselves
 * @property {NodeJS.ProcessEnv} env the environment the engine must run with
 */

/**
 * The engine to use: CONTAINER_ENGINE=docker|podman when set, else docker when `docker info` answers,
 * else podman.
 * @returns {Engine}
 * @throws Error with a one-line message saying what to install when neither is usable
 */
export function containerEngine() {
  const wanted = process.env.CONTAINER_ENGINE;
  let name;
  if (wanted === 'docker' || wanted === 'podman') name = wanted;
  else if (works('docker', ['info'])) name = 'docker';
  else if (works('podman', ['--version'])) name = 'podman';
  else throw new Error('no container engine: start Docker, or install podman (apt-get install podman buildah runc debootstrap; .ci/run does it)');
  const global = name === 'podman' ? PODMAN_GLOBAL : [];
  const env = name === 'podman' ? { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? PODMAN_CONF } : process.env;
  return {
    name,
    argv: [name, ...global],
    env,
    run: (args, options = {}) => execFileSync(name, [...global, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...options }),
    spawn: (args, options = {}) => spawnSync(name, [...global, ...args], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024, ...options }),
  };
}

/** True when the engine holds `image` locally. */
export function imageExists(engine, image) {
  return engine.spawn(['image', 'inspect', image], { stdio: 'ignore' }).status === 0;
}

/** The image's uncompressed size in bytes, as `docker image ls` / `podman images` count it. */
export function imageSize(engine, image) {
  return Number(engine.run(['image', 'inspect', '--format', '{{.Size}}', image]).trim());
}
