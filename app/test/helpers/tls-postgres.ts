// A throwaway PostgreSQL cluster that serves TLS with a certificate from a throwaway CA, for the
// DATABASE_SSL=verify-full tests. Real PostgreSQL (ssl=on, ssl_cert_file/ssl_key_file as in PostgreSQL's
// "Secure TCP/IP Connections with SSL" chapter) and real openssl: no fake TLS endpoint.
// The chain has RDS's shape: a root CA (the only certificate in `caFile`), an intermediate CA signed by it,
// and the server certificate signed by the intermediate; the server sends its certificate and the
// intermediate. Keys and signatures are those of the CA the rds-postgres module pins (ca_cert_identifier
// rds-ca-rsa2048-g1: "RSA 2048 private key algorithm and SHA256 signing algorithm", Amazon RDS User Guide,
// "Using SSL/TLS to encrypt a connection to a DB instance or cluster", Certificate authorities); the CA bundle
// holds the root, as AWS's global-bundle.pem does (test/rds-ca-bundle.test.ts checks the image's bundle). The server certificate names DNS:localhost and IP:127.0.0.2 (the cluster also listens
// there), so connecting by 127.0.0.1 is a host-name mismatch and by 127.0.0.2 an IP SAN match.
// pg_hba.conf admits TCP connections only over TLS (`hostssl`), as RDS does with rds.force_ssl=1.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsPostgres {
  port: number;
  /** PEM of the root CA (only it) under which the intermediate issued the server certificate. */
  caFile: string;
  /** PEM of what the server sends: its certificate, then the intermediate. */
  chainFile: string;
  /** PEM of another throwaway CA, which did not. */
  otherCaFile: string;
  stop(): void;
}

function binDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((version) => join(base, version, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  if (found) return found;
  return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
}

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

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** Root CA → intermediate CA → server certificate (DNS:localhost, IP:127.0.0.2); another CA alongside. */
function makeCertificates(dir: string): void {
  // RSA 2048 keys, SHA-256 signatures: rds-ca-rsa2048-g1's algorithms.
  const keyOptions = ['-newkey', 'rsa:2048', '-sha256', '-nodes'];
  openssl(dir, ['req', '-x509', ...keyOptions, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=auth-test throwaway root CA']);
  openssl(dir, ['req', '-x509', ...keyOptions, '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '2', '-subj', '/CN=auth-test other CA']);
  openssl(dir, ['req', ...keyOptions, '-keyout', 'intermediate.key', '-out', 'intermediate.csr', '-subj', '/CN=auth-test throwaway intermediate CA']);
  writeFileSync(join(dir, 'intermediate.ext'), 'basicConstraints = critical, CA:TRUE, pathlen:0\nkeyUsage = critical, keyCertSign, cRLSign\n');
  openssl(dir, ['x509', '-req', '-sha256', '-in', 'intermediate.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'intermediate.ext', '-out', 'intermediate.crt']);
  openssl(dir, ['req', ...keyOptions, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName = DNS:localhost, IP:127.0.0.2\nextendedKeyUsage = serverAuth\n');
  openssl(dir, ['x509', '-req', '-sha256', '-in', 'server.csr', '-CA', 'intermediate.crt', '-CAkey', 'intermediate.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'leaf.crt']);
  // ssl_cert_file: the server certificate first, then the intermediates (PostgreSQL, "SSL Server File Usage").
  writeFileSync(join(dir, 'server.crt'), readFileSync(join(dir, 'leaf.crt'), 'utf8') + readFileSync(join(dir, 'intermediate.crt'), 'utf8'));
}

/** Starts the cluster (as the `postgres` user when running as root, since PostgreSQL refuses root). */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'auth-tls-pg-'));
  chmodSync(dir, 0o755);
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe' }) : execFileSync(command, args, { stdio: 'pipe' });
  try {
    if (asRoot) {
      try {
        execFileSync('id', ['postgres'], { stdio: 'ignore' });
      } catch {
        execFileSync('useradd', ['--system', '--no-create-home', 'postgres'], { stdio: 'ignore' });
      }
    }
    makeCertificates(dir);
    chmodSync(join(dir, 'server.key'), 0o600);
    if (asRoot) execFileSync('chown', ['-R', 'postgres:', dir]);
    const port = await freePort();
    run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
    // initdb's pg_hba.conf admits `host` (TLS or not); replace it so a plain TCP connection is refused.
    writeFileSync(join(dir, 'pg_hba.conf'), 'local all all trust\nhostssl all all all trust\n');
    if (asRoot) execFileSync('chown', ['postgres:', join(dir, 'pg_hba.conf')]);
    const options = [
      `-p ${port}`, `-k ${dir}`, "-c listen_addresses='localhost,127.0.0.2'", '-c fsync=off',
      '-c ssl=on', `-c hba_file=${join(dir, 'pg_hba.conf')}`, `-c ssl_cert_file=${join(dir, 'server.crt')}`, `-c ssl_key_file=${join(dir, 'server.key')}`,
    ].join(' ');
    run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-l', join(dir, 'postgres.log'), '-w', '-t', '60', '-o', options, 'start']);
    return {
      port,
      caFile: join(dir, 'ca.crt'),
      chainFile: join(dir, 'server.crt'),
      otherCaFile: join(dir, 'other-ca.crt'),
      stop() {
        try {
          run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
