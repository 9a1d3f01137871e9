#!/usr/bin/env node
// `npm run image:build`: builds app/Dockerfile, unchanged, from the repository root, and prints the image
// size. docker where a Docker engine answers; else podman, after making stand-ins for the two base images
// when they are neither kept nor pullable (scripts/image/stand-in-bases.mjs).
//
//   npm run image:build              tag auth-platform/app:local (IMAGE=... for another)
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { containerEngine, imageName, imageSize, repoRoot } from './lib/container-engine.mjs';
import { ensureBaseImages } from './image/stand-in-bases.mjs';

const log = (message) => process.stderr.write(`[image] ${message}\n`);

/**
 * The CA bundle that npm on this host trusts (npm's cafile, else NODE_EXTRA_CA_CERTS), when there is one:
 * on a machine whose outgoing HTTPS is re-signed by a local CA, node inside the build must trust it too.
 */
function hostCaBundle() {
  try {
    const cafile = execFileSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8', cwd: repoRoot }).trim();
    if (cafile && cafile !== 'null' && cafile !== 'undefined') return cafile;
  } catch {
    // npm config unreadable: fall through
  }
  return process.env.NODE_EXTRA_CA_CERTS || undefined;
}

let engine;
try {
  engine = containerEngine();
} catch (error) {
  log(error.message);
  process.exit(1);
}

const started = Date.now();
const image = imageName();
const args = ['build', '-f', join(repoRoot, 'app', 'Dockerfile'), '-t', image];
let caDir;
if (engine.name === 'podman') {
  const { made } = ensureBaseImages(engine);
  if (made.length) log(`stand-in base images made: ${made.join(', ')} (${Math.round((Date.now() - started) / 1000)} s)`);
  // docker format keeps the HEALTHCHECK (OCI has none); the bases are local (stand-ins or kept).
  args.push('--format', 'docker', '--pull=never');
  const ca = hostCaBundle();
  if (ca) {
    // For the RUN steps only (a build volume never lands in a layer): npm's global config for prefix
    // /usr/local is /usr/local/etc/npmrc; node's own trust through NODE_EXTRA_CA_CERTS is not needed by npm.
    caDir = mkdtempSync(join(tmpdir(), 'auth-image-ca-'));
    copyFileSync(ca, join(caDir, 'host-ca.pem'));
    writeFileSync(join(caDir, 'npmrc'), 'cafile=/usr/local/etc/host-ca.pem\n');
    args.push('-v', `${caDir}:/usr/local/etc:ro`);
  }
}
args.push(repoRoot);

const previous = engine.spawn(['image', 'inspect', '--format', '{{.Id}}', image]).stdout?.trim();
log(`${engine.name} ${args.join(' ')}`);
const buildStarted = Date.now();
const result = engine.spawn(args, { stdio: 'inherit' });
if (caDir) rmSync(caDir, { recursive: true, force: true });
if (result.status !== 0) {
  log(`the build failed (exit ${result.status}); the failing step is shown above`);
  process.exit(1);
}
if (engine.name === 'podman') {
  // vfs stores every layer in full. Drop the image this build replaced (its runtime-stage layers), but keep
  // the build stages' cached layers that the next build reuses; dangling images older than a week go too.
  // The stand-in bases stay (they are tagged).
  const current = engine.spawn(['image', 'inspect', '--format', '{{.Id}}', image]).stdout.trim();
  if (previous && previous !== current) engine.spawn(['rmi', previous], { stdio: 'ignore' });
  engine.spawn(['image', 'prune', '-f', '--filter', 'until=168h'], { stdio: 'ignore' });
}
const size = imageSize(engine, image);
log(`built ${image} with ${engine.name} in ${Math.round((Date.now() - buildStarted) / 1000)} s (${Math.round((Date.now() - started) / 1000)} s in all)`);
process.stdout.write(`image ${image}: ${size} bytes (${(size / 1e6).toFixed(1)} MB)\n`);
