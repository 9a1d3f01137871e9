// The PostgreSQL superuser URL for tests that need one. `npm test` provides TEST_DATABASE_ADMIN_URL; a test
// file run alone (npx ava test/compose.test.ts) starts a throwaway native PostgreSQL instead, stopped on exit.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './hcl.ts';

interface ServicesModule {
  newServicesDir(prefix: string): string;
  startServices(dir: string, which: { postgres: boolean; clickhouse: boolean }): Promise<{ env: Record<string, string>; stop(): void }>;
}

let started: Promise<string> | undefined;

export function adminDatabaseUrl(): Promise<string> {
  const fromEnv = process.env.TEST_DATABASE_ADMIN_URL;
  if (fromEnv) return Promise.resolve(fromEnv);
  started ??= (async () => {
    const services = (await import(pathToFileURL(join(repoRoot, 'scripts', 'services.mjs')).href)) as ServicesModule;
    const dir = services.newServicesDir('repo-test-pg-');
    const running = await services.startServices(dir, { postgres: true, clickhouse: false });
    process.once('exit', () => {
      running.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    return running.env.TEST_DATABASE_ADMIN_URL!;
  })();
  return started;
}
