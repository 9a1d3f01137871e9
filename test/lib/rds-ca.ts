// Which RDS root CAs the image's bundle must hold: one per region in use (the live tree's region.hcl
// files) for the CA the rds-postgres module pins (ca_cert_identifier). AWS names a regional root
// "Amazon RDS <region> Root CA <RSA2048|RSA4096|ECC384> G1" for the CA identifiers rds-ca-rsa2048-g1,
// rds-ca-rsa4096-g1 and rds-ca-ecc384-g1 (Amazon RDS User Guide, "Certificate authorities").
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** The `aws_region` of every region.hcl under terragrunt/live, sorted and without repeats. */
export function regionsInUse(root = repoRoot): string[] {
  const live = join(root, 'terragrunt', 'live');
  const files = (readdirSync(live, { recursive: true }) as string[]).filter((path) => path.split('/').pop() === 'region.hcl');
  const regions = files.map((path) => /^\s*aws_region\s*=\s*"([^"]+)"/m.exec(readFileSync(join(live, path), 'utf8'))?.[1]);
  return [...new Set(regions.filter((region): region is string => region !== undefined))].sort();
}

/** The rds-postgres module's ca_cert_identifier, e.g. `rds-ca-rsa2048-g1`. */
export function pinnedCaIdentifier(root = repoRoot): string {
  const main = readFileSync(join(root, 'terragrunt', 'modules', 'rds-postgres', 'main.tf'), 'utf8');
  const identifier = /^\s*ca_cert_identifier\s*=\s*"([^"]+)"/m.exec(main)?.[1];
  if (!identifier) throw new Error('rds-postgres/main.tf sets no ca_cert_identifier');
  return identifier;
}

/** The common name of a region's root for a CA identifier: `rds-ca-rsa2048-g1` → "Amazon RDS eu-west-1 Root CA RSA2048 G1". */
export function rdsRootCommonName(region: string, identifier: string): string {
  const match = /^rds-ca-(rsa2048|rsa4096|ecc384)-g(\d+)$/.exec(identifier);
  if (!match) throw new Error(`${identifier} is not an RDS CA identifier of the G1 generation's form`);
  return `Amazon RDS ${region} Root CA ${match[1]!.toUpperCase()} G${match[2]}`;
}

/** The certificates of a PEM bundle whose subject CN is `commonName`, self-signed CA, valid at `at`. */
export function validRoots(pem: string, commonName: string, at: Date): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block)).filter((certificate) =>
    certificate.subject.split('\n').includes(`CN=${commonName}`) && certificate.ca && certificate.checkIssued(certificate) &&
    new Date(certificate.validFrom) <= at && at < new Date(certificate.validTo));
}
